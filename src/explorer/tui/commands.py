"""Command palette providers: every action of the explorer, and the named queries."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from explorer.errors import ExplorerError

if TYPE_CHECKING:
    from explorer.tui.app import ExplorerApp

# (title, help, action on the events screen or the app)
ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Filter events", "Focus the filter bar (/)", "events.filter"),
    ("Clear the filter", "Show every event again", "events.clear_filter"),
    (
        "Incident timeline",
        "Every event of the highlighted event's correlation ID (t)",
        "events.timeline",
    ),
    (
        "Mismatches",
        "Non-ok events by service, type, status and issue kind (m)",
        "events.mismatches",
    ),
    ("Stats", "Events over time, per service and outcome (g)", "events.stats"),
    (
        "Export current view",
        "Write the filtered events to CSV, JSON, NDJSON or Parquet (e)",
        "events.export",
    ),
    ("Raw JSON", "The highlighted event as received (r)", "events.raw"),
    ("Toggle detail", "Show or hide the detail pane (d)", "events.toggle_detail"),
    ("Jump to newest", "First row (home)", "events.newest"),
    ("Jump to oldest", "Last row (end)", "events.oldest"),
    ("Sync", "Fetch new events from DataStorage (s)", "events.sync"),
    ("Help", "Every key binding (?)", "app.help"),
    ("Quit", "Leave the explorer (q)", "app.quit"),
)


class ExplorerCommands(Provider):
    """The explorer's actions by name."""

    @property
    def explorer(self) -> ExplorerApp:
        return cast("ExplorerApp", self.app)

    def _callback(self, action: str) -> Callable[[], None]:
        return partial(self.explorer.run_command, action)

    async def discover(self) -> Hits:
        for title, help_text, action in ACTIONS:
            yield DiscoveryHit(title, self._callback(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in ACTIONS:
            if (score := matcher.match(title)) > 0:
                yield Hit(score, matcher.highlight(title), self._callback(action), help=help_text)


class QueryCommands(Provider):
    """The named queries (built-in and the user's); results open like any view."""

    async def startup(self) -> None:
        from explorer.core.queries import load_queries

        try:
            self.queries = {name: q.description for name, q in load_queries().items()}
        except ExplorerError:
            self.queries = {}

    def _callback(self, name: str) -> Callable[[], None]:
        return partial(cast("ExplorerApp", self.app).run_named_query, name)

    async def discover(self) -> Hits:
        for name, description in self.queries.items():
            yield DiscoveryHit(f"Query: {name}", self._callback(name), help=description)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, description in self.queries.items():
            title = f"Query: {name}"
            if (score := matcher.match(title)) > 0:
                # Below an action of the same score: "incid" means the timeline first.
                hit = matcher.highlight(title)
                yield Hit(score * 0.9, hit, self._callback(name), help=description)
