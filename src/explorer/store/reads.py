"""Reads of the ``events`` table: keyset-paged windows, one event, a timeline's rows,
distinct values, and the SELECT an export streams. Counts live in :mod:`.counts`.

``where`` arguments are SQL from the filter parser (fixed fragments, never values); the
values travel only in ``params``. JSON columns come back parsed. A DuckDB error becomes
a StoreError (see :mod:`.connection`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from explorer.store.connection import Cursor, store_errors
from explorer.store.received import Difference, as_received, differences
from explorer.store.schema import CONFLICT_SQL, EXPORT_COLUMNS, JSON_COLUMNS

# Columns of the events table's rows, in this order; the summary is built from event_data.
ROW_COLUMNS = (
    "event_id",
    "event_timestamp",
    "service",
    "event_type",
    "event_outcome",
    "correlation_id",
    "decode_status",
    "event_data",
    f"({CONFLICT_SQL}) AS conflict",  # a version arrived again with different content
)
NEWEST_FIRST = "ORDER BY event_timestamp DESC, event_id DESC"
_OLDEST_FIRST = "ORDER BY event_timestamp ASC, event_id ASC"
_AFTER = "(event_timestamp < ? OR (event_timestamp = ? AND event_id < ?))"
_BEFORE = "(event_timestamp > ? OR (event_timestamp = ? AND event_id > ?))"
BOUND_FROM = 250_000  # candidates from which a window's scan is bounded first (see below)

Key = tuple[datetime, str]


def execute(cur: Cursor, sql: str, params: Sequence[object]) -> Cursor:
    """``cur`` after running ``sql``; a DuckDB error is a StoreError."""
    with store_errors("cannot read the cache"):
        cur.execute(sql, list(params))
    return cur


class EventPages:
    """Keyset-paged windows of the events ``where`` selects, newest first.

    A window is found from the nearest row whose key is already known (keyset paging:
    ``(event_timestamp, event_id) < key``), from the top, or from the bottom in reversed
    order, whichever skips the fewest rows; so the first page, the next page and the
    last page are all cheap on a 1,000,000-event cache. One instance per filter: it
    remembers the keys of rows it has read as anchors.
    """

    def __init__(self, where: str = "TRUE", params: Sequence[object] = ()) -> None:
        self.where = where or "TRUE"
        self.params: list[object] = list(params)
        self._total: int | None = None
        self._keys: dict[int, Key] = {}

    def count(self, cur: Cursor) -> int:
        """How many events the filter selects (computed once)."""
        if self._total is None:
            sql = f"SELECT count(*) FROM events WHERE {self.where}"  # noqa: S608
            row = execute(cur, sql, self.params).fetchone()
            self._total = int(row[0]) if row else 0
        return self._total

    @property
    def known_total(self) -> int | None:
        """The count, if it is known already (counted, or learnt from a short first window)."""
        return self._total

    def first_window(
        self, cur: Cursor, size: int, *, slice_from: int = BOUND_FROM
    ) -> list[tuple[Any, ...]]:
        """The newest ``size`` rows (of ``ROW_COLUMNS``), found without counting first.

        On a large cache a filter that must read every payload (a bare word) takes a
        full scan to count. The first window needs less: the newest rows of the whole
        table are searched first, in slices of 1/256, 1/64, 1/16 and 1/4 of it, each
        bounded by the timestamp that starts it. A slice that holds ``size`` matches
        holds the newest ``size`` (every row outside it is older), so the search stops
        there; otherwise the next, larger slice is tried, then the whole table. Because
        the cache keeps events in timestamp order where it can (a fresh import is written
        sorted; a sync appends newer events), DuckDB's zone maps skip the rows outside a
        slice, and a word found in the newest events shows in a few milliseconds.
        Caches smaller than ``slice_from`` events are searched whole at once.
        """
        if self._total is not None:
            return self.window(cur, 0, size)[1]
        rows_in_table = _table_rows(cur)
        ids: list[str] = []
        if rows_in_table >= slice_from and size > 0:
            for share in _SLICES:
                bound = _newest_bound(cur, rows_in_table // share)
                if bound is None:
                    break
                where = f"({self.where}) AND event_timestamp >= ?"
                ids = _window_ids(cur, where, [*self.params, bound], True, 0, size, bound=False)
                if len(ids) == size:
                    break
            else:
                ids = []
        if len(ids) < size:
            ids = _window_ids(cur, self.where, self.params, True, 0, size, bound=False)
            if len(ids) < size:
                self._total = len(ids)  # fewer than a window: that is all of them
        rows = _rows_by_id(cur, ids)
        if rows:
            self._keys[0] = (rows[0][1], rows[0][0])
            self._keys[len(rows) - 1] = (rows[-1][1], rows[-1][0])
        return rows

    def window(self, cur: Cursor, start: int, size: int) -> tuple[int, list[tuple[Any, ...]]]:
        """``start`` clipped to the total, and rows ``start`` .. ``start + size`` (of
        ``ROW_COLUMNS``, clipped too), newest first."""
        total = self.count(cur)
        start = max(0, min(start, total))
        size = max(0, min(size, total - start))
        if size == 0:
            return start, []
        rows = self._fetch(cur, start, size, total)
        if rows:
            self._keys[start] = (rows[0][1], rows[0][0])
            self._keys[start + len(rows) - 1] = (rows[-1][1], rows[-1][0])
        return start, rows

    def _fetch(self, cur: Cursor, start: int, size: int, total: int) -> list[tuple[Any, ...]]:
        # Candidate anchors: (rows to skip, scan downward?, key or None).
        plans: list[tuple[int, bool, Key | None]] = [
            (start, True, None),
            (total - (start + size), False, None),
        ]
        for index, known in self._keys.items():
            if index < start:
                plans.append((start - index - 1, True, known))
            elif index >= start + size:
                plans.append((index - (start + size), False, known))
        skip, down, key = min(plans, key=lambda plan: plan[0])
        where, params = self.where, list(self.params)
        if key is not None:
            where = f"({where}) AND {_AFTER if down else _BEFORE}"
            params += [key[0], key[0], key[1]]
        ids = _window_ids(cur, where, params, down, skip, size, bound=total >= BOUND_FROM)
        found = _rows_by_id(cur, ids)
        return found if down else found[::-1]


_SLICES = (256, 64, 16, 4)  # first_window's slices of the table, newest first


def _table_rows(cur: Cursor) -> int:
    row = execute(cur, "SELECT count(*) FROM events", []).fetchone()
    return int(row[0]) if row else 0


def _newest_bound(cur: Cursor, offset: int) -> datetime | None:
    """The timestamp of the ``offset``-th newest event of the table (None past the end)."""
    sql = "SELECT event_timestamp FROM events ORDER BY event_timestamp DESC LIMIT 1 OFFSET ?"
    row = execute(cur, sql, [offset]).fetchone()
    return row[0] if row else None


def _window_ids(
    cur: Cursor,
    where: str,
    params: list[object],
    down: bool,
    skip: int,
    size: int,
    *,
    bound: bool,
) -> list[str]:
    """The event_ids of rows ``skip`` .. ``skip + size`` in key order.

    The window's columns are fetched afterwards by primary key, for these rows only:
    reading event_data in the ordered scan costs ~5x. With ``bound`` (many candidates),
    the timestamp of the window's last row bounds the ordered scan first: ordering by the
    timestamp alone reads one column, while the event_id tie-break reads the id of every
    candidate. Every row of the window is within the bound, so the result is the same;
    on a million events the first window takes ~6 ms instead of ~28 ms. With few
    candidates the bound would only cost another pass of the filter.
    """
    direction = "DESC" if down else "ASC"
    sql = f"SELECT event_timestamp FROM events WHERE {where} ORDER BY event_timestamp {direction}"  # noqa: S608
    found = None
    if bound:
        found = execute(cur, sql + " LIMIT 1 OFFSET ?", [*params, skip + size - 1]).fetchone()
    if found is not None:
        where = f"({where}) AND event_timestamp {'>=' if down else '<='} ?"
        params = [*params, found[0]]
    order = NEWEST_FIRST if down else _OLDEST_FIRST
    sql = f"SELECT event_id FROM events WHERE {where} {order} LIMIT ? OFFSET ?"  # noqa: S608
    return [r[0] for r in execute(cur, sql, [*params, size, skip]).fetchall()]


def _rows_by_id(cur: Cursor, ids: list[str]) -> list[tuple[Any, ...]]:
    """The rows of ``ids`` (``ROW_COLUMNS``, event_data parsed), in that order."""
    if not ids:
        return []
    cols = ", ".join(ROW_COLUMNS)
    marks = ", ".join("?" * len(ids))
    sql = f"SELECT {cols} FROM events WHERE event_id IN ({marks})"  # noqa: S608 - only marks
    by_id = {r[0]: r for r in execute(cur, sql, ids).fetchall()}
    return [_parsed(by_id[i]) for i in ids if i in by_id]


def _parsed(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        load_json(v) if n in JSON_COLUMNS else v for n, v in zip(ROW_COLUMNS, row, strict=True)
    )


def event_row(cur: Cursor, event_id: str) -> dict[str, Any] | None:
    """The stored row of ``event_id`` as column -> value (JSON columns parsed), or None."""
    result = execute(cur, "SELECT * FROM events WHERE event_id = ?", [event_id])
    found = result.fetchone()
    if found is None:
        return None
    names = [d[0] for d in cur.description]
    return {
        n: (load_json(v) if n in JSON_COLUMNS else v) for n, v in zip(names, found, strict=True)
    }


@dataclass(frozen=True, slots=True)
class KeptVersion:
    """A version of an event that arrived after the stored one with different content:
    kept in ``event_conflicts``, never applied; ``differences`` against the stored one."""

    received: dict[str, Any]
    source: str | None
    seen_at: datetime
    differences: list[Difference]


def conflicts_of(cur: Cursor, event_id: str) -> list[KeptVersion]:
    """The versions of ``event_id`` kept aside, oldest first (none for most events)."""
    sql = (
        "SELECT received, source, seen_at FROM event_conflicts WHERE event_id = ?"
        " ORDER BY seen_at, received"
    )
    kept = execute(cur, sql, [event_id]).fetchall()
    if not kept:
        return []
    row = event_row(cur, event_id)
    stored = as_received(row) if row is not None else {}
    versions = []
    for text, source, seen_at in kept:
        received = load_json(text)
        if isinstance(received, dict):
            versions.append(KeptVersion(received, source, seen_at, differences(stored, received)))
    return versions


def load_json(value: Any) -> Any:
    """A JSON column's text parsed; other values (and text that is not JSON) as they are."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


