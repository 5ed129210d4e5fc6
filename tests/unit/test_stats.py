"""Mismatch summary, histogram and outcome counts."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest

from explorer.core.stats import histogram, mismatch_summary, nice_step, outcome_counts
from tests.tui.sample import synthetic

COUNT = 800


@pytest.fixture(scope="module")
def conn() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    synthetic(conn, COUNT)
    conn.execute(
        "UPDATE events SET decode_issues = json_array("
        "json_object('kind', 'type', 'path', 'a', 'message', 'm'),"
        "json_object('kind', 'type', 'path', 'b', 'message', 'm'),"
        "json_object('kind', 'missing', 'path', 'c', 'message', 'm'))"
        " WHERE event_id = 'ev-00000004'"
    )
    return conn


def test_mismatch_summary_counts_non_ok_events_per_kind(conn: duckdb.DuckDBPyConnection) -> None:
    rows = mismatch_summary(conn.cursor())
    assert {r.status for r in rows} == {"drift", "invalid", "discriminator_mismatch"}
    total_type = sum(r.events for r in rows if r.issue_kind == "type")
    non_ok = conn.execute("SELECT count(*) FROM events WHERE decode_status <> 'ok'").fetchone()
    assert non_ok is not None
    # Every non-ok event has a 'type' issue once, however many it has; one has 'missing' too.
    assert total_type == non_ok[0]
    assert next(r for r in rows if r.issue_kind == "missing").events == 1
    assert [r.events for r in rows] == sorted((r.events for r in rows), reverse=True)


def test_mismatch_summary_follows_the_filter(conn: duckdb.DuckDBPyConnection) -> None:
    rows = mismatch_summary(conn.cursor(), "service = ?", ["gateway"])
    assert rows and {r.service for r in rows} == {"gateway"}


def test_outcome_counts_add_up(conn: duckdb.DuckDBPyConnection) -> None:
    counts = outcome_counts(conn.cursor())
    assert sum(c.events for c in counts) == COUNT
    assert {c.outcome for c in counts} == {"success", "failure"}


def test_histogram_covers_every_event(conn: duckdb.DuckDBPyConnection) -> None:
    hist = histogram(conn.cursor(), buckets=20)
    assert hist.total == COUNT
    assert len(hist.counts) <= 21
    assert hist.start is not None and hist.end is not None and hist.end > hist.start
    empty = histogram(conn.cursor(), "service = ?", ["nobody"])
    assert empty.counts == [] and empty.start is None


def test_nice_step_picks_readable_widths() -> None:
    assert nice_step(0, 10) == 1
    assert nice_step(3600, 48) == 300
    assert nice_step(86400 * 365, 10) % (7 * 86400) == 0
    assert timedelta(seconds=nice_step(600, 60)) == timedelta(seconds=10)
