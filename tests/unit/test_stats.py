"""Mismatch summary, histogram and outcome counts."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest

from explorer.core.stats import (
    MismatchRow,
    OutcomeCount,
    by_service,
    histogram,
    mismatch_summary,
    mismatch_tree,
    mismatch_type_counts,
    nice_step,
    outcome_counts,
)
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


def test_mismatch_groups_carry_an_example_path(conn: duckdb.DuckDBPyConnection) -> None:
    rows = mismatch_summary(conn.cursor(), "event_id = ?", ["ev-00000004"])
    assert {(r.issue_kind, r.path) for r in rows} == {("type", "a"), ("missing", "c")}


def test_mismatch_tree_totals_each_level_largest_first(conn: duckdb.DuckDBPyConnection) -> None:
    cur = conn.cursor()
    tree = mismatch_tree(mismatch_summary(cur), mismatch_type_counts(cur))
    non_ok = conn.execute("SELECT count(*) FROM events WHERE decode_status <> 'ok'").fetchone()
    assert non_ok is not None and sum(s.events for s in tree) == non_ok[0]
    assert [s.events for s in tree] == sorted((s.events for s in tree), reverse=True)
    for service in tree:
        assert service.events == sum(t.events for t in service.types)
        assert [t.events for t in service.types] == sorted(
            (t.events for t in service.types), reverse=True
        )
        for kind in service.types:
            assert {g.service for g in kind.groups} == {service.service}
            assert {g.event_type for g in kind.groups} == {kind.event_type}
            assert [g.events for g in kind.groups] == sorted(
                (g.events for g in kind.groups), reverse=True
            )
    # the event with two kinds of issue is counted once in its type's total
    gateway = next(s for s in tree if s.service == "gateway")
    kind = gateway.types[0]
    assert sum(g.events for g in kind.groups) == kind.events + 1


def test_stats_rows_are_the_busiest_service_first() -> None:
    counts = [
        OutcomeCount("a", "success", 1),
        OutcomeCount("b", "failure", 2),
        OutcomeCount("b", "success", 5),
        OutcomeCount("c", "success", 3),
    ]
    assert by_service(counts) == [
        ("b", {"failure": 2, "success": 5}, 7),
        ("c", {"success": 3}, 3),
        ("a", {"success": 1}, 1),
    ]


def test_mismatch_tree_orders_by_size_not_name() -> None:
    rows = [
        MismatchRow("a", "a.x", "invalid", "missing", 1, path="event_data.p"),
        MismatchRow("b", "b.small", "invalid", "type", 2, path="event_data.q"),
        MismatchRow("b", "b.big", "drift", "unexpected_field", 3),
        MismatchRow("b", "b.big", "drift", "enum", 5),
    ]
    counts = [("a", "a.x", 1), ("b", "b.small", 2), ("b", "b.big", 6)]
    tree = mismatch_tree(rows, counts)
    assert [(s.service, s.events) for s in tree] == [("b", 8), ("a", 1)]
    assert [(t.event_type, t.events) for t in tree[0].types] == [("b.big", 6), ("b.small", 2)]
    assert [g.issue_kind for g in tree[0].types[0].groups] == ["enum", "unexpected_field"]
