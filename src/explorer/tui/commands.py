"""Command palette providers: the registry's actions, and the named queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.message import Message

from explorer.errors import ExplorerError
from explorer.tui.actions import Action, palette_actions
from explorer.tui.messages import CommandChosen, QueryRequested
from explorer.tui.text import clean

if TYPE_CHECKING:
    from explorer.tui.app import ExplorerApp


class ExplorerCommands(Provider):
    """The explorer's actions by name (the registry's entries with a palette title)."""

    def _callback(self, action: Action) -> Callable[[], None]:
        def chosen() -> None:
            self.app.post_message(CommandChosen(action))

        return chosen

    async def discover(self) -> Hits:
        for action in palette_actions():
            yield DiscoveryHit(action.title, self._callback(action), help=action.palette_help())

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action in palette_actions():
            if (score := matcher.match(action.title)) > 0:
                hit = matcher.highlight(action.title)
                yield Hit(score, hit, self._callback(action), help=action.palette_help())


class QueryCommands(Provider):
    """The named queries (built-in and the user's); results open like any view."""

    async def startup(self) -> None:
        from explorer.core.queries import load_queries

        try:
            self.queries = {name: q.description for name, q in load_queries().items()}
        except ExplorerError:
            self.queries = {}

    def _callback(self, name: str) -> Callable[[], None]:
        def chosen() -> None:
            self.app.post_message(QueryRequested(name))

        return chosen

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


@dataclass
class FilterChosen(Message):
    """A named filter was picked in the palette: the events screen applies ``expr``."""

    name: str
    expr: str


class FilterCommands(Provider):
    """The config's named filters (``[filters]``): ``Filter: oom`` applies one."""

    def _filters(self) -> dict[str, str]:
        app: ExplorerApp = self.app  # type: ignore[assignment]
        return app.config.filters

    def _callback(self, name: str, expr: str) -> Callable[[], None]:
        def chosen() -> None:
            self.app.post_message(FilterChosen(name, expr))

        return chosen

    async def discover(self) -> Hits:
        for name, expr in self._filters().items():
            yield DiscoveryHit(f"Filter: {name}", self._callback(name, expr), help=clean(expr))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, expr in self._filters().items():
            title = f"Filter: {name}"
            if (score := matcher.match(title)) > 0:
                hit = matcher.highlight(title)
                yield Hit(score * 0.9, hit, self._callback(name, expr), help=clean(expr))
