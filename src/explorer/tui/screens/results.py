"""A named query's result, shown like any view: parameters, a table, export.

A row that names an event or a correlation is a way in: Enter opens the event (or, with
only a correlation ID, its timeline), ``t`` the timeline. ``p`` edits the parameters in a
small form; the strip under the table shows the highlighted row's values in full.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static
from textual_fastdatatable import DataTable

from explorer.core.manifest import query_selection
from explorer.core.queries import NamedQuery, bind_params, load_queries, run_query
from explorer.errors import ExplorerError
from explorer.tui.actions import bindings
from explorer.tui.messages import EventRequested, ExportRequested, TimelineRequested
from explorer.tui.screens.base import ExplorerScreenMixin
from explorer.tui.screens.params import ParamsScreen
from explorer.tui.styles import follow_theme, palette
from explorer.tui.text import clean, plural
from explorer.tui.widgets.footer import ExplorerFooter
from explorer.tui.widgets.result_table import ResultTable


class QueryFinished(Message):
    def __init__(self, table: pa.Table) -> None:
        super().__init__()
        self.table = table


class ResultsScreen(ExplorerScreenMixin, Screen[None]):
    """A named query's rows; ``p`` changes its parameters and runs it again."""

    BINDINGS = bindings("results")

    def __init__(self, name: str) -> None:
        super().__init__()
        self.query_name = name
        self.named: NamedQuery | None = None
        self.given: dict[str, str] = {}
        self.problem = ""
        self.result: pa.Table | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Static(
            Text(f"Query {clean(self.query_name)}", style="bold"),
            classes="view-summary",
            id="query-summary",
        )
        yield Static("", classes="view-summary", id="query-params")
        yield Vertical(id="query-result", classes="view-table")
        yield Static("", classes="full-value", id="query-full")
        yield ExplorerFooter()

    def on_mount(self) -> None:
        try:
            self.named = load_queries()[self.query_name]
        except (ExplorerError, KeyError) as exc:
            self.problem = clean(f"cannot load query {self.query_name}: {exc}")
            self._show_problem()
            follow_theme(self, self._show_problem)
            return
        self._summary(
            Text.assemble(
                (clean(self.named.name), "bold"), "  ", (clean(self.named.description), "dim")
            )
        )
        self._run()

    def _show_problem(self) -> None:
        self._summary(Text(self.problem, style=palette(self.app)("bad")))

    def _summary(self, text: Text) -> None:
        self.query_one("#query-summary", Static).update(text)

    def _run(self) -> None:
        if self.named is None:
            return
        self.query_one("#query-params", Static).update(params_text(self.named, self.given))
        self._execute(self.named, self.given)

    @work(
        thread=True, exclusive=True, group="query", exit_on_error=False, description="Query failed"
    )
    def _execute(self, named: NamedQuery, given: dict[str, str]) -> None:
        self.post_message(
            QueryFinished(
                run_query(self.explorer.cursor(), named, given, now=self.explorer.clock())
            )
        )

    async def on_query_finished(self, message: QueryFinished) -> None:
        self.result = message.table
        holder = self.query_one("#query-result", Vertical)
        await holder.remove_children()
        holder.border_title = Text(plural(message.table.num_rows, "row"))
        table = ResultTable(message.table, id="query-table")
        await holder.mount(table)
        table.focus()
        self._show_full()

    # -- the highlighted row ------------------------------------------------------------------

    def row(self) -> dict[str, Any] | None:
        """The highlighted row, by column name."""
        tables = self.query(ResultTable)
        if self.result is None or not tables:
            return None
        index = tables.first().cursor_row
        if not 0 <= index < self.result.num_rows:
            return None
        return {name: values[0] for name, values in self.result.slice(index, 1).to_pydict().items()}

    @on(DataTable.RowHighlighted)
    def _show_full(self) -> None:
        row = self.row()
        self.query_one("#query-full", Static).update(row_text(row) if row else "")

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """The row's event; a row with only a correlation ID opens its timeline."""
        row = self.row() or {}
        if isinstance(event_id := row.get("event_id"), str) and event_id:
            self.post_message(EventRequested(event_id))
        elif not self._timeline(row):
            self.notify("This row names no event or correlation ID.", markup=False)

    def action_timeline(self) -> None:
        if not self._timeline(self.row() or {}):
            self.notify("This row names no correlation ID.", markup=False)

    def _timeline(self, row: dict[str, Any]) -> bool:
        corr = row.get("correlation_id")
        if not isinstance(corr, str) or not corr:
            return False
        event_id = row.get("event_id")
        self.post_message(TimelineRequested(corr, event_id if isinstance(event_id, str) else None))
        return True

    # -- parameters and export ----------------------------------------------------------------

    def action_params(self) -> None:
        if self.named is None:
            return
        if not self.named.params:
            self.notify(f"Query {clean(self.named.name)} has no parameters.", markup=False)
            return
        self.app.push_screen(
            ParamsScreen(self.named, self.given, self.explorer.clock()), self._rerun
        )

    def _rerun(self, values: dict[str, str] | None) -> None:
        if values is not None:
            self.given = values
            self._run()

    def action_export(self) -> None:
        if self.named is None:
            return
        try:
            values = bind_params(self.named, self.given, now=self.explorer.clock())
        except ExplorerError as exc:
            self.notify(clean(str(exc)), severity="error", markup=False)
            return
        label = f"the result of query {clean(self.named.name)}"
        chosen = query_selection(self.named.name, self.named.sql, values)
        self.post_message(ExportRequested(self.named.sql, values or None, label, chosen))


def params_text(named: NamedQuery, given: dict[str, str]) -> Text:
    """``since=7d  until=now   p changes them`` (defaults dim)."""
    out = Text(end="", no_wrap=True, overflow="ellipsis")
    if not named.params:
        out.append("no parameters", style="dim")
        return out
    for name, default in named.params.items():
        value = given.get(name, default)
        out.append(f"{clean(name)}=", style="dim")
        out.append(clean(value if value is not None else "?"), style="" if name in given else "dim")
        out.append("  ")
    out.append(" p changes them", style="dim italic")
    return out


def row_text(row: dict[str, Any]) -> Text:
    """Every value of the row in full (``name value``), for the strip under the table."""
    out = Text(end="")
    for index, (name, value) in enumerate(row.items()):
        if index:
            out.append("  ")
        out.append(f"{clean(name)} ", style="dim")
        out.append(clean("null" if value is None else value))
    return out
