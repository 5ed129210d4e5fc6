"""Windowed, keyset-paged browsing of the events table."""

from __future__ import annotations

import duckdb
import pytest

from explorer.core.browse import EventBrowser, as_received, fetch_event, summarize
from explorer.core.filters import parse_filter
from tests.tui.sample import synthetic

COUNT = 2_000


@pytest.fixture(scope="module")
def conn() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    synthetic(conn, COUNT)
    return conn


def _truth(
    conn: duckdb.DuckDBPyConnection, where: str = "TRUE", params: list[object] | None = None
) -> list[str]:
    sql = f"SELECT event_id FROM events WHERE {where} ORDER BY event_timestamp DESC, event_id DESC"
    return [r[0] for r in conn.execute(sql, params or []).fetchall()]


def _ids(
    browser: EventBrowser, conn: duckdb.DuckDBPyConnection, start: int, size: int
) -> list[str]:
    return [row.event_id for row in browser.window(conn.cursor(), start, size).rows]


def test_first_window_is_newest_first(conn: duckdb.DuckDBPyConnection) -> None:
    browser = EventBrowser()
    window = browser.window(conn.cursor(), 0, 200)
    assert window.start == 0 and window.end == 200
    assert [r.event_id for r in window.rows] == _truth(conn)[:200]
    assert browser.count(conn.cursor()) == COUNT


def test_every_route_gives_the_same_rows(conn: duckdb.DuckDBPyConnection) -> None:
    truth = _truth(conn)
    browser = EventBrowser()
    # Forward paging from known keys, jumps to the end, back up, the middle, ties on the key.
    for start in (0, 200, 400, 1_800, 1_600, 1_000, 999, 1, 1_997, 5):
        assert _ids(browser, conn, start, 200) == truth[start : start + 200], start


def test_last_window_reads_reversed_order(conn: duckdb.DuckDBPyConnection) -> None:
    browser = EventBrowser()
    window = browser.last(conn.cursor(), 50)
    assert window.start == COUNT - 50
    assert [r.event_id for r in window.rows] == _truth(conn)[-50:]


def test_window_is_clipped_to_the_total(conn: duckdb.DuckDBPyConnection) -> None:
    browser = EventBrowser()
    assert browser.window(conn.cursor(), COUNT - 10, 200).end == COUNT
    assert browser.window(conn.cursor(), COUNT + 5, 200).rows == []


def test_filter_params_are_values(conn: duckdb.DuckDBPyConnection) -> None:
    where, params = "service = ? AND event_outcome = ?", ["gateway", "failure"]
    browser = EventBrowser(where, params)
    truth = _truth(conn, where, params)
    assert browser.count(conn.cursor()) == len(truth) > 0
    assert _ids(browser, conn, 0, 30) == truth[:30]
    assert _ids(browser, conn, len(truth) - 7, 30) == truth[-7:]
    assert _ids(browser, conn, 30, 30) == truth[30:60]
    nothing = EventBrowser("service = ?", ["x' OR '1'='1"])
    assert nothing.count(conn.cursor()) == 0


def test_a_time_filter_keeps_since_and_drops_until(conn: duckdb.DuckDBPyConnection) -> None:
    # synthetic rows i are at 10:00:00 - i // 3 seconds: three rows at every second
    flt = parse_filter("since:2026-11-20T09:59:50Z until:2026-11-20T09:59:55Z")
    browser = EventBrowser(flt.where, flt.params)
    got = [row.event_id for row in browser.window(conn.cursor(), 0, 100).rows]
    # rows 15-17 are exactly at until (left out), rows 30-32 exactly at since (kept)
    newest_first = sorted(range(18, 33), key=lambda i: (i // 3, -i))
    assert got == [f"ev-{i:08d}" for i in newest_first]
    assert browser.count(conn.cursor()) == 15


def test_fetch_event_rebuilds_and_decodes(conn: duckdb.DuckDBPyConnection) -> None:
    record = fetch_event(conn.cursor(), "ev-00000004")
    assert record is not None
    assert record.raw["event_id"] == "ev-00000004"
    assert record.raw["event_data"] == {"event_type": "x", "n": 4}
    assert record.row["decode_issues"][0]["kind"] == "type"
    assert record.decoded.event_id == "ev-00000004"
    assert fetch_event(conn.cursor(), "nope") is None


def test_as_received_keeps_extras_and_drops_bookkeeping() -> None:
    row = {"event_id": "a", "source": "s", "extra": {"x": 1}, "event_data": {}, "actor_id": None}
    assert as_received(row) == {"event_id": "a", "x": 1, "event_data": {}}


def test_summary_is_one_line_of_scalars() -> None:
    data = {"event_type": "t", "name": "api", "n": 3, "ok": True, "nested": {"a": 1}, "l": [1, 2]}
    assert summarize(data) == "name=api n=3 ok=true nested={1} l=[2]"
    assert summarize("plain") == "plain"
    assert len(summarize({"k": "x" * 500, "j": 1}, width=40)) <= 40
    # what the columns show already is not repeated
    data = {"event_id": "e-1", "correlation_id": "rr-1", "event_type": "t", "rr_name": "rr-x"}
    assert summarize(data) == "rr_name=rr-x"


# --- the first window before the count ------------------------------------------------------

FIRST_WINDOW_FILTERS = (
    "",
    "service:orchestrator",
    "-status:ok",
    "outcome:failure",
    "corr:no-such-correlation",
    "timeout",
    "gateway",
)


class _Recording:
    """A cursor that remembers the SQL it ran."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self.cursor = cursor
        self.sql: list[str] = []

    def execute(self, sql: str, params: object = None) -> _Recording:
        self.sql.append(sql)
        self.cursor.execute(sql, params)
        return self

    def __getattr__(self, name: str) -> object:
        return getattr(self.cursor, name)


@pytest.mark.parametrize("expr", FIRST_WINDOW_FILTERS)
@pytest.mark.parametrize("size", [1, 7, 200])
def test_first_window_searched_in_slices_is_the_newest_window(
    conn: duckdb.DuckDBPyConnection, expr: str, size: int
) -> None:
    flt = parse_filter(expr)
    truth = _truth(conn, flt.where, flt.params)
    browser = EventBrowser(flt.where, flt.params)
    window = browser.first_window(conn.cursor(), size, slice_from=0)
    assert [r.event_id for r in window.rows] == truth[:size]
    # Fewer matches than a window is the whole result: no count needed after it.
    assert browser.known_total == (len(truth) if len(truth) < size else None)
    assert browser.count(conn.cursor()) == len(truth)
    # Later windows page on from the first one's keys.
    assert _ids(browser, conn, size, size) == truth[size : 2 * size]


def test_first_window_stops_at_the_first_slice_holding_a_window(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    recording = _Recording(conn.cursor())
    browser = EventBrowser()
    window = browser.first_window(recording, 5, slice_from=0)  # type: ignore[arg-type]
    assert [r.event_id for r in window.rows] == _truth(conn)[:5]
    bounded = [sql for sql in recording.sql if "event_timestamp >= ?" in sql]
    assert len(bounded) == 1  # the newest 1/256 of 2,000 events holds 5
    assert not any("count(*)" in sql and "WHERE" in sql for sql in recording.sql)


def test_first_window_of_a_small_cache_is_one_search(conn: duckdb.DuckDBPyConnection) -> None:
    recording = _Recording(conn.cursor())
    flt = parse_filter("timeout")
    EventBrowser(flt.where, flt.params).first_window(recording, 200)  # type: ignore[arg-type]
    assert not any("event_timestamp >= ?" in sql for sql in recording.sql)
