"""Windows of the events a filter selects, newest first, without ever loading them all.

The TUI's table and the benchmark ask for "rows ``start`` to ``start + size``" as the
person scrolls. Each window is found from the nearest row whose key is already known
(keyset paging: ``(event_timestamp, event_id) < key``), from the top, or from the bottom
in reversed order, whichever skips the fewest rows; so the first page, the next page and
the last page are all cheap on a 1,000,000-event cache.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import duckdb

from explorer.errors import StoreError
from explorer.models.decode import Decoded, decode
from explorer.models.registry import DEFAULT_CONTRACT, ENVELOPE_RENAMES, load_contract
from explorer.store.cache import cache_contract

# Columns the table shows; the summary is built from event_data.
ROW_COLUMNS = (
    "event_id",
    "event_timestamp",
    "service",
    "event_type",
    "event_outcome",
    "correlation_id",
    "decode_status",
    "event_data",
)
_ORDER_DESC = "ORDER BY event_timestamp DESC, event_id DESC"
_ORDER_ASC = "ORDER BY event_timestamp ASC, event_id ASC"
_AFTER = "(event_timestamp < ? OR (event_timestamp = ? AND event_id < ?))"
_BEFORE = "(event_timestamp > ? OR (event_timestamp = ? AND event_id > ?))"
_JSON_COLUMNS = frozenset({"event_data", "decode_issues", "extra", "decode_fits"})
SUMMARY_WIDTH = 160
_BOUND_FROM = 250_000  # candidates from which a window's scan is bounded first (see below)

Key = tuple[datetime, str]


class Cursor(Protocol):
    """The part of a DuckDB cursor this module uses (one per worker thread)."""

    def execute(self, query: str, parameters: Any = ...) -> Any: ...
    def fetchall(self) -> list[tuple[Any, ...]]: ...
    def fetchone(self) -> tuple[Any, ...] | None: ...

    @property
    def description(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class EventRow:
    """One line of the events table."""

    event_id: str
    timestamp: datetime
    service: str | None
    event_type: str | None
    outcome: str | None
    correlation_id: str | None
    status: str | None
    summary: str

    @property
    def key(self) -> Key:
        return (self.timestamp, self.event_id)


@dataclass(frozen=True, slots=True)
class Window:
    """Rows ``start`` .. ``start + len(rows) - 1`` of the filtered events, newest first."""

    start: int
    rows: list[EventRow]

    @property
    def end(self) -> int:
        return self.start + len(self.rows)


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One event in full: its cache row, the event as received, and its decoding."""

    row: dict[str, Any]
    raw: dict[str, Any]
    decoded: Decoded
    contract: str = DEFAULT_CONTRACT  # what the cache's statuses were decoded against


class EventBrowser:
    """Windowed, keyset-paged access to ``events`` for one filter.

    ``where`` is SQL from the filter parser (it never contains values); ``params`` carry
    the values. One browser per filter; it remembers row keys it has seen as anchors.
    """

    def __init__(self, where: str = "TRUE", params: Sequence[object] = ()) -> None:
        self.where = where or "TRUE"
        self.params: list[object] = list(params)
        self._total: int | None = None
        self._keys: dict[int, Key] = {}

    def count(self, cur: Cursor) -> int:
        """How many events the filter selects (computed once per browser)."""
        if self._total is None:
            sql = f"SELECT count(*) FROM events WHERE {self.where}"  # noqa: S608
            row = execute(cur, sql, self.params).fetchone()
            self._total = int(row[0]) if row else 0
        return self._total

    def window(self, cur: Cursor, start: int, size: int) -> Window:
        """Rows ``start`` to ``start + size`` (clipped to the total), newest first."""
        total = self.count(cur)
        start = max(0, min(start, total))
        size = max(0, min(size, total - start))
        if size == 0:
            return Window(start, [])
        rows = self._fetch(cur, start, size, total)
        if rows:
            self._keys[start] = rows[0].key
            self._keys[start + len(rows) - 1] = rows[-1].key
        return Window(start, rows)

    def last(self, cur: Cursor, size: int) -> Window:
        """The oldest ``size`` rows: a jump to the end reads them in reversed order."""
        total = self.count(cur)
        return self.window(cur, max(0, total - size), size)

    def _fetch(self, cur: Cursor, start: int, size: int, total: int) -> list[EventRow]:
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
        ids = _window_ids(cur, where, params, down, skip, size, bound=total >= _BOUND_FROM)
        found = _rows_by_id(cur, ids)
        return found if down else found[::-1]


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
    order = _ORDER_DESC if down else _ORDER_ASC
    sql = f"SELECT event_id FROM events WHERE {where} {order} LIMIT ? OFFSET ?"  # noqa: S608
    return [r[0] for r in execute(cur, sql, [*params, size, skip]).fetchall()]


