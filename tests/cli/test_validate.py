from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from explorer.cli import main
from tests.factories import event


def run(args: list[str], stdin: bytes | None = None) -> Any:
    return CliRunner().invoke(main, args, input=stdin, catch_exceptions=False)


def good() -> dict[str, Any]:
    return event()


def bad() -> dict[str, Any]:
    raw = event()
    del raw["event_data"]["event_type"]
    return raw


def drifted() -> dict[str, Any]:
    raw = event()
    raw["event_data"]["extra_field"] = 1
    return raw


@pytest.fixture
def events() -> list[dict[str, Any]]:
    return [good(), bad(), drifted()]


def ndjson(items: list[Any]) -> bytes:
    return b"\n".join(orjson.dumps(i) for i in items) + b"\n"


@pytest.mark.parametrize(
    "shape",
    [
        lambda ev: ndjson(ev),
        lambda ev: orjson.dumps(ev),
        lambda ev: json.dumps(ev, indent=2).encode(),
        lambda ev: orjson.dumps(
            {"data": ev, "pagination": {"limit": 3, "offset": 0, "total": 3, "has_more": False}}
        ),
        lambda ev: json.dumps({"export_metadata": {}, "events": ev}, indent=1).encode(),
        lambda ev: b"\xef\xbb\xbf" + ndjson(ev),
    ],
    ids=["ndjson", "array", "pretty-array", "page", "export", "bom"],
)
def test_every_input_shape(shape: Any, events: list[dict[str, Any]], tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(shape(events))
    result = run(["validate", str(path), "--format", "ndjson"])
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["ok", "discriminator_mismatch", "drift"]
    assert [r["event_id"] for r in rows] == [e["event_id"] for e in events]


def test_stdin_and_json_format(events: list[dict[str, Any]]) -> None:
    result = run(["validate", "--format", "json"], stdin=ndjson(events))
    rows = json.loads(result.stdout)
    assert len(rows) == 3
    assert rows[1]["issues"][0] == {
        "kind": "discriminator",
        "path": "event_data.event_type",
        "message": "discriminator is missing; the envelope says 'gateway.signal.received'",
    }


def test_exit_codes(tmp_path: Path) -> None:
    ok = tmp_path / "ok.ndjson"
    ok.write_bytes(ndjson([good(), good()]))
    assert run(["validate", str(ok)]).exit_code == 0
    drift = tmp_path / "drift.ndjson"
    drift.write_bytes(ndjson([good(), drifted()]))
    assert run(["validate", str(drift)]).exit_code == 0
    assert run(["validate", str(drift), "--strict"]).exit_code == 1


def test_unreadable_input_exits_2_with_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "no such file" in result.stderr
    noise = tmp_path / "noise.bin"
    noise.write_bytes(bytes(range(256)) * 40)
    result = CliRunner().invoke(main, ["validate", str(noise)])
    assert result.exit_code == 2 and "not JSON" in result.stderr
    assert "Traceback" not in result.output


def test_malformed_lines_are_entries_and_the_rest_is_processed() -> None:
    stdin = ndjson([good()]) + b"{not json\n[1, 2]\n\xff\xfe garbage\n" + ndjson([good()])
    result = run(["validate", "--format", "ndjson"], stdin=stdin)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["ok", "invalid", "invalid", "invalid", "ok"]
    for number, row in zip((2, 3, 4), rows[1:4], strict=True):
        assert row["event_id"] is None
        assert row["issues"][0]["kind"] == "malformed_json"
        assert row["issues"][0]["path"] == f"line {number}"
    assert result.exit_code == 1


def test_text_report_fits_80_columns_and_escapes_terminal_controls() -> None:
    raw = bad()
    raw["event_type"] = "evil\x1b]0;pwned\x07.type"
    result = run(["validate"], stdin=ndjson([good(), raw]))
    assert "\x1b" not in result.stdout
    assert "2 events" in result.stdout
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
