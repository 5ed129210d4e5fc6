"""Facts workers post to the screens: data loaded, sync progressed or ended."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from explorer.core.browse import EventBrowser, EventRecord, Window


@dataclass
class EventsLoaded(Message):
    """A new filter's total and first window."""

    browser: EventBrowser
    total: int
    window: Window


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
    """A sync has stored ``events`` so far."""

    events: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SyncProgressed)


@dataclass
class SyncFinished(Message):
    summary: str
    complete: bool


@dataclass
class SyncFailed(Message):
    error: str
