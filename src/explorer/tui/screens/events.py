"""The home screen: filter bar, the events table and the highlighted event's detail."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Header, ProgressBar

from explorer.core.browse import EventBrowser, EventRecord, fetch_event
from explorer.core.filters import Filter, value_suggestions
from explorer.core.follow import Arrivals, arrivals
from explorer.errors import ExplorerError, StoreError
from explorer.store.connection import Cursor
from explorer.store.reads import Key
from explorer.tui.actions import bindings
from explorer.tui.external import EDITOR, PAGER, event_json, open_text
from explorer.tui.messages import (
    EventLoaded,
    EventsCounted,
    EventsLoaded,
    ExportRequested,
    MismatchesRequested,
    RawRequested,
    RowsLoaded,
    StatsRequested,
    SyncRequested,
    TimelineRequested,
)
from explorer.tui.screens.base import ExplorerScreenMixin
from explorer.tui.screens.copy import CopyScreen
from explorer.tui.text import clean
from explorer.tui.widgets.empty_state import EmptyState
from explorer.tui.widgets.event_detail import EventDetail
from explorer.tui.widgets.events_table import PAGE, EventsTable
from explorer.tui.widgets.filter_bar import FilterBar
from explorer.tui.widgets.footer import ExplorerFooter

WIDE = 170


class EventsScreen(ExplorerScreenMixin, Screen[None]):
    """Events newest first for the current filter, and the one under the cursor in detail."""

    BINDINGS = bindings("events")

    def __init__(self) -> None:
        super().__init__()
        self.filter: Filter = Filter("", "TRUE", [])
        self.browser = EventBrowser()
        self._loading: Cursor | None = None  # the cursor of the search in progress

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        app = self.explorer
        yield FilterBar(
            app.filter_values,
            app.clock,
            history=app.history,
            named=app.config.filters,
            id="filter-bar",
        )
        with Container(id="events-body"):
            table = EventsTable(id="events-table")
            table.border_title = "Events"
            yield table
            detail = EventDetail(id="event-detail")
            detail.border_title = "Detail"
            yield detail
        yield EmptyState(id="empty-state")
        progress = ProgressBar(id="sync-progress", show_eta=False)
        progress.display = False  # while a sync runs
        yield progress
        yield ExplorerFooter()

    def on_resize(self) -> None:
        # Wide terminals get the detail beside the table, others below it.
        self.set_class(self.size.width >= WIDE, "-wide")

    def on_mount(self) -> None:
        self.query_one(EventsTable).focus()
        expr = self.explorer.initial_filter
        if not (expr and self.query_one(FilterBar).set_expression(expr)):
            self.reload()  # else applying the filter reloads

    # -- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the current filter again (after a sync or a filter change)."""
        self.browser = EventBrowser(self.filter.where, self.filter.params)
        if self._loading is not None:
            # a new keystroke cancels the old search and count (a cursor a sync closed
            # with its connection has nothing left to cancel)
            with suppress(Exception):
                self._loading.interrupt()
            self._loading = None
        if not self.explorer.has_events:
            self._show_empty()
            return
        self.set_class(True, "-loading")
        self._load_events(self.browser, self.filter.expr)

    def _show_empty(self, *, filtered: bool = False) -> None:
        self.set_class(True, "-empty")
        app = self.explorer
        self.query_one(EmptyState).explain(
            str(app.cache_path), app.cache_problem, filtered=filtered
        )
        self.query_one(EventsTable).reset(0)
        self.query_one(EventDetail).show(None)

    @work(
        thread=True,
        exclusive=True,
        group="events",
        exit_on_error=False,
        description="Finding events",
    )
    def _load_events(self, browser: EventBrowser, expr: str = "") -> None:
        # The first window first, the count after: a bare word on a large cache takes a
        # full scan to count, and its newest matches are found long before.
        cursor = self.explorer.cursor()
        self._loading = cursor
        try:
            window = browser.first_window(cursor, PAGE)
            self.post_message(EventsLoaded(browser, browser.known_total, window))
            # Nothing found: a typo in a value? Say which values exist.
            hints = value_suggestions(cursor, expr) if not window.rows and expr.strip() else []
            if hints:
                self.app.call_from_thread(self._suggest, browser, "  ·  ".join(hints))
            if browser.known_total is None:
                self.post_message(EventsCounted(browser, browser.count(cursor)))
        except StoreError:
            if browser is self.browser:  # not a search a newer filter interrupted
                raise
        finally:
            if self._loading is cursor:
                self._loading = None

    def _suggest(self, browser: EventBrowser, hint: str) -> None:
        if browser is self.browser:
            self.query_one(FilterBar).note(hint)

    @work(
        thread=True, exclusive=True, group="rows", exit_on_error=False, description="Fetching rows"
    )
    def _load_rows(self, browser: EventBrowser, start: int, size: int) -> None:
        cursor = self.explorer.cursor()
        for offset in range(0, size, PAGE):
            window = browser.window(cursor, start + offset, PAGE)
            self.post_message(RowsLoaded(browser, window))

    @work(
        thread=True,
        exclusive=True,
        group="detail",
        exit_on_error=False,
        description="Reading an event",
    )
    def _load_event(self, event_id: str) -> None:
        record = fetch_event(self.explorer.cursor(), event_id)
        self.post_message(EventLoaded(event_id, record))

    def on_events_loaded(self, message: EventsLoaded) -> None:
        if message.browser is not self.browser:
            return
        self.set_class(False, "-loading")
        self.set_class(message.total == 0, "-empty")
        if message.total == 0:
            self._show_empty(filtered=True)
            return
        table = self.query_one(EventsTable)
        if message.total is None:
            table.reset(len(message.window.rows), message.window, counting=True)
        else:
            table.reset(message.total, message.window)

    def on_events_counted(self, message: EventsCounted) -> None:
        if message.browser is self.browser:
            self._loading = None
            self.query_one(EventsTable).set_total(message.total)

    def on_rows_loaded(self, message: RowsLoaded) -> None:
        if message.browser is self.browser:
            self.query_one(EventsTable).add_window(message.window)

    def on_event_loaded(self, message: EventLoaded) -> None:
        row = self.query_one(EventsTable).highlighted
        if row is not None and row.event_id == message.event_id:
            self.query_one(EventDetail).show(message.record)

    @on(EventsTable.RowsWanted)
    def _rows_wanted(self, message: EventsTable.RowsWanted) -> None:
        self._load_rows(self.browser, message.start, message.size)

    @on(EventsTable.Highlighted)
    def _highlighted(self, message: EventsTable.Highlighted) -> None:
        if message.row is not None:
            self._load_event(message.row.event_id)

    @on(EventsTable.Selected)
    def _selected(self, message: EventsTable.Selected) -> None:
        self.query_one(EventDetail).focus()

    # -- filter -----------------------------------------------------------------------------

    @on(FilterBar.Changed)
    def _filter_changed(self, message: FilterBar.Changed) -> None:
        self.filter = message.filter
        expr = message.filter.expr.strip()
        title = Text.assemble("Events · ", (clean(expr), "italic")) if expr else Text("Events")
        self.query_one(EventsTable).border_title = title
        self.reload()

    @on(FilterBar.Left)
    def _filter_left(self) -> None:
        self.query_one(EventsTable).focus()

    def apply_filter(self, expr: str) -> None:
        """Show the events of ``expr`` (a drill-down from another view)."""
        self.query_one(FilterBar).set_expression(expr)

    def action_focus_table(self) -> None:
        self.query_one(EventsTable).focus()

    def action_filter(self) -> None:
        # A priority binding focused at once: the keys queued behind the / follow it into
        # the bar instead of running as commands (a paste, a laggy SSH link).
        field = self.query_one(FilterBar).input
        if self.focused is field:  # a / in the expression, after the keys queued before it
            field.call_later(field.insert_text_at_cursor, "/")
        else:
            self.set_focus(field)

    def action_clear_filter(self) -> None:
        self.apply_filter("")

    def action_newest(self) -> None:
        self.query_one(EventsTable).action_jump(0)

    def action_oldest(self) -> None:
        self.query_one(EventsTable).action_jump(-1)

    def action_toggle_detail(self) -> None:
        detail = self.query_one(EventDetail)
        detail.display = not detail.display

    # -- other views: asked of the app ------------------------------------------------------

    def action_timeline(self) -> None:
        row = self.query_one(EventsTable).highlighted
        if row is None or not row.correlation_id:
            self.notify("The highlighted event has no correlation ID.", severity="warning")
            return
        self.post_message(TimelineRequested(row.correlation_id, row.event_id))

    def action_mismatches(self) -> None:
        self.post_message(MismatchesRequested(self.filter))

    def action_stats(self) -> None:
        self.post_message(StatsRequested(self.filter))

    def action_export(self) -> None:
        self.post_message(ExportRequested.of_filter(self.filter))

    def action_raw(self) -> None:
        record = self.query_one(EventDetail).record
        if record is None:
            self.notify("No event highlighted.", severity="warning")
            return
        self.post_message(RawRequested(record))

    def action_sync(self) -> None:
        self.post_message(SyncRequested())

    def action_follow(self) -> None:
        self.explorer.toggle_follow()

    def show_progress(self, done: int | None, expected: int | None = None) -> None:
        """A sync's progress: ``done`` events of ``expected`` (unknown: pulsing); None hides."""
        bar = self.query_one("#sync-progress", ProgressBar)
        bar.display = done is not None
        if done is not None:
            bar.update(total=expected if expected else None, progress=done)

    # -- follow: new events on top, the cursor on the same event -----------------------------

    def arrived(self, since: datetime) -> None:
        """A poll stored events at or after ``since``: show those the filter selects."""
        row = self.query_one(EventsTable).highlighted
        self._read_arrivals(self.filter, since, row.key if row is not None else None)

    @work(
        thread=True,
        exclusive=True,
        group="arrivals",
        exit_on_error=False,
        description="Reading new events",
    )
    def _read_arrivals(self, flt: Filter, since: datetime, anchor: Key | None) -> None:
        found = arrivals(self.explorer.cursor(), flt, since, anchor, PAGE)
        self.app.call_from_thread(self._show_arrivals, flt, found)

    def _show_arrivals(self, flt: Filter, found: Arrivals) -> None:
        if flt is not self.filter or not found.count:
            return
        self.browser = EventBrowser(flt.where, flt.params)  # its row offsets moved
        self.query_one(EventsTable).insert_top(found.count, found.above, found.newest)

    # -- the highlighted event outside the explorer -----------------------------------------

    def _record(self) -> EventRecord | None:
        record = self.query_one(EventDetail).record
        if record is None:
            self.notify("No event highlighted.", severity="warning")
        return record

    def action_copy(self) -> None:
        if (record := self._record()) is not None:
            self.app.push_screen(CopyScreen(record), self._copy)

    def _copy(self, chosen: tuple[str, str] | None) -> None:
        if chosen is None:
            return
        what, text = chosen
        self.app.copy_to_clipboard(text)
        shown = "" if what.startswith("the") else f": {clean(text, 60)}"
        self.notify(f"Copied {what}{shown}", title="Clipboard (OSC 52)", markup=False)

    def action_pager(self) -> None:
        self._open_outside("PAGER", PAGER, "pager")

    def action_editor(self) -> None:
        self._open_outside("EDITOR", EDITOR, "editor")

    def _open_outside(self, variable: str, fallback: str, name: str) -> None:
        if (record := self._record()) is None:
            return
        try:
            open_text(self.app, event_json(record.raw), variable, fallback, name)
        except ExplorerError as exc:
            self.notify(clean(str(exc)), title=name.title(), severity="error", markup=False)
