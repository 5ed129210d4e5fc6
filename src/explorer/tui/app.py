"""The explorer app: opens the cache, and routes the screens' requests to screens."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from textual.app import App
from textual.notifications import SeverityLevel
from textual.theme import Theme
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from explorer.config import Config
from explorer.core.filters import distinct_values
from explorer.errors import CacheLockedError, ExplorerError, StoreError
from explorer.store.cache import Cache
from explorer.store.connection import Cursor
from explorer.store.origin import Origin, last_origin
from explorer.tui.actions import bindings, check_keymap
from explorer.tui.commands import ExplorerCommands, FilterChosen, FilterCommands, QueryCommands
from explorer.tui.evidence import (
    ReconstructionLoaded,
    ReconstructionScreen,
    ReconstructRequested,
    VerifyFailed,
    VerifyFinished,
    VerifyRequested,
    reconstruct_worker,
    verify_worker,
)
from explorer.tui.messages import (
    CommandChosen,
    EventRequested,
    ExportRequested,
    MismatchesRequested,
    QueryRequested,
    RawRequested,
    StatsRequested,
    SyncFailed,
    SyncFinished,
    SyncProgressed,
    SyncRequested,
    TimelineRequested,
)
from explorer.tui.screens.events import EventsScreen
from explorer.tui.screens.export import ExportScreen
from explorer.tui.screens.help import HelpScreen
from explorer.tui.screens.mismatches import MismatchesScreen
from explorer.tui.screens.raw import EventScreen, RawScreen
from explorer.tui.screens.results import ResultsScreen
from explorer.tui.screens.stats import StatsScreen
from explorer.tui.screens.timeline import TimelineScreen
from explorer.tui.state import FilterHistory, Settings
from explorer.tui.sync import (
    FOLLOW,
    Following,
    FollowPolled,
    Remote,
    follow_worker,
    sync_settings,
    sync_worker,
)
from explorer.tui.sync import GROUP as SYNC_GROUP
from explorer.tui.text import clean

# What j k g G run on the focused widget: the first action it has.
_VI_ACTIONS = {
    "down": ("cursor_down", "scroll_down"),
    "up": ("cursor_up", "scroll_up"),
    "first": ("scroll_top", "first", "scroll_home"),
    "last": ("scroll_bottom", "last", "scroll_end"),
}


def _quiet(_message: str) -> None:
    """Cache notices are shown as notifications on mount, not printed."""


class ExplorerApp(App[None]):
    """Browse the audit events in the cache at ``cache_path``."""

    TITLE = "audit-explorer"
    CSS_PATH = "explorer.tcss"
    COMMANDS = App.COMMANDS | {ExplorerCommands, QueryCommands, FilterCommands}
    BINDINGS = bindings("app")

    def __init__(
        self,
        cache_path: Path,
        *,
        now: datetime | None = None,
        export_dir: Path | None = None,
        contract: str | None = None,
        config: Config | None = None,
        filter: str = "",
        history: FilterHistory | None = None,
        settings: Settings | None = None,
        remote: Remote | None = None,
        forwarded: bool = False,
        interval: float = 5.0,
    ) -> None:
        super().__init__()
        self.remote = remote  # the tui command's source options, when given
        self.forwarded = forwarded  # remote's URL is a port-forward's: not worth remembering
        self.following = Following(interval)
        self._follow_timer: Timer | None = None
        self.config = config or Config()
        self.set_keymap(check_keymap(self.config.keymap, self.config.path or "config"))
        self.initial_filter = self.config.filters.get(filter, filter)  # a name, or itself
        self.history = history or FilterHistory()
        self.settings = settings or Settings()
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
            cache.notices = list(dict.fromkeys(notices + cache.notices))  # said once
            return cache

    def writable_cache(self) -> Cache:
        """Swap the read-only cache for a writable one (before a sync, on this thread).

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
        if (theme := self.settings.theme) in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        # What opening did to an older cache (migrated, moved aside) is worth saying.
        for notice in self.cache.notices if self.cache is not None else ():
            self.notify(clean(notice), title="Cache", markup=False, timeout=10)

    def _remember_theme(self, theme: Theme) -> None:
        self.settings.theme = theme.name

    # -- data access for screens and workers ------------------------------------------------

    def cursor(self) -> Cursor:
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

    # -- routing: screens post requests, the app shows what they ask for -------------------

    @property
    def events_screen(self) -> EventsScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, EventsScreen)
        return screen

    def on_timeline_requested(self, message: TimelineRequested) -> None:
        self.push_screen(TimelineScreen(message.correlation_id, message.event_id))

    def on_event_requested(self, message: EventRequested) -> None:
        self.push_screen(EventScreen(message.event_id))

    def on_raw_requested(self, message: RawRequested) -> None:
        self.push_screen(RawScreen(message.record))

    def on_mismatches_requested(self, message: MismatchesRequested) -> None:
        self.push_screen(MismatchesScreen(message.filter), self._drill_down)

    def _drill_down(self, expr: str | None) -> None:
        if expr is not None:
            self.events_screen.apply_filter(expr)

    def on_stats_requested(self, message: StatsRequested) -> None:
        self.push_screen(StatsScreen(message.filter), self._drill_down)

    def on_export_requested(self, message: ExportRequested) -> None:
        if self.cache is None:
            self.notify("Nothing to export: the cache is empty.", severity="warning")
            return
        screen = ExportScreen(
            message.sql,
            message.params,
            message.label,
            directory=self.export_dir,
            selection=message.selection,
        )
        self.push_screen(screen)

    def on_query_requested(self, message: QueryRequested) -> None:
        self.push_screen(ResultsScreen(message.name))

    async def on_command_chosen(self, message: CommandChosen) -> None:
        """A palette action: ``app.<name>`` runs here; any other on the screen in view
        when it has that action (the query row's timeline), else on the home screen."""
        action = message.action.action
        if action.startswith("app."):
            await self.run_action(action)
            return
        if hasattr(self.screen, f"action_{action.split('(')[0]}"):
            await self.run_action(action, self.screen)
            return
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.run_action(action, self.events_screen)

    async def on_filter_chosen(self, message: FilterChosen) -> None:
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self.events_screen.apply_filter(message.expr)

    def action_vi(self, move: str) -> None:
        """j k g G on a list without its own: the focused widget's cursor moves (DataTable,
        Tree, OptionList; a scrolled view scrolls)."""
        widget = self.focused
        for name in _VI_ACTIONS.get(move, ()):
            if callable(action := getattr(widget, f"action_{name}", None)):
                action()
                return

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.config.keymap))

    # -- sync: writable while it runs, read-only again after -------------------------------

    def on_sync_requested(self, _message: SyncRequested) -> None:
        if any(w.group == SYNC_GROUP and w.is_running for w in self.workers):
            self.notify("A sync is already running.", title="Sync", markup=False)
            return
        try:
            settings, source = self.source_settings()
        except ExplorerError as exc:
            self.notify(clean(str(exc)), title="Sync", severity="warning", markup=False)
            return
        try:
            cache = self.writable_cache()
        except ExplorerError as exc:
            self.notify(clean(str(exc)), title="Sync failed", severity="error", markup=False)
            return
        self.sub_title = "syncing…"
        self.run_worker(
            partial(
                sync_worker,
                cache,
                settings,
                source,
                self.post_message,
                remember=self.forwarded is False,
            ),
            thread=True,
            exclusive=True,
            group=SYNC_GROUP,
            exit_on_error=False,
            description="Sync failed",
        )

    def on_sync_progressed(self, message: SyncProgressed) -> None:
        self.events_screen.show_progress(message.events, message.expected)

    def on_sync_finished(self, message: SyncFinished) -> None:
        self._sync_ended()
        severity: SeverityLevel = "information" if message.complete else "warning"
        self.notify(message.summary, title="Sync", severity=severity, markup=False)
        self.has_events = self.cache is not None and self.cache.count() > 0
        self.events_screen.reload()

    def on_sync_failed(self, message: SyncFailed) -> None:
        self._sync_ended()
        self.notify(clean(message.error), title="Sync failed", severity="error", markup=False)

    def _sync_ended(self) -> None:
        self._reopen_read_only()
        self.events_screen.show_progress(None)
        self.sub_title = self._header()

    def _header(self) -> str:
        return self.following.header() if self.following.on else clean(str(self.cache_path))

    def source_settings(self) -> Remote:
        """Where to sync and follow from: the tui command's options, else as
        :func:`explorer.tui.sync.sync_settings` says (the cache's last source among them)."""
        return self.remote if self.remote is not None else sync_settings(self._origin())

    def _origin(self) -> Origin | None:
        if self.cache is None:
            return None
        try:
            return last_origin(self.cursor())
        except ExplorerError:
            return None

    # -- follow: a poll every few seconds, writable while it runs ------------------------------

    def toggle_follow(self) -> None:
        """Follow on (a poll now, then every ``interval`` seconds) or off."""
        following = self.following
        if following.on:
            following.on = False
            if self._follow_timer is not None:
                self._follow_timer.stop()
            if not self._syncing():
                self.sub_title = self._header()
            self.notify("Stopped following.", title="Follow", markup=False)
            return
        try:
            self.source_settings()
        except ExplorerError as exc:
            self.notify(clean(str(exc)), title="Follow", severity="warning", markup=False)
            return
        following.on, following.failures, following.error = True, 0, None
        self.sub_title = following.header()
        self._poll()

    def _syncing(self) -> bool:
        return any(w.group == SYNC_GROUP and w.is_running for w in self.workers)

    def _reading(self) -> bool:
        """A screen's worker is reading the cache: a poll that swapped the reader for a
        writer now would interrupt it (Cache.close), so the poll waits for the next tick."""
        return any(w.group != SYNC_GROUP and w.is_running for w in self.workers)

    def _poll_later(self) -> None:
        if self._follow_timer is not None:
            self._follow_timer.stop()
        if self.following.on:
            self._follow_timer = self.set_timer(self.following.delay, self._poll)

    def _poll(self) -> None:
        if not self.following.on:
            return
        if self._syncing() or self._reading():  # the cache is busy: the next tick
            self._poll_later()
            return
        try:
            settings, source = self.source_settings()
            cache = self.writable_cache()
        except ExplorerError as exc:
            self.on_follow_polled(FollowPolled(self.clock(), 0, str(exc)))
            return
        work = partial(follow_worker, cache, settings, source, self.post_message)
        self.run_worker(
            partial(work, remember=self.forwarded is False),
            name=FOLLOW,
            thread=True,
            group=SYNC_GROUP,
            exit_on_error=False,
            description="Follow failed",
        )

    def on_follow_polled(self, message: FollowPolled) -> None:
        self._reopen_read_only()
        self.following.polled(message)
        self.sub_title = self._header()
        self._poll_later()
        if message.new and self.cache is not None:
            had_events, self.has_events = self.has_events, self.cache.count() > 0
            if had_events:
                self.events_screen.arrived(message.started)
            else:
                self.events_screen.reload()

    # -- evidence: verify writes like a sync (one writer at a time); reconstruct only asks --

    def on_verify_requested(self, message: VerifyRequested) -> None:
        if any(w.group == SYNC_GROUP and w.is_running for w in self.workers):
            self.notify("A sync or verify is already running.", title="Verify", markup=False)
            return
        try:
            settings, source = self.source_settings()
            cache = self.writable_cache()
        except ExplorerError as exc:
            self.notify(clean(str(exc)), title="Verify", severity="warning", markup=False)
            return
        self.sub_title = "verifying…"
        work = partial(verify_worker, cache, settings, source, message.correlation_id)
        self.run_worker(
            partial(work, self.post_message),
            thread=True,
            exclusive=True,
            group=SYNC_GROUP,
            exit_on_error=False,
            description="Verify failed",
        )

    def on_verify_finished(self, message: VerifyFinished) -> None:
        self._sync_ended()
        severity: SeverityLevel = "error" if message.tampered else "information"
        self.notify(clean(message.summary), title="Verify", severity=severity, markup=False)
        if isinstance(self.screen, TimelineScreen):
            self.screen.reload()

    def on_verify_failed(self, message: VerifyFailed) -> None:
        self._sync_ended()
        self.notify(clean(message.error), title="Verify failed", severity="error", markup=False)

    def on_reconstruct_requested(self, message: ReconstructRequested) -> None:
        try:
            settings, _source = self.source_settings()
        except ExplorerError as exc:
            self.notify(clean(str(exc)), title="Reconstruct", severity="warning", markup=False)
            return
        self.run_worker(
            partial(reconstruct_worker, settings, message.correlation_id, self.post_message),
            thread=True,
            exclusive=True,
            group="reconstruct",
            exit_on_error=False,
            description="Reconstruction failed",
        )

    def on_reconstruction_loaded(self, message: ReconstructionLoaded) -> None:
        self.push_screen(ReconstructionScreen(message.found))

    # -- failures ---------------------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Any worker that fails becomes a notification, never a crash."""
        if event.state is not WorkerState.ERROR:
            return
        if event.worker.group == SYNC_GROUP:
            self._sync_ended()  # a sync that crashed still gives the cache back
        error = event.worker.error
        message = (
            str(error) if isinstance(error, ExplorerError) else f"{type(error).__name__}: {error}"
        )
        if event.worker.name == FOLLOW:  # in the header, and the next poll backs off
            self.on_follow_polled(FollowPolled(self.clock(), 0, message))
            return
        self.notify(
            clean(message),
            title=event.worker.description or "Error",
            severity="error",
            markup=False,
        )

    def on_unmount(self) -> None:
        if self.cache is not None:
            self.cache.close()
