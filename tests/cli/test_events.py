"""``audit-explorer events`` and ``audit-explorer timeline`` on a demo cache."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.core.filters import events_sql, parse_filter
from explorer.core.timeline import build_timeline
from explorer.demo.generator import demo_events
from explorer.ingest.importer import upsert
from explorer.models.decode import decode
from explorer.store.cache import Cache
from tests.factories import event
from tests.hostile import ANSI, MARKUP

END = datetime(2026, 11, 20, 12, tzinfo=UTC)
COUNT = 2_000
EVIL_CORR = f"evil-{ANSI}"


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-events") / "demo.duckdb"
    evil = event(correlation_id=EVIL_CORR, event_timestamp="2026-11-20T11:59:59Z")
    evil["event_data"]["signal_name"] = MARKUP
    with Cache.open(path, notify=lambda _: None) as db:
        upsert(db, [decode(e) for e in demo_events(COUNT, 7, end=END)], source="demo")
        upsert(db, [decode(evil)], source="hostile")
    return path


def count(cache: Path, expr: str) -> int:
    with Cache.open(cache, read_only=True) as db:
        sql, params = events_sql(parse_filter(expr), columns="count(*)")
        return int(db.connection.execute(sql.split(" ORDER BY")[0], params).fetchall()[0][0])


def test_ndjson_is_every_event_newest_first_with_nested_payloads(cache: Path) -> None:
    result = run("events", "--cache", str(cache), "--format", "ndjson")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == COUNT + 1
    stamps = [row["event_timestamp"] for row in rows]
    assert stamps == sorted(stamps, reverse=True)
    assert isinstance(rows[0]["event_data"], dict) and isinstance(rows[0]["decode_issues"], list)
    assert {"event_id", "service", "decode_status", "correlation_id", "event_hash"} <= set(rows[0])


def test_filter_to_csv_file(cache: Path, tmp_path: Path) -> None:
    expr = "service:gateway,orchestrator -status:ok since:2026-11-17"
    out = tmp_path / "out.csv"
    result = run("events", expr, "--cache", str(cache), "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    expected = count(cache, expr)
    assert expected > 0
    assert result.stderr.splitlines() == [
        f"wrote {expected:,} rows to {out}",
        f"and its manifest to {out}.manifest.json",
    ]
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == expected
    assert {r["service"] for r in rows} <= {"gateway", "orchestrator"}
    assert all(r["decode_status"] != "ok" for r in rows)
    assert all(json.loads(r["event_data"]) is not None for r in rows)


def test_time_window_keeps_since_and_drops_until(cache: Path) -> None:
    """``since <= t < until``: the hostile event is exactly at 11:59:59."""

    def correlation_ids(expr: str) -> list[str]:
        result = run("events", expr, "--cache", str(cache), "--format", "ndjson")
        assert result.exit_code == 0, result.stderr
        return [json.loads(line)["correlation_id"] for line in result.stdout.splitlines()]

    assert EVIL_CORR in correlation_ids("since:2026-11-20T11:59:59Z until:2026-11-20T12:00Z")
    assert EVIL_CORR not in correlation_ids("since:2026-11-20T11:59Z until:2026-11-20T11:59:59Z")
    assert correlation_ids("since:2026-11-20T11:59:59Z until:2026-11-20T11:59:59Z") == []


def test_limit_and_json(cache: Path) -> None:
    result = run(
        "events", "outcome:failure", "--cache", str(cache), "--limit", "5", "--format", "json"
    )
    rows = json.loads(result.stdout)
    assert len(rows) == 5 and all(r["event_outcome"] == "failure" for r in rows)


def test_parquet_by_extension(cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "failures.parquet"
    assert run("events", "outcome:failure", "--cache", str(cache), "-o", str(out)).exit_code == 0
    table = pq.read_table(out)
    assert table.num_rows == count(cache, "outcome:failure")
    assert str(table.schema.field("event_data").type) == "extension<arrow.json>"


def test_table_is_readable_and_safe(cache: Path) -> None:
    result = run("events", "--cache", str(cache), "--format", "table")
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "event_id",
        "correlation_id",
        "time",
        "service",
        "type",
        "outcome",
        "status",
    ]
    assert len(lines) == 2 + 100
    assert "first 100 events" in result.stderr
    assert "\x1b" not in result.stdout and "evil-\\x1b[2J" in lines[2]
    few = run(
        "events", "status:mismatch", "--cache", str(cache), "--format", "table", "--limit", "3"
    )
    assert all(line.endswith(" discriminator_mismatch") for line in few.stdout.splitlines()[2:])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sevrity:critical"], "unknown key 'sevrity' (did you mean severity?)"),
        (["since:24x"], "bad time '24x': use 30m, 24h, 7d or an ISO date"),
        (["--format", "parquet"], "parquet output needs -o FILE"),
        (["-o", "OUT/x.txt"], "cannot tell the format of OUT/x.txt: pass --format"),
        (["--format", "table", "-o", "OUT/x.csv"], "table is for the terminal"),
        (["-o", "OUT/missing/x.csv"], "cannot write OUT/missing/x.csv: No such file or directory"),
    ],
)
def test_errors_are_one_line_and_leave_no_file(
    cache: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [a.replace("OUT", str(tmp_path)) for a in args]
    result = run("events", *args, "--cache", str(cache))
    assert result.exit_code == 1
    assert result.stderr.startswith("audit-explorer: " + message.replace("OUT", str(tmp_path)))
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_missing_cache(tmp_path: Path) -> None:
    result = run("events", "--cache", str(tmp_path / "none.duckdb"))
    assert result.exit_code == 1 and result.stderr.startswith("audit-explorer: no cache at")


def _longest_incident(cache: Path) -> str:
    with Cache.open(cache, read_only=True) as db:
        sql = (
            "SELECT correlation_id FROM events GROUP BY 1 "
            "ORDER BY count(*) DESC, correlation_id LIMIT 1"
        )
        return str(db.connection.execute(sql).fetchall()[0][0])


def test_timeline_text_and_json(cache: Path) -> None:
    corr = _longest_incident(cache)
    text = run("timeline", corr, "--cache", str(cache))
    assert text.exit_code == 0, text.stderr
    head, *rest = text.stdout.splitlines()
    if rest[0].startswith("first failure: "):
        rest = rest[1:]
    blank, header, *steps = rest
    assert head.startswith(f"{corr}: {len(steps)} events over ") and blank == ""
    assert header.split()[:4] == ["time", "since", "start", "since"]
    data = json.loads(run("timeline", corr, "--cache", str(cache), "--format", "json").stdout)
    assert data["correlation_id"] == corr and data["events"] == len(steps) == len(data["steps"])
    assert data["steps"][0]["chain_ok"] is None and data["steps"][0]["since_start_s"] == 0
    assert data["duration_s"] == data["steps"][-1]["since_start_s"]


def test_timeline_of_hostile_and_unknown_ids(cache: Path) -> None:
    evil = run("timeline", EVIL_CORR, "--cache", str(cache))
    assert evil.exit_code == 0 and "\x1b" not in evil.stdout and "evil-\\x1b" in evil.stdout
    missing = run("timeline", "no-such-incident", "--cache", str(cache))
    assert missing.exit_code == 1
    assert missing.stderr == (
        "audit-explorer: no events with correlation ID 'no-such-incident' in the cache\n"
    )


def test_expression_starting_with_a_minus(cache: Path) -> None:
    result = run("events", "--cache", str(cache), "--format", "ndjson", "--", "-status:ok")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == count(cache, "-status:ok") > 0
    assert all(r["decode_status"] != "ok" for r in rows)


def test_the_cli_timeline_names_the_first_failure_and_each_steps_error(cache: Path) -> None:
    with Cache.open(cache, read_only=True) as db:
        failed = [
            r[0]
            for r in db.connection.execute(
                "SELECT DISTINCT correlation_id FROM events WHERE event_type = "
                "'orchestrator.lifecycle.failed' ORDER BY 1"
            ).fetchall()
        ]
        assert failed
        timeline = build_timeline(db.connection, failed[0])
    found = timeline.first_failure
    assert found is not None
    index, step = found
    assert step.error is not None
    text = run("timeline", failed[0], "--cache", str(cache))
    assert text.exit_code == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[1] == f"first failure: step {index + 1}, {step.event_type}: {step.error}"[:240]
    assert lines[3].split()[-1] == "error"
    assert str(step.error)[:40] in lines[4 + index]
    data = json.loads(run("timeline", failed[0], "--cache", str(cache), "--format", "json").stdout)
    assert data["steps"][index]["error"] == str(step.error)