_TIMELINE = """
SELECT event_id, event_timestamp, service, event_type, event_outcome, decode_status,
       json_array_length(coalesce(decode_issues, '[]')) AS issue_count,
       event_hash, previous_event_hash, duration_ms, error_message, error_code, event_data
FROM events
WHERE correlation_id = ?
ORDER BY event_timestamp ASC, event_id ASC
"""


def timeline_rows(cur: Cursor, correlation_id: str) -> list[tuple[Any, ...]]:
    """The events of ``correlation_id``, oldest first (ties by event_id): event_id,
    event_timestamp, service, event_type, event_outcome, decode_status, issue count,
    event_hash, previous_event_hash, duration_ms, error_message, error_code, event_data."""
    with store_errors("cannot read the timeline"):
        return cur.execute(_TIMELINE, [correlation_id]).fetchall()


def distinct_values(cur: Cursor, column: str, pattern: str, limit: int) -> list[str]:
    """Values of ``column`` (code, never user text) matching the ``ILIKE ... ESCAPE '\\'``
    ``pattern``, sorted, at most ``limit``."""
    sql = (
        f"SELECT DISTINCT {column} FROM events WHERE {column} ILIKE ? ESCAPE '\\' "  # noqa: S608
        "ORDER BY 1 LIMIT ?"
    )
    with store_errors(f"cannot read values of {column}"):
        rows = cur.execute(sql, [pattern, limit]).fetchall()
    return [str(row[0]) for row in rows]


def events_sql(
    where: str, params: Sequence[object], *, columns: str = EXPORT_COLUMNS, limit: int | None = None
) -> tuple[str, list[Any]]:
    """The SELECT of the events ``where`` selects, newest first. ``columns`` is code."""
    sql = f"SELECT {columns} FROM events WHERE {where} {NEWEST_FIRST}"  # noqa: S608 - fixed
    values = list(params)
    if limit is not None:
        sql += " LIMIT ?"
        values.append(limit)
    return sql, values
