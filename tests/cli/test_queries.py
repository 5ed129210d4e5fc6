"""``audit-explorer queries`` and ``audit-explorer query``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.core import queries as queries_module
from explorer.demo.generator import demo_events
from explorer.ingest.importer import upsert
from explorer.models.decode import decode
from explorer.store.cache import Cache

END = datetime(2026, 11, 20, 12, tzinfo=UTC)
BUILTINS = (
    "approval-decisions",
    "broken-chain",
    "events-per-hour",
    "failed-remediations",
    "incident-durations",
    "latest-state",
    "payload-mismatches",
    "slowest-workflows",
)


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(autouse=True)
def no_user_queries(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(queries_module, "queries_dir", lambda: tmp_path / "no-user-queries")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-queries") / "demo.duckdb"
    with Cache.open(path, notify=lambda _: None) as db:
        upsert(db, [decode(e) for e in demo_events(2_000, 7, end=END)], source="demo")
    return path


def test_queries_lists_name_then_description() -> None:
    result = run("queries")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(BUILTINS)
    assert "Remediations that failed in a time window" in lines[3]
    assert lines[3].endswith("[since=7d, until=now]")


@pytest.mark.parametrize("name", BUILTINS)
def test_every_builtin_runs_from_the_cli(cache: Path, name: str) -> None:
    result = run("query", name, "--cache", str(cache), "-p", "since=2000-01-01T00:00Z")
    if name == "broken-chain":  # the only built-in without a time window
        result = run("query", name, "--cache", str(cache))
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows or name == "broken-chain", name  # 2,000 demo events hold no chain break


def test_formats_and_files(cache: Path, tmp_path: Path) -> None:
    args = ["query", "latest-state", "--cache", str(cache), "--param", "since=2000-01-01"]
    table = run(*args, "--format", "table")
    assert table.stdout.splitlines()[0].split()[:2] == ["correlation_id", "last_seen"]
    as_json = json.loads(run(*args, "--format", "json").stdout)
    out = tmp_path / "latest.parquet"
    written = run(*args, "-o", str(out))
    assert written.stderr == (
        f"wrote {len(as_json):,} rows to {out}\nand its manifest to {out}.manifest.json\n"
    )
    assert pq.read_table(out).column("correlation_id").to_pylist() == [
        r["correlation_id"] for r in as_json
    ]


def test_query_file_and_queries_dir(cache: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    sql = "-- name: by-service\n-- description: Mine\n-- param: service\n"
    sql += "SELECT count(*) AS n, $service AS service FROM events WHERE service = $service\n"
    (mine / "by-service.sql").write_text(sql)
    listed = run("queries", "--queries-dir", str(mine))
    assert any(line.startswith("by-service ") for line in listed.stdout.splitlines())
    named = run(
        "query", "by-service", "--queries-dir", str(mine), "--cache", str(cache),
        "-p", "service=gateway", "--format", "json",
    )  # fmt: skip
    assert json.loads(named.stdout)[0]["n"] > 0
    hostile = "gateway' OR '1'='1"
    by_file = run(
        "query", str(mine / "by-service.sql"), "--cache", str(cache), "-p", f"service={hostile}",
        "--format", "json",
    )  # fmt: skip
    assert json.loads(by_file.stdout) == [{"n": 0, "service": hostile}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "unknown query 'nope' (known: approval-decisions, broken-chain,"),
        (["latest-state", "-p", "bogus=1"], "query latest-state has no parameter 'bogus'"),
        (["latest-state", "-p", "since"], "bad --param 'since': use NAME=VALUE"),
        (["latest-state", "-p", "since=yesterday"], "query latest-state: parameter since: bad"),
        (
            ["incident-durations", "-p", "limit=many"],
            "query incident-durations: parameter limit: not a valid int",
        ),
        (["DIR/needs.sql"], "query needs needs --param who=VALUE"),
        (["DIR/broken.sql"], "query broken failed: Parser Error: syntax error"),
        (["DIR/absent.sql"], "cannot read query DIR/absent.sql"),
        (["latest-state", "--format", "parquet"], "parquet output needs -o FILE"),
        (["latest-state", "-o", "DIR/no/such/dir.json"], "cannot write DIR/no/such/dir.json"),
    ],
)
def test_errors_are_one_line(cache: Path, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "needs.sql").write_text("-- name: needs\n-- param: who\nSELECT $who")
    (tmp_path / "broken.sql").write_text("-- name: broken\nSELEKT 1")
    before = sorted(tmp_path.iterdir())
    args = [a.replace("DIR", str(tmp_path)) for a in args]
    result = run("query", *args, "--cache", str(cache))
    assert result.exit_code == 1
    assert result.stderr.startswith("audit-explorer: " + message.replace("DIR", str(tmp_path)))
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert sorted(tmp_path.iterdir()) == before


def test_a_broken_user_query_is_skipped_with_a_warning(cache: Path, tmp_path: Path) -> None:
    (tmp_path / "bad-header.sql").write_text("-- param: 9lives\nSELECT 1")
    (tmp_path / "ok.sql").write_text("-- name: ok\nSELECT 1 AS one")
    listed = run("queries", "--queries-dir", str(tmp_path))
    assert listed.exit_code == 0 and "ok" in listed.stdout.split()
    assert (
        listed.stderr.startswith("audit-explorer: skipped ")
        and "bad parameter line" in listed.stderr
    )
    ran = run(
        "query", "ok", "--queries-dir", str(tmp_path), "--cache", str(cache), "--format", "json"
    )
    assert json.loads(ran.stdout) == [{"one": 1}]
