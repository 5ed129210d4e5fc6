"""Named queries: loading, headers, parameter binding, errors, and every built-in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

import explorer
from explorer.core import queries as queries_module
from explorer.core.queries import (
    bind_params,
    builtin_dir,
    load_queries,
    load_query_file,
    parse_query,
    query_rows,
    run_query,
)
from explorer.errors import QueryError
from explorer.ingest.importer import upsert
from explorer.models.decode import decode
from explorer.store.cache import Cache
from tests.factories import event

BUILTINS = {
    "failed-remediations",
    "incident-durations",
    "payload-mismatches",
    "events-per-hour",
    "approval-decisions",
    "slowest-workflows",
    "broken-chain",
    "latest-state",
}
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ALL_TIME = {"since": "2000-01-01"}


def _ev(n: int, minute: int, event_type: str, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
    kw.setdefault("correlation_id", "rr-1")
    stamp = f"2026-11-20T10:{minute:02d}:00Z"
    item = event(event_type, event_id=str(uuid.UUID(int=n)), event_timestamp=stamp, **kw)
    item["event_data"].update(data)
    return item


def _events() -> list[dict[str, Any]]:
    started = "2026-11-20T10:02:00Z"
    return [
        _ev(1, 0, "gateway.signal.received", {}, event_hash="h1"),
        _ev(2, 1, "orchestrator.approval.approved", {"approved_by": "alice@example.com"},
            event_hash="h2", previous_event_hash="h1"),
        _ev(3, 7, "workflowexecution.workflow.completed",
            {"started_at": started, "completed_at": "2026-11-20T10:07:00Z"},
            event_hash="h3", previous_event_hash="WRONG"),
        _ev(4, 9, "orchestrator.lifecycle.failed",
            {"failure_phase": "WorkflowExecution", "rr_name": "rr-1"},
            event_outcome="failure", event_hash="h4", previous_event_hash="h3"),
        _ev(5, 30, "aianalysis.approval.decision",
            {"auto_approved": True, "decision": "approved", "approval_reason": "low risk"},
            correlation_id="rr-2"),
        {**_ev(6, 31, "gateway.signal.received", {}, correlation_id="rr-2"),
         "event_data": {"event_type": "orchestrator.lifecycle.failed"}},
    ]  # fmt: skip


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path_factory.mktemp("queries") / "cache.duckdb"
    with Cache.open(path, notify=lambda _: None) as cache:
        upsert(cache, [decode(e) for e in _events()], source="test")
        yield cache.connection


@pytest.fixture
def no_user_queries(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    user = tmp_path / "user-queries"
    monkeypatch.setattr(queries_module, "queries_dir", lambda: user)
    return user


def _run(conn: duckdb.DuckDBPyConnection, name: str, **params: str) -> list[dict[str, Any]]:
    query = load_queries()[name]
    given = {k: v for k, v in ALL_TIME.items() if k in query.params} | params
    rows: list[dict[str, Any]] = run_query(conn, query, given, now=NOW).to_pylist()
    return rows


def test_builtins_are_found_with_headers(no_user_queries: Path) -> None:
    found = load_queries()
    assert set(found) == BUILTINS
    for query in found.values():
        assert query.description and query.path is not None
        assert query.path.parent == builtin_dir()
    assert found["slowest-workflows"].types == {"since": "time", "limit": "int"}
    assert found["events-per-hour"].params == {"since": "24h", "until": "now"}


def test_installed_layout_is_preferred(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "explorer"
    (package / "queries").mkdir(parents=True)
    monkeypatch.setattr(explorer, "__file__", str(package / "__init__.py"))
    assert builtin_dir() == package / "queries"


def test_user_and_extra_dirs_join_and_override(no_user_queries: Path, tmp_path: Path) -> None:
    no_user_queries.mkdir()
    (no_user_queries / "mine.sql").write_text("-- name: mine\n-- description: Mine\nSELECT 1\n")
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "override.sql").write_text(
        "-- name: latest-state\n-- description: Overridden\nSELECT 2"
    )
    (extra / "plain.sql").write_text("SELECT 3 AS x")  # no header: named after the file
    found = load_queries([extra])
    assert {"mine", "plain"} <= set(found) and len(found) == len(BUILTINS) + 2
    assert found["latest-state"].description == "Overridden"


def test_header_parsing() -> None:
    query = parse_query(
        "-- name: q\n-- description: Does things\n--param: since time default 7d\n"
        "-- param: who\n-- param: n int default 5\n-- a plain comment\n\nSELECT $who, $n\n"
        "-- name: ignored (after the SQL starts)\n"
    )
    assert query.name == "q" and query.description == "Does things"
    assert query.params == {"since": "7d", "who": None, "n": "5"}
    assert query.types == {"since": "time", "who": "text", "n": "int"}
    with pytest.raises(QueryError, match="bad parameter line"):
        parse_query("-- param: 9bad\nSELECT 1")


def test_binding_converts_and_checks() -> None:
    query = parse_query(
        "-- param: since time default 24h\n-- param: n int\n-- param: who\nSELECT 1"
    )
    values = bind_params(query, {"n": "3", "who": "x"}, now=NOW)
    assert values == {"since": datetime(2026, 11, 19, 12, tzinfo=UTC), "n": 3, "who": "x"}
    cases = [
        ({"who": "x"}, "query query needs --param n=VALUE"),
        ({"n": "three", "who": "x"}, "query query: parameter n: not a valid int"),
        ({"n": "1", "who": "x", "since": "soon"}, "parameter since: bad time 'soon'"),
        ({"n": "1", "who": "x", "bogus": "1"}, "has no parameter 'bogus' (it has: since, n, who)"),
    ]
    for given, message in cases:
        with pytest.raises(QueryError) as caught:
            bind_params(query, given, now=NOW)
        assert message in str(caught.value) and "\n" not in str(caught.value)


def test_values_are_bound_never_interpolated(conn: duckdb.DuckDBPyConnection) -> None:
    query = parse_query("-- param: v\nSELECT $v AS v, (SELECT count(*) FROM events) AS n")
    for hostile in ("'; DROP TABLE events; --", "$v", "1) OR (1=1", "\\'"):
        assert run_query(conn, query, {"v": hostile}).to_pylist() == [{"v": hostile, "n": 6}]


def test_sql_errors_are_one_line(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text("-- name: bad\nSELECT no_such_column FROM events\n")
    with pytest.raises(QueryError) as caught:
        run_query(conn, load_query_file(bad), {})
    assert str(caught.value).startswith("query bad failed: Binder Error")
    assert "\n" not in str(caught.value)
    with pytest.raises(QueryError, match="cannot read query"):
        load_query_file(tmp_path / "missing.sql")
    undeclared = parse_query("SELECT $nope")
    with pytest.raises(QueryError, match="failed"):
        run_query(conn, undeclared, {})
    with pytest.raises(QueryError, match=r"^query bad failed"):
        query_rows(conn, load_query_file(bad), {})


def test_queries_cannot_change_a_read_only_cache(tmp_path: Path) -> None:
    Cache.open(tmp_path / "c.duckdb", notify=lambda _: None).close()
    ddl = parse_query("-- name: ddl\nDROP TABLE events")
    with Cache.open(tmp_path / "c.duckdb", read_only=True) as cache:
        with pytest.raises(QueryError, match=r"^query ddl failed: .*read-only"):
            run_query(cache.connection, ddl, {})
        assert cache.count() == 0


def test_query_rows_keep_json_columns(conn: duckdb.DuckDBPyConnection) -> None:
    query = parse_query("SELECT event_data, decode_issues, event_id FROM events LIMIT 1")
    rows = query_rows(conn, query, {})
    assert rows.json_columns == {"event_data", "decode_issues"}
    rows.reader.close()


def test_failed_remediations(conn: duckdb.DuckDBPyConnection) -> None:
    rows = _run(conn, "failed-remediations")
    assert [(r["correlation_id"], r["failure_phase"]) for r in rows] == [
        ("rr-1", "WorkflowExecution")
    ]
    assert _run(conn, "failed-remediations", since="2026-11-20T10:10Z") == []


def test_incident_durations(conn: duckdb.DuckDBPyConnection) -> None:
    rows = _run(conn, "incident-durations")
    assert [(r["correlation_id"], r["duration_s"], r["events"], r["failures"]) for r in rows] == [
        ("rr-1", 540.0, 4, 1),
        ("rr-2", 60.0, 2, 0),
    ]
    assert len(_run(conn, "incident-durations", limit="1")) == 1


def test_payload_mismatches(conn: duckdb.DuckDBPyConnection) -> None:
    rows = _run(conn, "payload-mismatches")
    kinds = {(r["service"], r["status"], r["issue_kind"]) for r in rows}
    assert ("gateway", "discriminator_mismatch", "discriminator") in kinds
    assert all(r["status"] != "ok" for r in rows)


def test_events_per_hour(conn: duckdb.DuckDBPyConnection) -> None:
    rows = _run(conn, "events-per-hour")
    assert {(r["hour"].hour, r["service"]): r["events"] for r in rows} == {
        (10, "gateway"): 2,
        (10, "orchestrator"): 2,
        (10, "workflowexecution"): 1,
        (10, "aianalysis"): 1,
    }
    # The default window is the last 24h before now: nothing from NOW + 2 days.
    query = load_queries()["events-per-hour"]
    assert run_query(conn, query, {}, now=datetime(2026, 11, 22, tzinfo=UTC)).num_rows == 0


def test_approval_decisions(conn: duckdb.DuckDBPyConnection) -> None:
    rows = _run(conn, "approval-decisions")
    assert [(r["decision"], r["decided_by"]) for r in rows] == [
        ("approved", "policy (auto-approved)"),
        ("Approved", "alice@example.com"),
    ]


def test_slowest_workflows(conn: duckdb.DuckDBPyConnection) -> None:
    rows = _run(conn, "slowest-workflows")
    assert [(r["correlation_id"], r["duration_s"]) for r in rows] == [("rr-1", 300.0)]


def test_broken_chain(conn: duckdb.DuckDBPyConnection) -> None:
    rows = _run(conn, "broken-chain")
    assert [(r["position"], r["previous_event_hash"], r["hash_before"]) for r in rows] == [
        (3, "WRONG", "h2")
    ]


def test_latest_state(conn: duckdb.DuckDBPyConnection) -> None:
    rows = _run(conn, "latest-state")
    assert [(r["correlation_id"], r["last_event_type"], r["events"]) for r in rows] == [
        ("rr-2", "gateway.signal.received", 2),
        ("rr-1", "orchestrator.lifecycle.failed", 4),
    ]


# -- every built-in on demo data, checked against the events themselves ----------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    from explorer.demo.generator import demo_events

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Cache.open(path, notify=lambda _: None) as cache:
        upsert(cache, [decode(e) for e in demo_events(3_000, 7, end=NOW)], source="demo")
        # One tampered link, whatever the demo injects by itself.
        cache.connection.execute(
            "UPDATE events SET previous_event_hash = 'tampered' WHERE event_id = "
            "(SELECT min(event_id) FROM events WHERE previous_event_hash IS NOT NULL)"
        )
        yield cache.connection


def _defaults(demo: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = run_query(demo, load_queries()[name], {}, now=NOW).to_pylist()
    return rows


def _scalar(demo: duckdb.DuckDBPyConnection, sql: str, *params: Any) -> Any:
    return demo.execute(sql, list(params)).fetchall()[0][0]


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_every_builtin_finds_rows_in_the_demo(demo: duckdb.DuckDBPyConnection, name: str) -> None:
    assert _defaults(demo, name), name


def test_demo_cross_checks(demo: duckdb.DuckDBPyConnection) -> None:
    week, day = datetime(2026, 11, 13, 12, tzinfo=UTC), datetime(2026, 11, 19, 12, tzinfo=UTC)
    failed = "SELECT count(*) FROM events WHERE event_type = ? AND event_timestamp >= ?"
    assert len(_defaults(demo, "failed-remediations")) == _scalar(
        demo, failed, "orchestrator.lifecycle.failed", week
    )
    per_hour = sum(r["events"] for r in _defaults(demo, "events-per-hour"))
    assert per_hour == _scalar(demo, "SELECT count(*) FROM events WHERE event_timestamp >= ?", day)
    incidents = "SELECT count(DISTINCT correlation_id) FROM events"
    assert len(_defaults(demo, "latest-state")) == _scalar(demo, incidents)
    mismatched = {r["status"] for r in _defaults(demo, "payload-mismatches")}
    assert "ok" not in mismatched and {"drift", "invalid"} & mismatched


def test_demo_chain_breaks_agree_with_the_timeline(demo: duckdb.DuckDBPyConnection) -> None:
    from explorer.core.timeline import build_timeline

    breaks = _defaults(demo, "broken-chain")
    assert "tampered" in {row["previous_event_hash"] for row in breaks}
    for row in breaks:
        timeline = build_timeline(demo, row["correlation_id"])
        step = next(s for s in timeline.steps if s.event_id == row["event_id"])
        assert step.chain_ok is False
    longest = _defaults(demo, "incident-durations")[0]
    timeline = build_timeline(demo, longest["correlation_id"])
    assert timeline.duration.total_seconds() == pytest.approx(longest["duration_s"], abs=0.001)
    assert len(timeline.steps) == longest["events"] and timeline.failures == longest["failures"]


def test_error_messages_escape_data(conn: duckdb.DuckDBPyConnection) -> None:
    query = parse_query("-- name: conv\n-- param: v\nSELECT CAST($v AS INTEGER)")
    with pytest.raises(QueryError) as caught:
        run_query(conn, query, {"v": "\x1b]0;owned\x07\x1b[31mred"})
    assert "\x1b" not in str(caught.value) and "\\x1b]0;owned" in str(caught.value)


def test_strict_and_lenient_loading(no_user_queries: Path, tmp_path: Path) -> None:
    (tmp_path / "bad.sql").write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(QueryError, match="cannot read query"):
        load_queries([tmp_path])
    problems: list[str] = []
    assert set(load_queries([tmp_path], problems=problems)) == BUILTINS
    assert len(problems) == 1 and "bad.sql" in problems[0]
