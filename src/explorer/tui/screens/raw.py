"""One event on its own: the raw JSON as received, or the detail view (from a timeline)."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from explorer.core.browse import EventRecord, fetch_event
from explorer.tui.actions import bindings
from explorer.tui.messages import EventLoaded, RawRequested
from explorer.tui.screens.base import ExplorerScreenMixin
from explorer.tui.text import clean
from explorer.tui.widgets.event_detail import EventDetail


def raw_json_text(raw: Any) -> Text:
    """Pretty JSON, each line made terminal-safe (escapes stay visible)."""
    dumped = json.dumps(raw, indent=2, ensure_ascii=False, default=str)
    return Text("\n".join(clean(line) for line in dumped.splitlines()), end="")


class RawScreen(ExplorerScreenMixin, Screen[None]):
    """The event exactly as DataStorage sent it (as stored in the cache)."""

    BINDINGS = bindings("raw")

    def __init__(self, record: EventRecord) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with VerticalScroll(id="raw-scroll", classes="view-table") as scroll:
            scroll.border_title = "Raw JSON"
            yield Static(raw_json_text(self.record.raw), id="raw-json")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#raw-scroll").focus()


class EventScreen(ExplorerScreenMixin, Screen[None]):
    """The detail of one event by ID (Enter on a timeline step)."""

    BINDINGS = bindings("event")

    def __init__(self, event_id: str) -> None:
        super().__init__()
        self.event_id = event_id

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        detail = EventDetail(id="event-detail")
        detail.border_title = Text(f"Event {clean(self.event_id)}")
        yield detail
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(EventDetail).focus()
        self._load(self.event_id)

    @work(
        thread=True,
        exclusive=True,
        group="detail",
        exit_on_error=False,
        description="Reading an event",
    )
    def _load(self, event_id: str) -> None:
        self.post_message(EventLoaded(event_id, fetch_event(self.explorer.cursor(), event_id)))

    def on_event_loaded(self, message: EventLoaded) -> None:
        self.query_one(EventDetail).show(message.record)

    def action_raw(self) -> None:
        record = self.query_one(EventDetail).record
        if record is not None:
            self.post_message(RawRequested(record))
