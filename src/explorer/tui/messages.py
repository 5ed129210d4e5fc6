"""The app's messages: what workers found, and what screens ask the app to show.

Screens never push each other: they post a request (``TimelineRequested``) that bubbles
up to the app, which routes it to a screen. Workers report with facts (``EventsLoaded``,
``SyncFinished``). Messages only one widget posts are nested on that widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from explorer.core.browse import EventBrowser, EventRecord, Window
from explorer.core.filters import Filter, events_sql
from explorer.core.manifest import filter_selection
from explorer.tui.actions import Action


@dataclass
class EventsLoaded(Message):
    """A new filter's first window, and its total when known (else ``EventsCounted`` follows)."""

    browser: EventBrowser
    total: int | None
    window: Window


@dataclass
class EventsCounted(Message):
    """The total of a filter whose first window was shown before it was counted."""

    browser: EventBrowser
    total: int


@dataclass
class RowsLoaded(Message):
    """More rows of the current result, fetched as the person scrolled."""

    browser: EventBrowser
    window: Window


@dataclass
class EventLoaded(Message):
    """The highlighted event in full (None when it left the cache)."""

    event_id: str
    record: EventRecord | None


@dataclass
class SyncProgressed(Message):
    """A sync has stored ``events`` so far, of ``expected`` when the server said."""

    events: int
    expected: int | None = None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SyncProgressed)


@dataclass
class SyncFinished(Message):
    summary: str
    complete: bool


@dataclass
class SyncFailed(Message):
    error: str


# -- requests: a screen (or the palette) asks the app to show something -----------------------


@dataclass
class TimelineRequested(Message):
    """The incident timeline of ``correlation_id``, the cursor on ``event_id``."""

    correlation_id: str
    event_id: str | None = None


@dataclass
class EventRequested(Message):
    """One event's detail, by ID."""

    event_id: str


@dataclass
class RawRequested(Message):
    """An event as received."""

    record: EventRecord


@dataclass
class MismatchesRequested(Message):
    """The non-ok events of ``filter``, by verdict; a drill-down filters the home screen."""

    filter: Filter


@dataclass
class StatsRequested(Message):
    filter: Filter


@dataclass
class ExportRequested(Message):
    """The export dialog for the rows of ``sql``, described as ``label``."""

    sql: str
    params: Any
    label: str
    selection: dict[str, Any] | None = None  # what the export's manifest says it holds

    @classmethod
    def of_filter(cls, flt: Filter) -> ExportRequested:
        """The events that match ``flt``."""
        sql, params = events_sql(flt)
        expr = flt.expr.strip()
        label = f"events matching {expr}" if expr else "all events"
        return cls(sql, params, label, filter_selection(flt.expr))


@dataclass
class QueryRequested(Message):
    """A named query's result."""

    name: str


@dataclass
class SyncRequested(Message):
    """Fetch new events from DataStorage."""


@dataclass
class CommandChosen(Message):
    """An action picked in the command palette."""

    action: Action
