"""The incident timeline: every event of one correlation ID in time order."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from explorer.core.filters import Filter, quote_value
from explorer.core.timeline import Step, Timeline, build_timeline
from explorer.tui.actions import bindings
from explorer.tui.messages import EventRequested, ExportRequested
from explorer.tui.screens.base import ExplorerScreenMixin
from explorer.tui.styles import Palette, follow_theme, palette
from explorer.tui.text import badge, clean, duration, safe, timestamp

# (title, width): the summary line above gives the date; steps show the time of day.
COLUMNS = (
    ("#", 4),
    ("time (UTC)", 12),
    ("+prev", 8),
    ("+start", 8),
    ("service", 12),
    ("event type", 30),
    ("outcome", 8),
    ("decode", 8),
    ("chain", 6),
)


class TimelineLoaded(Message):
    def __init__(self, timeline: Timeline) -> None:
        super().__init__()
        self.timeline = timeline


class TimelineScreen(ExplorerScreenMixin, Screen[None]):
    """Steps with the time since the previous one and since the start; problems marked."""

    BINDINGS = bindings("timeline")

    def __init__(self, correlation_id: str, event_id: str | None = None) -> None:
        super().__init__()
        self.correlation_id = correlation_id
        self.event_id = event_id  # the step to put the cursor on
        self.timeline: Timeline | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Static(
            Text(f"Timeline of {clean(self.correlation_id)}: loading…"),
            classes="view-summary",
            id="timeline-summary",
        )
        table: DataTable[Text] = DataTable(
            cursor_type="row", zebra_stripes=True, classes="view-table", id="timeline-table"
        )
        table.border_title = "Incident timeline"
        yield table
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        for title, width in COLUMNS:
            table.add_column(title, width=width)
        table.focus()
        follow_theme(self, self._show)
        self._load(self.correlation_id)

    @work(
        thread=True,
        exclusive=True,
        group="timeline",
        exit_on_error=False,
        description="Building the timeline",
    )
    def _load(self, correlation_id: str) -> None:
        self.post_message(TimelineLoaded(build_timeline(self.explorer.cursor(), correlation_id)))

    def on_timeline_loaded(self, message: TimelineLoaded) -> None:
        self.timeline = message.timeline
        self._show()

    def _show(self) -> None:
        """Fill the summary and the steps (again, in the colours of a new theme)."""
        if (timeline := self.timeline) is None:
            return
        colors = palette(self.app)
        self.query_one("#timeline-summary", Static).update(summary_text(timeline, colors))
        table: DataTable[Text] = self.query_one(DataTable)
        cursor = table.cursor_row if table.row_count else None
        table.clear()
        for number, step in enumerate(timeline.steps, 1):
            table.add_row(*step_cells(number, step, colors), key=step.event_id)
            if cursor is None and step.event_id == self.event_id:
                table.move_cursor(row=number - 1)
        if cursor is not None:
            table.move_cursor(row=cursor)

    @on(DataTable.RowSelected)
    def _step_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(EventRequested(event.row_key.value))

    def action_export(self) -> None:
        expr = f"corr:{quote_value(self.correlation_id)}"
        flt = Filter(expr, "correlation_id = ?", [self.correlation_id])
        self.post_message(ExportRequested.of_filter(flt))


def summary_text(timeline: Timeline, colors: Palette) -> Text:
    out = Text(end="")
    out.append("Correlation ", style="dim")
    out.append(clean(timeline.correlation_id), style="bold")
    if not timeline.steps:
        out.append("  no events in the cache", style=colors("warn"))
        return out
    out.append(f"   {len(timeline.steps)} steps", style="bold")
    out.append(f"   took {duration(timeline.duration.total_seconds())}")
    out.append(f"   {timestamp(timeline.started)} → {timestamp(timeline.ended)} UTC", style="dim")
    out.append("\n")
    failures = timeline.failures
    out.append(f"failures {failures}", style=colors("bad") if failures else colors("ok"))
    out.append("   ")
    problems = timeline.decode_problems
    out.append(f"decode problems {problems}", style=colors("warn") if problems else colors("ok"))
    out.append("   ")
    breaks = timeline.chain_breaks
    out.append(
        f"hash chain breaks {breaks}", style=colors("bad", "bold") if breaks else colors("ok")
    )
    out.append("   services ", style="dim")
    out.append(clean(" → ".join(timeline.services)))
    return out


def time_of_day(moment: datetime) -> str:
    """``10:00:01.250`` in UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%H:%M:%S.%f")[:12]


def step_cells(number: int, step: Step, colors: Palette) -> tuple[Text, ...]:
    status = badge(step.decode_status)
    chains: dict[bool | None, tuple[str, str | Style]] = {
        None: ("·", "dim"),
        True: ("ok", colors("ok")),
        False: ("BROKEN", colors("bad", "bold")),
    }
    chain = chains[step.chain_ok]
    since_prev = "" if step.since_prev is None else "+" + duration(step.since_prev.total_seconds())
    failed = step.failed
    status_style = "" if status == "ok" else colors("warn" if status == "drift" else "bad")
    return (
        Text(str(number), style="dim"),
        Text(time_of_day(step.timestamp)),
        Text(since_prev, style=colors("info")),
        Text("+" + duration(step.since_start.total_seconds()), style="dim"),
        safe(step.service or "-"),
        safe(step.event_type or "-", colors("bad") if failed else ""),
        safe(step.outcome or "-", colors("bad", "bold") if failed else ""),
        Text(status, style=status_style),
        Text(chain[0], style=chain[1]),
    )