def _rows_by_id(cur: Cursor, ids: list[str]) -> list[EventRow]:
    """The table rows of ``ids``, in that order."""
    if not ids:
        return []
    cols = ", ".join(ROW_COLUMNS)
    marks = ", ".join("?" * len(ids))
    sql = f"SELECT {cols} FROM events WHERE event_id IN ({marks})"  # noqa: S608 - only marks
    by_id = {r[0]: r for r in execute(cur, sql, ids).fetchall()}
    return [_event_row(by_id[i]) for i in ids if i in by_id]


def fetch_event(cur: Cursor, event_id: str) -> EventRecord | None:
    """The whole cached event, rebuilt as received, and decoded against its model."""
    result = execute(cur, "SELECT * FROM events WHERE event_id = ?", [event_id])
    found = result.fetchone()
    if found is None:
        return None
    names = [d[0] for d in cur.description]
    row = {
        n: (_load_json(v) if n in _JSON_COLUMNS else v) for n, v in zip(names, found, strict=True)
    }
    raw = as_received(row)
    contract = cache_contract(cur)
    return EventRecord(row, raw, decode(raw, contract=load_contract(contract)), contract)


# Columns that are the cache's own bookkeeping, not part of the event as received.
_LOCAL_COLUMNS = frozenset(
    {
        "event_date",
        "service",
        "extra",
        "event_data",
        "decode_status",
        "decode_issues",
        "source",
        "fetched_at",
        "decode_fits",
    }
)


def as_received(row: dict[str, Any]) -> dict[str, Any]:
    """The event as DataStorage sent it: envelope columns, extras, then event_data."""
    raw: dict[str, Any] = {}
    for name, value in row.items():
        if name in _LOCAL_COLUMNS or value is None:
            continue
        raw[name] = (
            value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else value
        )
    extra = row.get("extra")
    if isinstance(extra, dict):
        for name, older in ENVELOPE_RENAMES.items():
            # The column was filled from the older name (see store.rows): sent once.
            if older in extra and name in raw and raw[name] == extra[older]:
                del raw[name]
        raw.update(extra)
    raw["event_data"] = row.get("event_data")
    return raw


def summarize(data: Any, width: int = SUMMARY_WIDTH) -> str:
    """A one-line summary of a payload: its scalar fields as ``key=value``."""
    if not isinstance(data, dict):
        return _scalar(data)
    parts: list[str] = []
    length = 0
    for name, value in data.items():
        if name == "event_type":
            continue
        if isinstance(value, dict):
            text = f"{name}={{{len(value)}}}"
        elif isinstance(value, list):
            text = f"{name}=[{len(value)}]"
        else:
            text = f"{name}={_scalar(value)}"
        parts.append(text)
        length += len(text) + 1
        if length >= width:
            break
    return " ".join(parts)[:width]


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if len(value) <= 60 else value[:59] + "…"
    return str(value)


def _event_row(r: tuple[Any, ...]) -> EventRow:
    return EventRow(
        event_id=r[0],
        timestamp=r[1],
        service=r[2],
        event_type=r[3],
        outcome=r[4],
        correlation_id=r[5],
        status=r[6],
        summary=summarize(_load_json(r[7])),
    )


def _load_json(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def execute(cur: Cursor, sql: str, params: Sequence[object]) -> Cursor:
    try:
        cur.execute(sql, list(params))
    except duckdb.Error as exc:
        raise StoreError(f"cannot read the cache: {str(exc).splitlines()[0]}") from None
    return cur
