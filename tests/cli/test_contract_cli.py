"""--contract, fits and redecode from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from explorer.cli import main
from tests.factories import event
from tests.unit.test_contract_cache import older_cluster, session_lost


def run(*args: str, stdin: bytes | None = None) -> Any:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def ndjson(path: Path, *events: Any) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


def test_validate_says_which_contracts_a_non_ok_event_fits(tmp_path: Path) -> None:
    bad = event()
    bad["event_data"] = "text"
    path = ndjson(tmp_path / "e.ndjson", event(), session_lost(), bad)
    result = run("validate", "--format", "ndjson", str(path))
    assert result.exit_code == 1
    ok, lost, broken = (json.loads(line) for line in result.output.splitlines())
    assert "fits" not in ok  # computed only for events that are not ok
    assert lost["status"] == "unknown_type" and "v1.5.7" in lost["fits"]
    assert "main" not in lost["fits"]
    assert broken["status"] == "invalid" and broken["fits"] == []


def test_validate_against_an_older_contract(tmp_path: Path) -> None:
    path = ndjson(tmp_path / "e.ndjson", session_lost(), older_cluster())
    result = run("validate", "--contract", "v1.5.7", str(path))
    assert result.exit_code == 0, result.output
    assert "2 events, against contract v1.5.7" in result.output
    assert "ok" in result.output
    text = run("validate", str(path)).output
    assert "against contract main" in text
    assert "Not ok, by the shipped contracts they fit" in text


def test_validate_refuses_an_unknown_contract(tmp_path: Path) -> None:
    path = ndjson(tmp_path / "e.ndjson", event())
    result = CliRunner().invoke(main, ["validate", "--contract", "v9", str(path)])
    assert result.exit_code == 2
    assert "'v9' is not one of" in result.output and "v1.5.7" in result.output


def test_import_events_and_redecode_with_contracts(tmp_path: Path) -> None:
    cache = str(tmp_path / "c.duckdb")
    lost, plain = session_lost(), event()
    path = ndjson(tmp_path / "e.ndjson", lost, older_cluster(), plain)
    imported = run("import", str(path), "--cache", cache, "--contract", "v1.5.7")
    assert imported.exit_code == 0, imported.output
    assert "ok" in imported.output and "unknown_type" not in imported.output

    refused = CliRunner().invoke(main, ["events", "--cache", cache, "--contract", "main"])
    assert refused.exit_code == 1
    assert "decoded against contract v1.5.7, not main" in refused.output
    assert "redecode --contract main" in refused.output

    found = run("events", "cluster:prod-east", "--cache", cache, "--format", "json")
    assert len(json.loads(found.output)) == 1  # cluster_name is searchable as cluster

    again = run("redecode", "--contract", "main", "--cache", cache)
    assert again.exit_code == 0, again.output
    assert "3 events decoded against main (was v1.5.7)" in again.output
    assert "unknown_type" in again.output

    skew = run("events", "fits:v1.5.7", "--cache", cache, "--format", "json")
    rows = {r["event_id"]: r for r in json.loads(skew.output)}
    assert lost["event_id"] in rows and plain["event_id"] not in rows
    assert "v1.5.7" in rows[lost["event_id"]]["decode_fits"]["ok"]

    mixed = CliRunner().invoke(
        main, ["import", str(path), "--cache", cache, "--contract", "v1.5.7"]
    )
    assert mixed.exit_code == 1 and "redecode --contract v1.5.7" in mixed.output


def test_a_config_source_gives_its_contract_to_import(tmp_path: Path, monkeypatch: Any) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[sources.east]\nurl = "http://127.0.0.1:9"\ncontract = "v1.5.7"\n')
    monkeypatch.setenv("AUDIT_EXPLORER_CONFIG", str(config))
    cache = str(tmp_path / "c.duckdb")
    path = ndjson(tmp_path / "e.ndjson", session_lost())
    result = run("import", str(path), "--cache", cache, "--source", "east")
    assert result.exit_code == 0, result.output
    assert "unknown_type" not in result.output
    same = run("events", "--cache", cache, "--contract", "v1.5.7", "--format", "json")
    assert same.exit_code == 0 and len(json.loads(same.output)) == 1


def test_a_broken_config_is_one_line_and_exit_2(tmp_path: Path, monkeypatch: Any) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[sources.east]\nurl = "http://127.0.0.1:9"\ninsecure = "false"\n')
    monkeypatch.setenv("AUDIT_EXPLORER_CONFIG", str(config))
    result = CliRunner().invoke(main, ["sync", "--source", "east", "--cache", str(tmp_path / "c")])
    assert result.exit_code == 2
    assert "sources.east.insecure: expected a boolean (true or false), got 'false'" in result.output
