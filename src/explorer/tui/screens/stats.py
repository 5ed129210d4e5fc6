"""Stats for the current filter: events over time, and counts per service and outcome.

Services are listed busiest first; Enter on one shows its events (the filter and it).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from explorer.core.filters import Filter, quote_value
from explorer.core.stats import Histogram, OutcomeCount, by_service, histogram, outcome_counts
from explorer.tui.actions import bindings
from explorer.tui.screens.base import ExplorerScreenMixin
from explorer.tui.styles import Palette, follow_theme, palette
from explorer.tui.text import clean, safe
from explorer.tui.widgets.footer import ExplorerFooter
from explorer.tui.widgets.histogram import HistogramView


class StatsLoaded(Message):
    def __init__(self, hist: Histogram, counts: list[OutcomeCount]) -> None:
        super().__init__()
        self.hist = hist
        self.counts = counts


class StatsScreen(ExplorerScreenMixin, Screen[str | None]):
    """Dismissed with the filter of the service chosen (Enter), or None (back)."""

    BINDINGS = bindings("stats")

    def __init__(self, flt: Filter) -> None:
        super().__init__()
        self.filter = flt
        self.counts: list[OutcomeCount] | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        text = Text("Stats for ", end="")
        text.append(clean(self.filter.expr.strip()) or "all events", style="bold")
        yield Static(text, classes="view-summary")
        with VerticalScroll():
            view = HistogramView(id="stats-histogram")
            view.border_title = "Events over time"
            yield view
            table: DataTable[Text] = DataTable(
                cursor_type="row", classes="view-table", id="stats-table"
            )
            table.border_title = "Per service and outcome"
            yield table
        yield ExplorerFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        follow_theme(self, self._show_counts)
        self._load(self.filter, max(self.size.width - 14, 12))

    @work(
        thread=True,
        exclusive=True,
        group="stats",
        exit_on_error=False,
        description="Counting events",
    )
    def _load(self, flt: Filter, buckets: int) -> None:
        cursor = self.explorer.cursor()
        hist = histogram(cursor, flt.where, flt.params, buckets=buckets)
        self.post_message(StatsLoaded(hist, outcome_counts(cursor, flt.where, flt.params)))

    def on_stats_loaded(self, message: StatsLoaded) -> None:
        self.query_one(HistogramView).show(message.hist)
        self.counts = message.counts
        self._show_counts()

    def _show_counts(self) -> None:
        if self.counts is not None:
            fill_outcomes(self.query_one(DataTable), self.counts, palette(self.app))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        service = event.row_key.value
        if not service or service == TOTAL_KEY:
            return
        terms = [self.filter.expr.strip(), f"service:{quote_value(service)}"]
        self.dismiss(" ".join(term for term in terms if term))

    def action_back(self) -> None:
        self.dismiss(None)


TOTAL_KEY = "\x00total"  # the totals row's key: no service is named so (controls are shown)


def fill_outcomes(table: DataTable[Text], counts: list[OutcomeCount], colors: Palette) -> None:
    """One row per service, busiest first, one column per outcome, and the totals."""
    outcomes = sorted({c.outcome for c in counts})
    rows = by_service(counts)
    table.clear(columns=True)
    table.add_columns("service", *(safe(o) for o in outcomes), "total")
    for service, row, total in rows:
        cells = [
            Text(
                f"{row.get(o, 0):,}",
                justify="right",
                style=colors("bad") if o == "failure" and row.get(o) else "",
            )
            for o in outcomes
        ]
        table.add_row(
            safe(service), *cells, Text(f"{total:,}", justify="right", style="bold"), key=service
        )
    totals = [
        Text(f"{sum(r.get(o, 0) for _s, r, _t in rows):,}", justify="right", style="bold")
        for o in outcomes
    ]
    table.add_row(
        Text("total", style="bold"),
        *totals,
        Text(f"{sum(c.events for c in counts):,}", justify="right", style="bold"),
        key=TOTAL_KEY,
    )
