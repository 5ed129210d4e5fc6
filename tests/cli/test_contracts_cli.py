"""``audit-explorer contracts`` and ``audit-explorer contracts diff A B``."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from explorer.cli import main
from explorer.cli.contracts import describe
from explorer.core.contracts import Change, diff_contracts
from explorer.models.registry import CONTRACT_NAMES, CONTRACTS, DEFAULT_CONTRACT, load_contract
from tests.conftest import spec_file

PAIRS = list(itertools.pairwise(CONTRACT_NAMES))


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# -- the list -------------------------------------------------------------------------------


def test_the_list_shows_every_contract_oldest_first_and_marks_the_default() -> None:
    result = run("contracts")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "UPSTREAM", "DATE", "EVENT", "TYPES", "PAYLOAD", "SCHEMAS"]
    rows = lines[1 : 1 + len(CONTRACT_NAMES)]
    assert [row.split()[0] for row in rows] == list(CONTRACT_NAMES)
    marked = [row.split()[0] for row in rows if row.split()[1] == "*"]
    assert marked == [DEFAULT_CONTRACT] == ["main"]
    for row, name in zip(rows, CONTRACT_NAMES, strict=True):
        info = CONTRACTS[name]
        assert info.upstream in row and info.date in row
        assert row.split()[-2:] == [str(info.event_types), str(info.payload_schemas)]
    assert lines[-1] == "* the default contract (main)"


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_the_listed_counts_are_the_contract_files(name: str) -> None:
    with spec_file(name).open(encoding="utf-8") as f:
        spec = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    event_data = spec["components"]["schemas"]["AuditEventRequest"]["properties"]["event_data"]
    mapping = event_data["discriminator"]["mapping"]
    listed = json.loads(run("contracts", "--format", "json").stdout)["contracts"]
    entry = {c["name"]: c for c in listed}[name]
    assert entry["event_types"] == len(mapping)
    assert entry["payload_schemas"] == len(set(mapping.values()))


def test_the_list_as_json() -> None:
    result = run("contracts", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["default"] == "main"
    assert [c["name"] for c in data["contracts"]] == list(CONTRACT_NAMES)
    assert [c["default"] for c in data["contracts"]] == [n == "main" for n in CONTRACT_NAMES]
    assert {tuple(c) for c in data["contracts"]} == {
        ("name", "upstream", "date", "event_types", "payload_schemas", "default")
    }


LIST_PROBE = """
import sys
from explorer.cli import main
try:
    main(["contracts"])
except SystemExit:
    pass
loaded = sorted(m for m in sys.modules if m.startswith("explorer.models.contracts."))
print("LOADED:" + ",".join(loaded), file=sys.stderr)
"""


def test_the_list_loads_no_contract_but_the_default() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LIST_PROBE], capture_output=True, text=True, check=True
    )
    assert "NAME" in result.stdout
    loaded = result.stderr.strip().rsplit("LOADED:", 1)[1].split(",")
    assert loaded == ["explorer.models.contracts.catalog", "explorer.models.contracts.main"]


# -- the diff -------------------------------------------------------------------------------


def test_diff_as_text_groups_event_types_then_schemas() -> None:
    result = run("contracts", "diff", "v1.5.7", "main")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Contract v1.5.7 -> main"
    at = lines.index("Event types: 7 added, 1 removed, 0 remapped")
    rows = [line.split() for line in lines[at + 1 : at + 9]]
    assert ["-", "aianalysis.aiagent.session_lost", "AIAnalysisAIAgentCallPayload"] in rows
    assert ["+", "gateway.config.reloaded", "GatewayConfigReloadedPayload"] in rows
    assert lines[at + 9] == ""
    assert lines[at + 10].startswith("Schemas: ")
    envelope = lines.index("AuditEvent (envelope)")
    block = lines[envelope + 1 : lines.index("", envelope)]
    assert [line.split()[:2] for line in block] == [
        ["+", "cluster_id"],
        ["-", "cluster_name"],
        ["~", "event_category"],
    ]
    llm = lines.index("LLMResponsePayload")
    assert lines[llm + 1] == "  used by aiagent.llm.response"
    assert ["+", "reasoning_text", "string,", "optional"] in [
        line.split() for line in lines[llm + 2 : llm + 5]
    ]


@pytest.mark.parametrize(("a", "b"), [*PAIRS, ("main", "2026-01-24")])
def test_diff_text_fits_a_terminal(a: str, b: str) -> None:
    lines = run("contracts", "diff", a, b).stdout.splitlines()
    assert max(len(line) for line in lines) <= 100


@pytest.mark.parametrize(("a", "b"), [("v1.5.7", "main"), ("v1.4.0", "v1.5.7")])
def test_diff_as_json_is_the_core_result(a: str, b: str) -> None:
    result = run("contracts", "diff", a, b, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data == json.loads(
        json.dumps(diff_contracts(load_contract(a), load_contract(b)).as_dict())
    )
    assert list(data) == ["before", "after", "event_types", "schemas"]
    assert list(data["event_types"]) == ["added", "removed", "remapped"]
    assert list(data["schemas"]) == ["added", "removed", "changed"]
    for schema in data["schemas"]["changed"]:
        assert list(schema) == ["schema", "used_by", "changes"]
        for change in schema["changes"]:
            assert list(change) == ["path", "kind", "constraint", "before", "after"]


def test_diff_of_a_contract_with_itself() -> None:
    text = run("contracts", "diff", "v1.4.0", "v1.4.0")
    assert text.exit_code == 0
    assert text.stdout.splitlines()[-1] == "No differences."
    data = json.loads(run("contracts", "diff", "main", "main", "--format", "json").stdout)
    assert data["event_types"] == {"added": [], "removed": [], "remapped": []}
    assert data["schemas"] == {"added": [], "removed": [], "changed": []}


@pytest.mark.parametrize(
    "args",
    [("diff", "v9", "main"), ("diff", "main", "1.5.7"), ("diff", "\x1b]0;owned\x07v1", "main")],
)
def test_an_unknown_contract_is_one_line_and_exit_2(args: tuple[str, ...]) -> None:
    result = run("contracts", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("audit-explorer: unknown contract ")
    assert "2026-01-24, v1.4.0, v1.5.7, v1.6.0-rc4, main" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (Change("x", "required", False, True), "required: no -> yes"),
        (Change("x", "nullable", True, False), "nullable: yes -> no"),
        (Change("x", "type", "string", "integer"), "type: string -> integer"),
        (Change("x", "enum", ("a",), ("b", "c")), "enum: +b +c -a"),
        (Change("x", "constraint", None, 64, constraint="max_length"), "max_length: none -> 64"),
        (Change("", "additional_properties", "allow", "forbid"),
         "additional properties: allowed -> forbidden"),
    ],
)  # fmt: skip
def test_each_kind_of_change_in_words(change: Change, text: str) -> None:
    assert describe(change) == text
