"""Mismatches: non-ok events by verdict, service, event type, status and issue kind.

The verdict comes from the contracts an event fits: version skew (it fits another
shipped contract) is told apart from a producer bug (it fits none) and from drift.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from explorer.core.filters import Filter, quote_value
from explorer.core.stats import (
    VERDICT_ORDER,
    MismatchRow,
    Verdict,
    mismatch_summary,
    verdict_totals,
)
from explorer.models.registry import CONTRACT_NAMES
from explorer.tui.actions import bindings
from explorer.tui.screens.base import ExplorerScreenMixin
from explorer.tui.styles import Palette, Role, follow_theme, palette
from explorer.tui.text import badge, clean, safe
from explorer.tui.widgets.footer import ExplorerFooter

COLUMNS = ("events", "verdict / event type", "service", "status", "issue kind", "fits")
# (role, attributes) of each verdict's words
VERDICT_STYLES: dict[Verdict, tuple[Role, str]] = {
    "no contract": ("bad", "bold"),
    "version skew": ("info", "bold"),
    "drift": ("warn", ""),
}


def verdict_style(verdict: Verdict, colors: Palette) -> Style:
    return colors(*VERDICT_STYLES[verdict])


class MismatchesLoaded(Message):
    def __init__(self, rows: list[MismatchRow], totals: dict[Verdict, int], contract: str) -> None:
        super().__init__()
        self.rows = rows
        self.totals = totals
        self.contract = contract


PER_SECTION = 8  # groups shown under each verdict; the rest are one "more" line
_SECTION_TITLES: dict[Verdict, str] = {
    "no contract": "fits no contract: producer bugs",
    "version skew": "fits another contract: version skew",
    "drift": "drift: undeclared properties",
}
# The events of a whole verdict, in the filter language.
_VERDICT_FILTERS: dict[Verdict, str] = {
    "no contract": "-status:ok fits:none",
    "version skew": "-status:ok,drift -fits:none",
    "drift": "status:drift",
}


@dataclass(frozen=True)
class Entry:
    """One line of the table: a verdict's heading, a group, or the groups not shown."""

    verdict: Verdict
    row: MismatchRow | None = None  # a group
    events: int = 0  # a heading's events (each once)
    more: int = 0  # a "more" line: how many groups it stands for


def sections(rows: list[MismatchRow], totals: dict[Verdict, int], contract: str) -> list[Entry]:
    """Producer bugs, then version skew, then drift: a heading with the events of each,
    its largest groups, and one line for the rest."""
    entries: list[Entry] = []
    for verdict in VERDICT_ORDER[:3]:
        groups = [row for row in rows if row.verdict(contract) == verdict]
        if not groups:
            continue
        entries.append(Entry(verdict, events=totals.get(verdict, 0)))
        groups.sort(key=lambda row: -row.events)
        entries += [Entry(verdict, row=row) for row in groups[:PER_SECTION]]
        if len(groups) > PER_SECTION:
            entries.append(Entry(verdict, more=len(groups) - PER_SECTION))
    return entries


def verdict_expression(verdict: Verdict, base: str = "") -> str:
    """The filter that shows every event of one verdict."""
    return " ".join(part for part in (base.strip(), _VERDICT_FILTERS[verdict]) if part)


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

    BINDINGS = bindings("mismatches")

    def __init__(self, flt: Filter) -> None:
        super().__init__()
        self.filter = flt
        self.entries: list[Entry] = []
        self.loaded: MismatchesLoaded | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Static(Text("Counting non-ok events…"), classes="view-summary", id="mismatch-summary")
        table: DataTable[Text] = DataTable(
            cursor_type="row", zebra_stripes=True, classes="view-table", id="mismatch-table"
        )
        table.border_title = "Mismatches"
        yield table
        yield ExplorerFooter()

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        follow_theme(self, self._show)
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
            self.post_message(MismatchesLoaded([], {}, ""))
            return
        cur = self.explorer.cursor()
        rows = mismatch_summary(cur, flt.where, flt.params)
        totals = verdict_totals(cur, flt.where, flt.params)
        self.post_message(MismatchesLoaded(rows, totals, cache.contract))

    def on_mismatches_loaded(self, message: MismatchesLoaded) -> None:
        self.loaded = message
        self.entries = sections(message.rows, message.totals, message.contract)
        self._show()

    def _show(self) -> None:
        """Fill the table and the summary (again, in the colours of a new theme)."""
        if (message := self.loaded) is None:
            return
        colors = palette(self.app)
        table: DataTable[Text] = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for index, entry in enumerate(self.entries):
            table.add_row(*entry_cells(entry, colors), key=str(index))
        table.move_cursor(row=cursor)
        summary = Text(end="")
        if not message.rows:
            summary.append("No mismatches: every event decodes ok.", style=colors("ok"))
        else:
            summary.append_text(totals_text(message.totals, colors))
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
        if not 0 <= table.cursor_row < len(self.entries):
            return
        entry = self.entries[table.cursor_row]
        if entry.row is not None:
            self.dismiss(drill_expression(entry.row, self.filter.expr))
        else:
            self.dismiss(verdict_expression(entry.verdict, self.filter.expr))

    def action_back(self) -> None:
        self.dismiss(None)


def totals_text(totals: dict[Verdict, int], colors: Palette) -> Text:
    """``fits no contract 4 · fits another contract 312 · drift 28`` (events, each once)."""
    out = Text(end="")
    words = {"no contract": "fits no contract", "version skew": "fits another contract"}
    for index, (verdict, count) in enumerate(totals.items()):
        if index:
            out.append(" · ", style="dim")
        out.append(f"{words.get(verdict, verdict)} ", style=verdict_style(verdict, colors))
        out.append(f"{count:,}", style="bold")
    return out


def entry_cells(entry: Entry, colors: Palette) -> tuple[Text, ...]:
    style = verdict_style(entry.verdict, colors)
    blank = (Text(""),) * 4
    if entry.row is None and not entry.more:
        title = Text(_SECTION_TITLES[entry.verdict], style=style)
        return (Text(f"{entry.events:,}", style=style, justify="right"), title, *blank)
    if entry.row is None:
        more = f"… {entry.more:,} more group{'s' if entry.more != 1 else ''} (Enter: all)"
        return (Text(""), Text(more, style="dim italic"), *blank)
    row = entry.row
    status = badge(row.status)
    return (
        Text(f"{row.events:,}", justify="right"),
        safe("  " + clean(row.event_type)),
        safe(row.service),
        Text(status, style=colors("warn" if status == "drift" else "bad")),
        safe(row.issue_kind),
        Text(clean(fits_cell(row)), style="dim"),
    )


def fits_cell(row: MismatchRow) -> str:
    """``ok under v1.5.7`` where another version takes the events as they are, else the
    contracts they fit (``none``), oldest first."""
    order = {name: index for index, name in enumerate(CONTRACT_NAMES)}

    def names(found: tuple[str, ...]) -> str:
        return ", ".join(sorted(found, key=lambda name: order.get(name, len(order))))

    if row.fits_ok:
        return "ok under " + names(row.fits_ok)
    return names(row.fits) or "none"
