"""One event on its own: the raw JSON as received, or the detail view (from a timeline)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from explorer.core.browse import EventRecord, fetch_event
from explorer.tui.actions import bindings
from explorer.tui.messages import EventLoaded, RawRequested
from explorer.tui.screens.base import ExplorerScreenMixin
from explorer.tui.styles import Palette, Role, follow_theme, palette
from explorer.tui.text import VisibleControls, clean
from explorer.tui.widgets.event_detail import EventDetail

# Tokens of one pretty-printed JSON line; a key is a string followed by a colon.
_STRING = r'"(?:[^"\\]|\\.)*"'
_TOKENS = re.compile(
    rf"(?P<key>{_STRING})(?=:)|(?P<string>{_STRING})"
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<word>\b(?:true|false|null)\b)"
)
_ROLES: dict[str, Role] = {"key": "info", "string": "ok", "number": "info", "word": "other"}


def raw_json_plain(raw: Any) -> str:
    """Pretty JSON, each line made terminal-safe (escapes stay visible)."""
    dumped = json.dumps(raw, indent=2, ensure_ascii=False, default=str)
    return "\n".join(clean(line) for line in dumped.splitlines())


def raw_json_text(
    raw: Any | str,
    colors: Palette | None = None,
    matches: Sequence[tuple[int, int]] = (),
    current: int | None = None,
) -> Text:
    """The JSON as a ``Text``: tokens coloured from the theme, search matches reversed.

    Styles are spans over plain text, so nothing inside a value can restyle it.
    """
    plain = raw if isinstance(raw, str) else raw_json_plain(raw)
    text = Text(plain, end="")
    if colors is not None:
        for token in _TOKENS.finditer(plain):
            role = _ROLES[token.lastgroup or "word"]
            text.stylize(colors(role), token.start(), token.end())
    for index, (start, end) in enumerate(matches):
        style = "reverse bold underline" if index == current else "reverse"
        text.stylize(style, start, end)
    return text


def find_all(plain: str, query: str) -> list[tuple[int, int]]:
    """Every case-insensitive occurrence of ``query`` in ``plain`` as (start, end)."""
    if not query:
        return []
    return [(m.start(), m.end()) for m in re.finditer(re.escape(query), plain, re.IGNORECASE)]


class RawScreen(ExplorerScreenMixin, Screen[None]):
    """The event exactly as DataStorage sent it (as stored in the cache), searchable."""

    BINDINGS = bindings("raw")
    DEFAULT_CSS = """
    RawScreen #raw-search { dock: bottom; height: 1; border: none; padding: 0 1; display: none; }
    RawScreen.-searching #raw-search { display: block; }
    """

    def __init__(self, record: EventRecord) -> None:
        super().__init__()
        self.record = record
        self.plain = raw_json_plain(record.raw)
        self.query_text = ""
        self.matches: list[tuple[int, int]] = []
        self.current: int | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with VerticalScroll(id="raw-scroll", classes="view-table") as scroll:
            scroll.border_title = "Raw JSON"
            yield Static(self._render_json(), id="raw-json")
        yield Input(
            placeholder="Search the JSON (Enter finds, Esc closes)",
            highlighter=VisibleControls(),
            id="raw-search",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#raw-scroll").focus()
        follow_theme(self, self._redraw)

    def _render_json(self) -> Text:
        return raw_json_text(self.plain, palette(self.app), self.matches, self.current)

    def _redraw(self) -> None:
        self.query_one("#raw-json", Static).update(self._render_json())
        scroll = self.query_one("#raw-scroll", VerticalScroll)
        if self.query_text:
            found = len(self.matches)
            where = f"{self.current + 1} of {found}" if self.current is not None else "none"
            scroll.border_subtitle = Text(f"{clean(self.query_text, 40)}: match {where}")
        else:
            scroll.border_subtitle = ""

    # -- search: / opens the field, Enter finds, n / N walk the matches ---------------------

    def action_search(self) -> None:
        self.set_class(True, "-searching")
        field = self.query_one("#raw-search", Input)
        field.value = self.query_text
        self.set_focus(field)

    @on(Input.Submitted, "#raw-search")
    def _searched(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_text = event.value
        self.matches = find_all(self.plain, event.value)
        self.current = None
        self._close_search()
        self.action_next_match(1)
        if not self.matches:
            self._redraw()

    def _close_search(self) -> None:
        self.set_class(False, "-searching")
        self.query_one("#raw-scroll").focus()

    def action_next_match(self, step: int) -> None:
        if not self.matches:
            if self.query_text:
                self.notify(f"No match for {clean(self.query_text, 40)}", markup=False)
            return
        if self.current is None:
            self.current = 0 if step > 0 else len(self.matches) - 1
        else:
            self.current = (self.current + step) % len(self.matches)
        self._redraw()
        line = self.plain.count("\n", 0, self.matches[self.current][0])
        scroll = self.query_one("#raw-scroll", VerticalScroll)
        scroll.scroll_to(y=max(0, line - 3), animate=False)

    def action_back(self) -> None:
        if self.has_class("-searching"):
            self._close_search()  # Escape in the search field closes it
        else:
            self.app.pop_screen()


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
