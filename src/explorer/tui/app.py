"""The explorer app: opens the cache, composes the screens and routes between them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.worker import Worker, WorkerState

from explorer.core.browse import EventRecord
from explorer.core.filters import Filter, distinct_values, events_sql
from explorer.errors import CacheLockedError, ExplorerError, StoreError
from explorer.store.cache import Cache
from explorer.tui.commands import ExplorerCommands, QueryCommands
from explorer.tui.messages import SyncFailed, SyncFinished, SyncProgressed
from explorer.tui.screens.events import EventsScreen
from explorer.tui.text import clean


def _quiet(_message: str) -> None:
    """Cache notices are shown as notifications on mount, not printed."""


class ExplorerApp(App[None]):
    """Browse the audit events in the cache at ``cache_path``."""

    TITLE = "audit-explorer"
    CSS_PATH = "explorer.tcss"
    COMMANDS = App.COMMANDS | {ExplorerCommands, QueryCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False),
    ]

    def __init__(
        self,
        cache_path: Path,
        *,
        now: datetime | None = None,
        export_dir: Path | None = None,
        contract: str | None = None,
    ) -> None:
        super().__init__()
        self.cache_path = cache_path
        self.contract = contract  # None: the cache's own
        self.export_dir = export_dir or Path.cwd()
        self.now = now
        self.cache: Cache | None = None
        self.cache_problem: str | None = None
        self.has_events = False
        self.sub_title = clean(str(cache_path))
        self._open_cache()

    def _open_cache(self) -> None:
        if not self.cache_path.exists():
            return
        try:
            self.cache = self._open_read_only()
            self.has_events = self.cache.count() > 0
        except ExplorerError as exc:
            self.cache_problem = str(exc)

    def _open_read_only(self) -> Cache:
        """Browse read-only, so CLI reads (events, query, timeline) work beside the app.

        An older cache is first upgraded by a writer, which says what it did.
        """
        try:
            return Cache.open(
                self.cache_path, read_only=True, notify=_quiet, contract=self.contract
            )
        except CacheLockedError:
            raise
        except StoreError:
            with Cache.open(self.cache_path, notify=_quiet, contract=self.contract) as writer:
                notices = writer.notices
            cache = Cache.open(
                self.cache_path, read_only=True, notify=_quiet, contract=self.contract
            )
            cache.notices = notices + cache.notices
            return cache

    def writable_cache(self) -> Cache:
        """Swap the read-only cache for a writable one (a sync, main thread only).

        DuckDB lets one process hold a file in one mode only, so the reader is closed
        first; when the writer cannot be had, browsing goes on read-only.
        """
        if self.cache is not None and not self.cache.read_only:
            return self.cache
        if self.cache is not None:
            self.cache.close()
            self.cache = None
        try:
            self.cache = Cache.open(self.cache_path, notify=_quiet, contract=self.contract)
        except ExplorerError:
            self._reopen_read_only()
            raise
        self.cache_problem = None
        return self.cache

    def _reopen_read_only(self) -> None:
        """After a sync: back to read-only, so other processes may read the cache."""
        if self.cache is not None:
            if self.cache.read_only:
                return
            self.cache.close()
            self.cache = None
        if not self.cache_path.exists():
            return
        try:
            self.cache = Cache.open(
                self.cache_path, read_only=True, notify=_quiet, contract=self.contract
            )
            self.cache_problem = None
        except ExplorerError as exc:
            self.cache_problem = str(exc)

    def get_default_screen(self) -> EventsScreen:
        return EventsScreen()

    def on_mount(self) -> None:
        # What opening did to an older cache (migrated, moved aside) is worth saying.
        for notice in self.cache.notices if self.cache is not None else ():
            self.notify(clean(notice), title="Cache", markup=False, timeout=10)

    # -- data access for screens and workers ------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for the calling worker thread."""
        if self.cache is None:
            raise ExplorerError(f"no cache at {self.cache_path}")
        return self.cache.cursor()

    def clock(self) -> datetime:
        """Now, or the fixed moment tests and screenshots give."""
        return self.now or datetime.now(UTC)

    def filter_values(self, key: str, prefix: str) -> list[str]:
        """Values of ``key`` present in the cache, for completion (runs in a thread)."""
        if self.cache is None:
            return []
        return distinct_values(self.cursor(), key, prefix)

    # -- routing ----------------------------------------------------------------------------

    @property
    def events_screen(self) -> EventsScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, EventsScreen)
        return screen

    def open_timeline(self, correlation_id: str, event_id: str | None = None) -> None:
        from explorer.tui.screens.timeline import TimelineScreen

        self.push_screen(TimelineScreen(correlation_id, event_id))

    def open_mismatches(self, flt: Filter) -> None:
        from explorer.tui.screens.mismatches import MismatchesScreen

        self.push_screen(MismatchesScreen(flt), self._drill_down)

    def _drill_down(self, expr: str | None) -> None:
        if expr is not None:
            self.events_screen.apply_filter(expr)

    def open_stats(self, flt: Filter) -> None:
        from explorer.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen(flt))

    def open_export_events(self, flt: Filter) -> None:
        sql, params = events_sql(flt)
        label = f"events matching {flt.expr.strip()}" if flt.expr.strip() else "all events"
        self.open_export(sql, params, label)

    def open_export(self, sql: str, params: Any, label: str) -> None:
        from explorer.tui.screens.export import ExportScreen

        if self.cache is None:
            self.notify("Nothing to export: the cache is empty.", severity="warning")
            return
        self.push_screen(ExportScreen(sql, params, label, directory=self.export_dir))

    def open_raw(self, record: EventRecord) -> None:
        from explorer.tui.screens.raw import RawScreen

        self.push_screen(RawScreen(record))

    def open_event(self, event_id: str) -> None:
        from explorer.tui.screens.raw import EventScreen

        self.push_screen(EventScreen(event_id))

    def run_named_query(self, name: str) -> None:
        from explorer.tui.screens.results import ResultsScreen

        self.push_screen(ResultsScreen(name))

    def on_sync_progressed(self, message: SyncProgressed) -> None:
        self.sub_title = f"syncing… {message.events:,} events"

    def on_sync_finished(self, message: SyncFinished) -> None:
        self._reopen_read_only()
        self.sub_title = clean(str(self.cache_path))
        severity: SeverityLevel = "information" if message.complete else "warning"
        self.notify(message.summary, title="Sync", severity=severity, markup=False)
        self.has_events = self.cache is not None and self.cache.count() > 0
        self.events_screen.reload()

    def on_sync_failed(self, message: SyncFailed) -> None:
        self._reopen_read_only()
        self.sub_title = clean(str(self.cache_path))
        self.notify(clean(message.error), title="Sync failed", severity="error", markup=False)

    def start_sync(self) -> None:
        from explorer.tui.sync import start_sync

        start_sync(self)

    def run_command(self, action: str) -> None:
        """A palette command: ``events.<name>`` runs on the home screen, ``app.<name>`` here."""
        target, name = action.split(".", 1)
        if target == "app":
            self.call_later(self.run_action, name)
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()
        getattr(self.events_screen, f"action_{name}")()

    def action_help(self) -> None:
        from explorer.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # -- failures ---------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Any worker that fails becomes a notification, never a crash."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        message = (
            str(error) if isinstance(error, ExplorerError) else f"{type(error).__name__}: {error}"
        )
        self.notify(
            clean(message),
            title=event.worker.description or "Error",
            severity="error",
            markup=False,
        )

    def on_unmount(self) -> None:
        if self.cache is not None:
            self.cache.close()
