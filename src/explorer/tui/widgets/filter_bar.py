"""The filter bar: one expression of the filter language, completion, errors in place."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input, Static

from explorer.core.filters import Filter, apply_completion, complete, parse_filter
from explorer.errors import ExplorerError, FilterError
from explorer.tui.actions import bindings
from explorer.tui.text import VisibleControls, clean, has_controls

ValueSource = Callable[[str, str], list[str]]
HINT = "service:gateway  type:aiagent.*  status:invalid  outcome:failure  since:24h  -status:ok"


class FilterSuggester(Suggester):
    """Completes the key or value at the end of the expression from the cache's values."""

    def __init__(self, values: ValueSource, found: Callable[[str, list[str]], None]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.values = values
        self.found = found

    async def get_suggestion(self, value: str) -> str | None:
        try:
            candidates = await asyncio.to_thread(complete, value, len(value), self.values)
        except ExplorerError:
            candidates = []
        self.found(value, candidates)
        if not candidates:
            return None
        completed, _ = apply_completion(value, len(value), candidates[0])
        if completed == value or has_controls(completed):  # a ghost text is drawn raw
            return None
        return completed


class FilterBar(Vertical):
    """``/`` focuses it, Enter applies, Escape leaves; a bad expression keeps the old results."""

    DEFAULT_CSS = """
    FilterBar {
        height: auto;
        & > Input, & > Input:focus { border: none; height: 1; padding: 0 1; }
        & > Input:focus { background: $boost; }
        & > #filter-hint { height: 1; padding: 0 1; color: $text-muted; }
        &.-error > #filter-hint { color: $error; }
    }
    """

    BINDINGS = bindings("filter-bar")

    @dataclass
    class Changed(Message):
        """A valid expression was applied."""

        bar: FilterBar
        filter: Filter

    @dataclass
    class Left(Message):
        bar: FilterBar

    def __init__(
        self, values: ValueSource, now: Callable[[], datetime], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.values = values
        self.now = now
        self.applied = ""
        self.suggester = FilterSuggester(values, self._show_candidates)

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="Filter (press /): keys, values, bare words…",
            suggester=self.suggester,
            highlighter=VisibleControls(),
            id="filter-input",
        )
        yield Static(Text(HINT, end=""), id="filter-hint")

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def set_expression(self, expr: str) -> bool:
        """Show and apply ``expr`` (from a drill-down); False when it does not parse."""
        self.input.value = expr
        return self._apply(expr)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._apply(event.value):
            self.post_message(self.Left(self))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.set_class(False, "-error")
        if not event.value:
            self._show_candidates("", [])

    def _show_candidates(self, value: str, candidates: list[str]) -> None:
        # A late answer for an expression already applied (or since edited) is stale.
        stale = value != self.input.value or (value and value == self.applied)
        if self.has_class("-error") or stale:
            return
        hint = "tab completes: " + "  ".join(candidates[:10]) if candidates else HINT
        self.query_one("#filter-hint", Static).update(Text(clean(hint), end=""))

    def _apply(self, expr: str) -> bool:
        try:
            flt = parse_filter(expr, now=self.now())
        except FilterError as exc:
            self._show_error(expr, exc)
            return False
        self.applied = expr
        self.set_class(False, "-error")
        self.query_one("#filter-hint", Static).update(Text(clean(HINT), end=""))
        self.post_message(self.Changed(self, flt))
        return True

    def _show_error(self, expr: str, exc: FilterError) -> None:
        self.set_class(True, "-error")
        text = Text(f"✗ {clean(str(exc))}", end="")
        if expr:
            start = max(0, min(exc.position, len(expr)))
            end = min(len(expr), start + max(exc.length, 1))
            text.append("   ")
            text.append(clean(expr[:start]), style="dim")
            text.append(clean(expr[start:end]) or " ", style="reverse")
            text.append(clean(expr[end:]), style="dim")
        self.query_one("#filter-hint", Static).update(text)

    def action_leave(self) -> None:
        self.post_message(self.Left(self))

    def action_accept(self) -> None:
        """Tab takes the suggested completion (as the right arrow does at the end)."""
        self.input.action_cursor_right()
