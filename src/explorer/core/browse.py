"""Windows of the events a filter selects, newest first, without ever loading them all.

The TUI's table and the benchmark ask for "rows ``start`` to ``start + size``" as the
person scrolls; the store pages them by key (:class:`explorer.store.reads.EventPages`),
so the first page, the next page and the last page are all cheap on a 1,000,000-event
cache. Here they become table rows with a summary, and one event is rebuilt as received
and decoded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from explorer.models.decode import Decoded, decode, with_stored_duplicates
from explorer.models.registry import DEFAULT_CONTRACT, load_contract
from explorer.store.cache import cache_contract
from explorer.store.connection import Cursor
from explorer.store.evidence import held
from explorer.store.reads import (
    BOUND_FROM,
    EventPages,
    KeptVersion,
    Key,
    conflicts_of,
    event_row,
)
from explorer.store.received import as_received as as_received  # the one rebuild

SUMMARY_WIDTH = 160


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
    conflict: bool = False  # a version arrived again with different content (kept aside)
    hold: bool = False  # under legal hold (its own fields, or the server's list)

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
    conflicts: tuple[KeptVersion, ...] = ()  # versions that arrived later, different


class EventBrowser:
    """Windowed, keyset-paged access to ``events`` for one filter.

    ``where`` is SQL from the filter parser (it never contains values); ``params`` carry
    the values. One browser per filter; it remembers row keys it has seen as anchors.
    """

    def __init__(self, where: str = "TRUE", params: Sequence[object] = ()) -> None:
        self._pages = EventPages(where, params)

    def count(self, cur: Cursor) -> int:
        """How many events the filter selects (computed once per browser)."""
        return self._pages.count(cur)

    @property
    def known_total(self) -> int | None:
        """The count if known without counting (see :meth:`first_window`), else None."""
        return self._pages.known_total

    def first_window(self, cur: Cursor, size: int, *, slice_from: int = BOUND_FROM) -> Window:
        """The newest ``size`` rows, before (and without) counting.

        A bare word reads every payload to count; its first window reads only the newest
        events that hold enough matches (:meth:`explorer.store.reads.EventPages.first_window`).
        Show it, then :meth:`count`.
        """
        rows = self._pages.first_window(cur, size, slice_from=slice_from)
        return Window(0, _with_holds(cur, [_event_row(row) for row in rows]))

    def window(self, cur: Cursor, start: int, size: int) -> Window:
        """Rows ``start`` to ``start + size`` (clipped to the total), newest first."""
        start, rows = self._pages.window(cur, start, size)
        return Window(start, _with_holds(cur, [_event_row(row) for row in rows]))

    def last(self, cur: Cursor, size: int) -> Window:
        """The oldest ``size`` rows: a jump to the end reads them in reversed order."""
        total = self.count(cur)
        return self.window(cur, max(0, total - size), size)


def fetch_event(cur: Cursor, event_id: str) -> EventRecord | None:
    """The whole cached event, rebuilt as received, and decoded against its model."""
    row = event_row(cur, event_id)
    if row is None:
        return None
    raw = as_received(row)
    contract = cache_contract(cur)
    decoded = decode(raw, contract=load_contract(contract))
    # A repeated key was seen in the text as received, which the cache no longer holds.
    decoded = with_stored_duplicates(decoded, row.get("decode_issues"))
    return EventRecord(row, raw, decoded, contract, tuple(conflicts_of(cur, event_id)))


# Payload fields that repeat what the table's columns already show (the discriminator, the
# event's own ID, its correlation): the preview's width goes to what the envelope lacks.
REPEATS_ENVELOPE = frozenset({"event_type", "event_id", "correlation_id", "event_timestamp"})


def summarize(data: Any, width: int = SUMMARY_WIDTH) -> str:
    """A one-line summary of a payload: its scalar fields as ``key=value``, without those
    that repeat the envelope."""
    if not isinstance(data, dict):
        return _scalar(data)
    parts: list[str] = []
    length = 0
    for name, value in data.items():
        if name in REPEATS_ENVELOPE:
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


def _with_holds(cur: Cursor, rows: list[EventRow]) -> list[EventRow]:
    """``rows``, those under legal hold marked (one query per window)."""
    found = held(cur, [row.event_id for row in rows])
    return [replace(row, hold=True) if row.event_id in found else row for row in rows]


def _event_row(r: tuple[Any, ...]) -> EventRow:
    """A row of ``explorer.store.reads.ROW_COLUMNS`` (event_data parsed) as a table line."""
    return EventRow(
        event_id=r[0],
        timestamp=r[1],
        service=r[2],
        event_type=r[3],
        outcome=r[4],
        correlation_id=r[5],
        status=r[6],
        summary=summarize(r[7]),
        conflict=bool(r[8]) if len(r) > 8 else False,
    )
