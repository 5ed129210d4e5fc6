"""The filter bar: one expression of the filter language, completion, errors in place."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping
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
from explorer.tui.state import FilterHistory
from explorer.tui.text import VisibleControls, clean, has_controls

ValueSource = Callable[[str, str], list[str]]
HINT = "service:gateway  type:aiagent.*  status:invalid  outcome:failure  since:24h  -status:ok"
_NAMED = re.compile(r"\s*@([\w.-]*)\s*")


class FilterSuggester(Suggester):
    """Completes the key or value at the end of the expression from the cache's values."""

    def __init__(
        self,
        values: ValueSource,
        found: Callable[[str, list[str]], None],
        named: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.values = values
        self.found = found
        self.named = named or {}

    async def get_suggestion(self, value: str) -> str | None:
        if (match := _NAMED.fullmatch(value)) is not None:
            candidates = [f"@{n}" for n in self.named if n.startswith(match.group(1))]
        else:
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
        self,
        values: ValueSource,
        now: Callable[[], datetime],
        *,
        history: FilterHistory | None = None,
        named: Mapping[str, str] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.values = values
        self.now = now
        self.applied = ""
        self.history = history
        self.named = dict(named or {})
        self._recalled: int | None = None  # the history entry shown, while walking it
        self._draft = ""  # what was typed before walking the history
        self.suggester = FilterSuggester(values, self._show_candidates, self.named)

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

    def expand_named(self, expr: str) -> str:
        """``@name`` is the named filter's expression (config ``[filters]``)."""
        match = _NAMED.fullmatch(expr)
        if match is None:
            return expr
        name = match.group(1)
        if name not in self.named:
            known = ", ".join(f"@{n}" for n in self.named) or "none in the config's [filters]"
            raise FilterError(f"no named filter @{name} (named filters: {known})", 0, len(expr))
        return self.named[name]

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            expr = self.expand_named(event.value)
        except FilterError as exc:
            self._show_error(event.value, exc)
            return
        if expr != event.value:
            self.input.value = expr
        if self._apply(expr):
            if self.history is not None:
                self.history.add(expr)
            self.post_message(self.Left(self))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.set_class(False, "-error")
        # The bar's value now, not the event's: Up pressed twice sends two changes.
        if self._recalled is not None and self.input.value != self._entry(self._recalled):
            self._recalled = None  # edited: no longer the entry recalled
        if not event.value:
            self._show_candidates("", [])

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        """Leaving the bar without Enter shows the filter that applies again."""
        event.stop()
        self._recalled = None
        if self.input.value != self.applied:
            self.input.value = self.applied
            self.set_class(False, "-error")
            self.query_one("#filter-hint", Static).update(Text(HINT, end=""))

    def note(self, text: str) -> None:
        """Say something about the applied filter (``did you mean gateway?``)."""
        if self.input.value == self.applied and not self.has_class("-error"):
            self.query_one("#filter-hint", Static).update(Text(clean(text), end=""))

    # -- history: Up older, Down newer, past the newest what was typed ---------------------

    def _entry(self, index: int) -> str:
        entries = self.history.entries if self.history is not None else []
        return entries[index] if 0 <= index < len(entries) else self._draft

    def action_older(self) -> None:
        entries = self.history.entries if self.history is not None else []
        if not entries:
            return
        if self._recalled is None:
            self._draft = self.input.value
            index = len(entries) - 1
        else:
            index = max(0, self._recalled - 1)
        self._recall(index)

    def action_newer(self) -> None:
        if self._recalled is None or self.history is None:
            return
        index = self._recalled + 1
        if index >= len(self.history.entries):
            self._recalled = None
            self.input.value = self._draft
            self.input.cursor_position = len(self._draft)
            return
        self._recall(index)

    def _recall(self, index: int) -> None:
        self._recalled = index
        self.input.value = self._entry(index)
        self.input.cursor_position = len(self.input.value)

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
