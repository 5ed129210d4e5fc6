"""The incident timeline: order, gaps, failures, decode problems, hash chain."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import duckdb
import pytest

from explorer.core.timeline import build_timeline
from explorer.ingest.importer import upsert
from explorer.models.decode import decode
from explorer.store.cache import Cache
from tests.factories import event

CORR = "rr-payment-01"
TIE = "rr-same-instant"


def _step(n: int, stamp: str, event_type: str, **kw: Any) -> dict[str, Any]:
    kw.setdefault("correlation_id", CORR)
    return event(event_type, event_id=str(uuid.UUID(int=n)), event_timestamp=stamp, **kw)


def _events() -> list[dict[str, Any]]:
    broken = _step(4, "2026-11-20T10:00:09Z", "orchestrator.lifecycle.failed")
    broken["event_data"] = {"event_type": "orchestrator.lifecycle.failed"}  # invalid payload
    return [
        # Stored out of order on purpose; the timeline sorts them.
        _step(3, "2026-11-20T10:00:04Z", "aianalysis.analysis.failed", event_outcome="failure",
              event_hash="h3", previous_event_hash="h2"),
        _step(1, "2026-11-20T10:00:00Z", "gateway.signal.received", event_hash="h1"),
        _step(2, "2026-11-20T10:00:01.500Z", "gateway.crd.created", event_hash="h2",
              previous_event_hash="h1"),
        {**broken, "event_hash": "h4", "previous_event_hash": "tampered"},
        _step(5, "2026-11-20T10:02:09Z", "gateway.signal.received"),  # no hashes at all
        _step(6, "2026-11-20T10:00:02Z", "gateway.signal.received", correlation_id="other"),
        # three events in one instant, stored out of order: event_id (a < b < c) decides
        _step(12, "2026-11-20T11:00:00Z", "gateway.crd.created", correlation_id=TIE,
              event_hash="hc", previous_event_hash="hb"),
        _step(10, "2026-11-20T11:00:00Z", "gateway.signal.received", correlation_id=TIE,
              event_hash="ha"),
        _step(11, "2026-11-20T11:00:00Z", "gateway.signal.received", correlation_id=TIE,
              event_hash="hb", previous_event_hash="ha"),
    ]  # fmt: skip


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path_factory.mktemp("timeline") / "cache.duckdb"
    with Cache.open(path, notify=lambda _: None) as cache:
        upsert(cache, [decode(e) for e in _events()], source="test")
        yield cache.connection


def test_steps_in_time_order_with_gaps(conn: duckdb.DuckDBPyConnection) -> None:
    timeline = build_timeline(conn, CORR)
    assert [s.event_id[-1] for s in timeline.steps] == ["1", "2", "3", "4", "5"]
    first, second, third = timeline.steps[:3]
    assert first.since_prev is None and first.since_start == timedelta(0)
    assert second.since_prev == timedelta(seconds=1.5)
    assert third.since_prev == timedelta(seconds=2.5) and third.since_start == timedelta(seconds=4)
    assert timeline.duration == timedelta(minutes=2, seconds=9)
    assert (
        timeline.started is not None and timeline.started.isoformat() == "2026-11-20T10:00:00+00:00"
    )
    assert timeline.services == ("gateway", "aianalysis", "orchestrator")


def test_failures_and_decode_problems(conn: duckdb.DuckDBPyConnection) -> None:
    timeline = build_timeline(conn, CORR)
    assert [s.failed for s in timeline.steps] == [False, False, True, False, False]
    assert timeline.failures == 1
    problems = [s.event_id[-1] for s in timeline.steps if s.decode_problem]
    assert problems == ["4"] and timeline.decode_problems == 1
    assert timeline.steps[3].decode_status == "invalid" and timeline.steps[3].issue_count >= 1


def test_hash_chain(conn: duckdb.DuckDBPyConnection) -> None:
    timeline = build_timeline(conn, CORR)
    # 1 first (None); 2, 3 link up; 4 claims "tampered"; 5 claims nothing after h4.
    assert [s.chain_ok for s in timeline.steps] == [None, True, True, False, False]
    assert timeline.chain_breaks == 2


def test_events_in_one_instant_are_in_event_id_order(conn: duckdb.DuckDBPyConnection) -> None:
    timeline = build_timeline(conn, TIE)
    assert [s.event_id[-1] for s in timeline.steps] == ["a", "b", "c"]
    assert [s.since_prev for s in timeline.steps] == [None, timedelta(0), timedelta(0)]
    # the chain links in that order, so the order is what makes it whole
    assert [s.chain_ok for s in timeline.steps] == [None, True, True]
    assert timeline.chain_breaks == 0


def test_unknown_correlation_id_is_empty(conn: duckdb.DuckDBPyConnection) -> None:
    timeline = build_timeline(conn, "no-such-incident'; DROP TABLE events; --")
    assert timeline.steps == () and timeline.duration == timedelta(0)
    assert timeline.failures == timeline.chain_breaks == 0 and timeline.started is None
    assert len(build_timeline(conn, "other").steps) == 1


def test_no_hashes_at_all_is_unknown_not_broken() -> None:
    conn = duckdb.connect()
    conn.execute(
        "CREATE TABLE events (event_id VARCHAR, event_timestamp TIMESTAMPTZ, service VARCHAR, "
        "event_type VARCHAR, event_outcome VARCHAR, decode_status VARCHAR, decode_issues JSON, "
        "event_hash VARCHAR, previous_event_hash VARCHAR, duration_ms INTEGER, "
        "error_message VARCHAR, correlation_id VARCHAR, error_code VARCHAR, event_data JSON)"
    )
    for n in range(3):
        conn.execute(
            "INSERT INTO events VALUES (?, TIMESTAMPTZ '2026-11-20 10:00:00+00' + to_seconds(?), "
            "'gateway', 'gateway.signal.received', 'success', 'ok', "
            "NULL, NULL, NULL, NULL, NULL, 'c', NULL, NULL)",
            [f"e{n}", n],
        )
    timeline = build_timeline(conn, "c")
    assert [s.chain_ok for s in timeline.steps] == [None, None, None]
    assert timeline.chain_breaks == 0 and timeline.steps[0].issue_count == 0


def test_first_failure_jumps_and_long_gaps(conn: duckdb.DuckDBPyConnection) -> None:
    timeline = build_timeline(conn, CORR)
    found = timeline.first_failure
    assert found is not None and found[0] == 2
    assert found[1].event_type == "aianalysis.analysis.failed"
    # n: the failure (2), then the decode problem (3), then around again
    assert timeline.next_notable(0) == 2
    assert timeline.next_notable(2) == 3
    assert timeline.next_notable(3) == 2
    assert timeline.next_notable(2, -1) == 3  # N from the first wraps to the last
    assert [s.long_gap for s in timeline.steps] == [False, False, False, False, True]
    assert build_timeline(conn, TIE).next_notable(0) is None
