"""``events -o`` and ``query -o`` write a manifest; ``verify-export`` checks a file against it
(exit 0 when it matches, 1 on any difference, 2 without a readable manifest)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.core.export import FORMATS
from explorer.ingest.importer import upsert
from explorer.models.decode import decode
from explorer.store.cache import Cache
from tests.factories import event

FORMULA = '=HYPERLINK("http://evil.example","click")'


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-verify") / "audit.duckdb"
    events = [
        event(event_id=f"e{n}", event_timestamp=f"2026-11-20T10:00:0{n}Z", actor_id=actor)
        for n, actor in enumerate([FORMULA, "-1+2", "alice"])
    ]
    with Cache.open(path, notify=lambda _: None) as db:
        upsert(db, [decode(e) for e in events], source="https://ds.example:8443")
    return path


def manifest(out: Path) -> dict[str, Any]:
    return json.loads(out.with_name(out.name + ".manifest.json").read_text())  # type: ignore[no-any-return]


@pytest.mark.parametrize("fmt", FORMATS)
def test_events_output_verifies_and_a_changed_byte_does_not(
    cache: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"events.{fmt}"
    written = run("events", "service:gateway", "--cache", str(cache), "-o", str(out))
    assert written.exit_code == 0, written.stderr
    doc = manifest(out)
    assert doc["rows"] == 3 and doc["format"] == fmt
    assert doc["selection"] == {"filter": "service:gateway"}
    assert [s["url"] for s in doc["sources"]] == ["https://ds.example:8443"]
    ok = run("verify-export", str(out))
    assert ok.exit_code == 0, ok.stderr
    assert ok.stdout == f"{out}: ok, 3 rows, sha256 {doc['sha256']}\n"
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    out.write_bytes(bytes(data))
    changed = run("verify-export", str(out))
    assert changed.exit_code == 1 and changed.stdout == ""
    assert changed.stderr.count("\n") == 1
    assert "does not match its manifest" in changed.stderr and "sha256" in changed.stderr


def test_a_missing_manifest_is_exit_2(cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.ndjson"
    run("events", "--cache", str(cache), "-o", str(out))
    out.with_name(out.name + ".manifest.json").unlink()
    result = run("verify-export", str(out))
    assert result.exit_code == 2
    assert (
        result.stderr.startswith("audit-explorer: no manifest ") and result.stderr.count("\n") == 1
    )


def test_a_manifest_with_a_wrong_row_count_is_exit_1(cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    run("events", "--cache", str(cache), "-o", str(out))
    where = out.with_name(out.name + ".manifest.json")
    doc = json.loads(where.read_text())
    doc["rows"] = 2
    where.write_text(json.dumps(doc))
    result = run("verify-export", str(out))
    assert result.exit_code == 1
    assert "3 rows, the manifest says 2" in result.stderr


def test_limit_is_part_of_the_selection(cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "two.json"
    assert run("events", "--cache", str(cache), "--limit", "2", "-o", str(out)).exit_code == 0
    assert manifest(out)["selection"] == {"filter": "", "limit": 2}
    assert manifest(out)["rows"] == 2 == len(json.loads(out.read_text()))


def test_a_query_output_records_the_query_and_its_bound_values(cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "latest.parquet"
    args = ["query", "latest-state", "--cache", str(cache), "-p", "since=2026-01-01"]
    result = run(*args, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    chosen = manifest(out)["selection"]
    assert chosen["query"] == "latest-state"
    assert chosen["params"]["since"].startswith("2026-01-01T00:00:00")
    assert len(chosen["sql_sha256"]) == 64
    assert run("verify-export", str(out)).exit_code == 0


def _actors(text: str) -> list[str]:
    return sorted(row["actor_id"] for row in csv.DictReader(io.StringIO(text, newline="")))


def test_csv_files_escape_formulas_unless_csv_exact_and_pipes_stay_exact(
    cache: Path, tmp_path: Path
) -> None:
    escaped, exact = tmp_path / "escaped.csv", tmp_path / "exact.csv"
    assert run("events", "--cache", str(cache), "-o", str(escaped)).exit_code == 0
    assert run("events", "--cache", str(cache), "-o", str(exact), "--csv-exact").exit_code == 0
    piped = run("events", "--cache", str(cache), "--format", "csv")
    assert _actors(escaped.read_text()) == ["'-1+2", "'" + FORMULA, "alice"]
    assert _actors(exact.read_text()) == _actors(piped.stdout) == ["-1+2", FORMULA, "alice"]
    assert manifest(escaped)["csv_formulas"] == "escaped"
    assert manifest(exact)["csv_formulas"] == "exact"
