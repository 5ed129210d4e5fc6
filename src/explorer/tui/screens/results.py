"""A named query's result, shown like any view: parameters, a table, export."""

from __future__ import annotations

import shlex

import pyarrow as pa
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from explorer.core.queries import NamedQuery, bind_params, load_queries, run_query
from explorer.errors import ExplorerError
from explorer.tui.actions import bindings
from explorer.tui.messages import ExportRequested
from explorer.tui.screens.base import ExplorerScreenMixin
from explorer.tui.styles import follow_theme, palette
from explorer.tui.text import VisibleControls, clean
from explorer.tui.widgets.result_table import ResultTable


class QueryFinished(Message):
    def __init__(self, table: pa.Table) -> None:
        super().__init__()
        self.table = table


class ResultsScreen(ExplorerScreenMixin, Screen[None]):
    """Edit ``name=value`` parameters and press Enter to run the query again."""

    BINDINGS = bindings("results")

    def __init__(self, name: str) -> None:
        super().__init__()
        self.query_name = name
        self.named: NamedQuery | None = None
        self.given: dict[str, str] = {}
        self.problem = ""

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Static(
            Text(f"Query {clean(self.query_name)}", style="bold"),
            classes="view-summary",
            id="query-summary",
        )
        yield Input(
            placeholder="parameters: name=value …", highlighter=VisibleControls(), id="query-params"
        )
        yield Vertical(id="query-result", classes="view-table")
        yield Footer()

    def on_mount(self) -> None:
        try:
            self.named = load_queries()[self.query_name]
        except (ExplorerError, KeyError) as exc:
            self.problem = clean(f"cannot load query {self.query_name}: {exc}")
            self._show_problem()
            follow_theme(self, self._show_problem)
            return
        defaults = " ".join(
            f"{k}={shlex.quote(v)}" for k, v in self.named.params.items() if v is not None
        )
        self.query_one("#query-params", Input).value = defaults
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

    @on(Input.Submitted, "#query-params")
    def _run(self) -> None:
        if self.named is None:
            return
        try:
            words = shlex.split(self.query_one("#query-params", Input).value)
        except ValueError as exc:
            self.notify(clean(f"parameters: {exc}"), severity="error", markup=False)
            return
        self.given = dict(w.split("=", 1) for w in words if "=" in w)
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
        holder = self.query_one("#query-result", Vertical)
        await holder.remove_children()
        holder.border_title = Text(f"{message.table.num_rows:,} rows")
        table = ResultTable(message.table, id="query-table")
        await holder.mount(table)
        table.focus()

    def action_export(self) -> None:
        if self.named is None:
            return
        try:
            values = bind_params(self.named, self.given, now=self.explorer.clock())
        except ExplorerError as exc:
            self.notify(clean(str(exc)), severity="error", markup=False)
            return
        label = f"the result of query {clean(self.named.name)}"
        self.post_message(ExportRequested(self.named.sql, values or None, label))
