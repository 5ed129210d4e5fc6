"""Mismatches: non-ok events by verdict, service, event type, status and issue kind.

The verdict comes from the contracts an event fits: version skew (it fits another
shipped contract) is told apart from a producer bug (it fits none) and from drift.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from explorer.core.filters import Filter, quote_value
from explorer.core.stats import VERDICT_ORDER, MismatchRow, mismatch_summary
from explorer.tui.screens.base import ExplorerScreenMixin
from explorer.tui.text import badge, clean, safe

COLUMNS = ("events", "verdict", "service", "event type", "status", "issue kind", "fits")
_VERDICT_STYLE = {"no contract": "bold red", "version skew": "bold cyan", "drift": "yellow"}


class MismatchesLoaded(Message):
    def __init__(self, rows: list[MismatchRow], contract: str) -> None:
        super().__init__()
        self.rows = rows
        self.contract = contract


def ordered(rows: list[MismatchRow], contract: str) -> list[MismatchRow]:
    """Producer bugs first, then version skew, then drift; most events first in each."""
    rank = {verdict: index for index, verdict in enumerate(VERDICT_ORDER)}
    return sorted(rows, key=lambda row: (rank[row.verdict(contract)], -row.events))


def drill_expression(row: MismatchRow, base: str = "") -> str:
    """The filter that shows the events behind one mismatch row."""
    terms = [base.strip()] if base.strip() else []
    if row.service != "-":
        terms.append(f"service:{quote_value(row.service)}")
    if row.event_type != "-":
        terms.append(f"type:{quote_value(row.event_type)}")
    terms.append(f"status:{badge(row.status)}")
    if row.issue_kind != "-":
        terms.append(f"issue:{quote_value(row.issue_kind)}")
    terms += [f"fits:{quote_value(name)}" for name in row.fits] or ["fits:none"]
    return " ".join(terms)


class MismatchesScreen(ExplorerScreenMixin, Screen[str | None]):
    """The table an SRE reads first when a producer breaks; Enter shows those events."""

    BINDINGS = [Binding("escape,q", "back", "Back"), Binding("enter", "drill", "Show events")]

    def __init__(self, flt: Filter) -> None:
        super().__init__()
        self.filter = flt
        self.rows: list[MismatchRow] = []

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Static(Text("Counting non-ok events…"), classes="view-summary", id="mismatch-summary")
        table: DataTable[Text] = DataTable(
            cursor_type="row", zebra_stripes=True, classes="view-table", id="mismatch-table"
        )
        table.border_title = "Mismatches"
        yield table
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        self._load(self.filter)

    @work(
        thread=True,
        exclusive=True,
        group="mismatches",
        exit_on_error=False,
        description="Counting mismatches",
    )
    def _load(self, flt: Filter) -> None:
        cache = self.explorer.cache
        if cache is None:
            self.post_message(MismatchesLoaded([], ""))
            return
        rows = mismatch_summary(self.explorer.cursor(), flt.where, flt.params)
        self.post_message(MismatchesLoaded(ordered(rows, cache.contract), cache.contract))

    def on_mismatches_loaded(self, message: MismatchesLoaded) -> None:
        self.rows = message.rows
        table: DataTable[Text] = self.query_one(DataTable)
        table.clear()
        for index, row in enumerate(message.rows):
            table.add_row(*row_cells(row, message.contract), key=str(index))
        summary = Text(end="")
        if not message.rows:
            summary.append("No mismatches: every event decodes ok.", style="green")
        else:
            summary.append_text(verdict_totals(message.rows, message.contract))
            summary.append(f"   against {message.contract}", style="dim")
            summary.append("   Enter shows the events of a group", style="dim")
        if self.filter.expr.strip():
            summary.append("   filter: ", style="dim")
            summary.append(clean(self.filter.expr))
        self.query_one("#mismatch-summary", Static).update(summary)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    def action_drill(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return
        self.dismiss(drill_expression(self.rows[table.cursor_row], self.filter.expr))

    def action_back(self) -> None:
        self.dismiss(None)


def verdict_totals(rows: list[MismatchRow], contract: str) -> Text:
    """``fits no contract 4 · version skew 312 · drift 28`` (groups overlap by issue kind,
    so these count group rows' events, the way the table does)."""
    totals = {verdict: 0 for verdict in VERDICT_ORDER[:3]}
    for row in rows:
        totals[row.verdict(contract)] += row.events
    out = Text(end="")
    words = {"no contract": "fits no contract", "version skew": "fits another contract"}
    for index, (verdict, count) in enumerate(totals.items()):
        if index:
            out.append(" · ", style="dim")
        out.append(f"{words.get(verdict, verdict)} ", style=_VERDICT_STYLE[verdict])
        out.append(f"{count:,}", style="bold")
    return out


def row_cells(row: MismatchRow, contract: str) -> tuple[Text, ...]:
    status = badge(row.status)
    style = "yellow" if status == "drift" else "red"
    verdict = row.verdict(contract)
    return (
        Text(f"{row.events:,}", style="bold", justify="right"),
        Text(verdict, style=_VERDICT_STYLE.get(verdict, "")),
        safe(row.service),
        safe(row.event_type),
        Text(status, style=style),
        safe(row.issue_kind),
        Text(clean(", ".join(row.fits)) or "none", style="dim"),
    )
