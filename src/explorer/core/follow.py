"""What a poll brought: the arrived events a filter selects, for ``tail`` and the explorer.

An event arrived when its row was stored at or after the poll began (``fetched_at``);
the filter's SQL is narrowed to those rows with a parameter, never with text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from explorer.core.browse import EventBrowser
from explorer.core.filters import Filter
from explorer.store.connection import Cursor
from explorer.store.reads import Key


def arrived_filter(flt: Filter, since: datetime) -> Filter:
    """``flt`` narrowed to the rows stored at or after ``since``."""
    return Filter(flt.expr, f"({flt.where}) AND fetched_at >= ?", [*flt.params, since])


@dataclass(frozen=True)
class Arrivals:
    """The arrived events a filter selects, and where they go in its newest-first list."""

    count: int
    above: int  # of them, ordered before the anchor row (newer): the rows it moves down
    newest: frozenset[str]  # the IDs of the newest of them (up to ``limit``), to highlight


def arrivals(
    cur: Cursor, flt: Filter, since: datetime, anchor: Key | None, limit: int = 200
) -> Arrivals:
    """What arrived since ``since`` that ``flt`` selects, relative to the ``anchor`` row."""
    arrived = arrived_filter(flt, since)
    browser = EventBrowser(arrived.where, arrived.params)
    count = browser.count(cur)
    if count == 0:
        return Arrivals(0, 0, frozenset())
    newest = frozenset(row.event_id for row in browser.first_window(cur, limit).rows)
    if anchor is None:
        return Arrivals(count, count, newest)
    moment, event_id = anchor
    where = f"({arrived.where}) AND (event_timestamp > ? OR (event_timestamp = ? AND event_id > ?))"
    above = EventBrowser(where, [*arrived.params, moment, moment, event_id]).count(cur)
    return Arrivals(count, above, newest)
