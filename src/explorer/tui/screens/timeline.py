"""The incident timeline: every event of one correlation ID in time order, and why it failed.

The summary names the first failure and its error; each step has a one-line error cell,
``n``/``N`` jump between failures and decode problems, long gaps stand out, and the strip
under the table shows the highlighted step's error in full.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from explorer.core.evidence import ChainEvidence, chain_evidence, verdict_summary
from explorer.core.filters import Filter, quote_value
from explorer.core.timeline import Step, Timeline, build_timeline
from explorer.tui.actions import bindings
from explorer.tui.messages import EventRequested, ExportRequested
from explorer.tui.screens.base import ExplorerScreenMixin
from explorer.tui.styles import Palette, follow_theme, palette
from explorer.tui.text import badge, clean, duration, plural, safe, timestamp
from explorer.tui.widgets.footer import ExplorerFooter

# (key, title, width); the error column takes what is left. Narrow screens drop the
# columns the others imply (the service is the event type's first word).
COLUMNS = (
    ("number", "#", 3),
    ("time", "time (UTC)", 12),
    ("prev", "+prev", 7),
    ("start", "+start", 7),
    ("service", "service", 12),
    ("type", "event type", 34),
    ("outcome", "outcome", 7),
    ("error", "error", 0),
    ("decode", "decode", 8),
    ("chain", "chain", 8),
)
# Columns dropped below each width, narrowest screen last.
DROPPED = ((160, {"start", "service"}), (120, {"time", "chain"}))
ERROR_MIN = 16


def columns_for(width: int) -> list[tuple[str, str, int]]:
    """The columns that fit ``width`` cells; the error column gets the rest."""
    dropped: set[str] = set()
    for below, keys in DROPPED:
        if width < below:
            dropped |= keys
    shown = [c for c in COLUMNS if c[0] not in dropped]
    if width < 120:  # event types are long: trim them before the error goes
        trimmed = 26 if width >= 100 else 22
        shown = [(k, t, trimmed if k == "type" else w) for k, t, w in shown]
    used = sum(w for _k, _t, w in shown) + 2 * len(shown) + 4  # padding, border, scrollbar
    return [(k, t, w or max(width - used, ERROR_MIN)) for k, t, w in shown]


class TimelineLoaded(Message):
    def __init__(self, timeline: Timeline, evidence: ChainEvidence | None = None) -> None:
        super().__init__()
        self.timeline = timeline
        self.evidence = evidence or ChainEvidence()


class TimelineScreen(ExplorerScreenMixin, Screen[None]):
    """Steps with the time since the previous one, their errors; problems marked."""

    BINDINGS = bindings("timeline")

    def __init__(self, correlation_id: str, event_id: str | None = None) -> None:
        super().__init__()
        self.correlation_id = correlation_id
        self.event_id = event_id  # the step to put the cursor on
        self.timeline: Timeline | None = None
        self.evidence = ChainEvidence()  # the server's verdicts and the hold
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Static(
            Text(f"Timeline of {clean(self.correlation_id)}: loading…"),
            classes="view-summary",
            id="timeline-summary",
        )
        yield Static("", classes="view-summary", id="timeline-why")
        table: DataTable[Text] = DataTable(
            cursor_type="row", zebra_stripes=True, classes="view-table", id="timeline-table"
        )
        table.border_title = "Incident timeline"
        yield table
        yield Static("", classes="full-value", id="timeline-full")
        yield ExplorerFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        follow_theme(self, self._show)
        self._load(self.correlation_id)

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self._show()

    @work(
        thread=True,
        exclusive=True,
        group="timeline",
        exit_on_error=False,
        description="Building the timeline",
    )
    def _load(self, correlation_id: str) -> None:
        cursor = self.explorer.cursor()
        timeline = build_timeline(cursor, correlation_id)
        ids = [step.event_id for step in timeline.steps]
        self.post_message(TimelineLoaded(timeline, chain_evidence(cursor, correlation_id, ids)))

    def on_timeline_loaded(self, message: TimelineLoaded) -> None:
        self.timeline = message.timeline
        self.evidence = message.evidence
        self._show()

    def _show(self) -> None:
        """Fill the summary and the steps (again, in a new theme's colours or width)."""
        if (timeline := self.timeline) is None:
            return
        colors = palette(self.app)
        self._width = self.size.width
        summary = summary_text(timeline, colors, self.evidence)
        self.query_one("#timeline-summary", Static).update(summary)
        why = first_failure_text(timeline, colors) if timeline.steps else Text("")
        self.query_one("#timeline-why", Static).update(why)
        table: DataTable[Text] = self.query_one(DataTable)
        cursor = table.cursor_row if table.row_count else None
        table.clear(columns=True)
        columns = columns_for(self._width)
        for key, title, width in columns:
            table.add_column(title, width=width, key=key)
        keys = [key for key, _title, _width in columns]
        for number, step in enumerate(timeline.steps, 1):
            cells = step_cells(number, step, colors, self.evidence.verdicts.get(step.event_id))
            table.add_row(*(cells[key] for key in keys), key=step.event_id)
            if cursor is None and step.event_id == self.event_id:
                cursor = number - 1
        table.move_cursor(row=cursor or 0)
        self._show_full()
        # The summary above may have grown a line: scroll again once the layout has settled.
        self.call_after_refresh(lambda: table.move_cursor(row=table.cursor_row))

    @on(DataTable.RowHighlighted)
    def _show_full(self) -> None:
        """The highlighted step's error and event type in full (cells cut them)."""
        table: DataTable[Text] = self.query_one(DataTable)
        strip = self.query_one("#timeline-full", Static)
        if self.timeline is None or not 0 <= table.cursor_row < len(self.timeline.steps):
            strip.update("")
            return
        step = self.timeline.steps[table.cursor_row]
        strip.update(full_text(table.cursor_row + 1, step, palette(self.app)))

    @on(DataTable.RowSelected)
    def _step_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(EventRequested(event.row_key.value))

    def action_next_problem(self, direction: int = 1) -> None:
        """The cursor to the next (or previous) failure or decode problem."""
        table: DataTable[Text] = self.query_one(DataTable)
        if self.timeline is None or not self.timeline.steps:
            return
        found = self.timeline.next_notable(table.cursor_row, direction)
        if found is None:
            self.notify("No failures or decode problems in this timeline.", markup=False)
            return
        table.move_cursor(row=found)

    def action_verify(self) -> None:
        """Ask DataStorage for its verdict on this correlation (the app runs it)."""
        from explorer.tui.evidence import VerifyRequested

        self.post_message(VerifyRequested(self.correlation_id))

    def action_reconstruct(self) -> None:
        from explorer.tui.evidence import ReconstructRequested

        self.post_message(ReconstructRequested(self.correlation_id))

    def reload(self) -> None:
        """Read the timeline and its evidence again (after a verify)."""
        self._load(self.correlation_id)

    def action_export(self) -> None:
        expr = f"corr:{quote_value(self.correlation_id)}"
        flt = Filter(expr, "correlation_id = ?", [self.correlation_id])
        self.post_message(ExportRequested.of_filter(flt))


def summary_text(
    timeline: Timeline, colors: Palette, evidence: ChainEvidence | None = None
) -> Text:
    """The correlation, its size and span; the counts; the server's chain verdict beside
    the local one, and the legal hold. A line each, cut to the width: the first failure,
    under them (``first_failure_text``), wraps so that its error is read whole."""
    evidence = evidence or ChainEvidence()
    out = Text(end="", no_wrap=True, overflow="ellipsis")
    out.append("Correlation ", style="dim")
    out.append(clean(timeline.correlation_id), style="bold")
    if evidence.hold.held:
        out.append("  ")
        out.append(" LEGAL HOLD ", style=colors("warn", "bold reverse"))
        if evidence.hold.reason:
            out.append(" " + clean(evidence.hold.reason), style=colors("warn"))
        placed = [
            f"by {clean(evidence.hold.placed_by)}" if evidence.hold.placed_by else "",
            f"at {clean(evidence.hold.placed_at)}" if evidence.hold.placed_at else "",
        ]
        if any(placed):
            out.append(" (placed " + " ".join(p for p in placed if p) + ")", style="dim")
    if not timeline.steps:
        out.append("  no events in the cache", style=colors("warn"))
        return out
    out.append(f"   {plural(len(timeline.steps), 'step')}", style="bold")
    out.append(f"   took {duration(timeline.duration.total_seconds())}")
    out.append(f"   {timestamp(timeline.started)} → {timestamp(timeline.ended)} UTC", style="dim")
    out.append("\n")
    failures = timeline.failures
    out.append(plural(failures, "failure"), style=colors("bad") if failures else colors("ok"))
    out.append("   ")
    problems = timeline.decode_problems
    out.append(
        plural(problems, "decode problem"), style=colors("warn") if problems else colors("ok")
    )
    out.append("   ")
    breaks = timeline.chain_breaks
    out.append(
        plural(breaks, "hash chain break"), style=colors("bad", "bold") if breaks else colors("ok")
    )
    out.append(" (links)   server: ", style="dim")
    tampered = evidence.tampered
    out.append(
        verdict_summary(evidence),
        style=colors("bad", "bold") if tampered else colors("ok") if evidence.verified else "dim",
    )
    out.append("   services ", style="dim")
    out.append(clean(" → ".join(timeline.services)))
    return out


def first_failure_text(timeline: Timeline, colors: Palette) -> Text:
    """``First failure: step 9  aianalysis  aianalysis.error.occurred  <its error>``."""
    out = Text(end="")
    found = timeline.first_failure
    if found is None:
        out.append("No step failed.", style=colors("ok"))
        return out
    index, step = found
    out.append("First failure: ", style=colors("bad", "bold"))
    out.append(f"step {index + 1}  ", style="bold")
    out.append(clean(step.service or "-") + "  ", style="bold")
    out.append(clean(step.event_type or "-") + "  ")
    if step.error is not None:
        out.append(clean(str(step.error)), style=colors("bad"))
    else:
        out.append("(no error message)", style="dim")
    return out


def time_of_day(moment: datetime) -> str:
    """``10:00:01.250`` in UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%H:%M:%S.%f")[:12]


def gap_text(step: Step, colors: Palette) -> Text:
    """``+2m33s``; a long gap in the warning colour, bold, so it reads apart from ``+33ms``."""
    if step.since_prev is None:
        return Text("")
    shown = "+" + duration(step.since_prev.total_seconds())
    return Text(shown, style=colors("warn", "bold") if step.long_gap else colors("info"))


def step_cells(
    number: int, step: Step, colors: Palette, verdict: bool | None = None
) -> dict[str, Text]:
    """One step's cells; ``verdict`` is the server's on its hash (None: never judged), which
    outranks the local link check: a link can hold while the hash was recomputed."""
    status = badge(step.decode_status)
    chains: dict[bool | None, tuple[str, str | Style]] = {
        None: ("·", "dim"),
        True: ("ok", colors("ok")),
        False: ("BROKEN", colors("bad", "bold")),
    }
    chain = ("TAMPERED", colors("bad", "bold")) if verdict is False else chains[step.chain_ok]
    failed = step.failed
    status_style = "" if status == "ok" else colors("warn" if status == "drift" else "bad")
    error = "" if step.error is None else str(step.error)
    return {
        "number": Text(str(number), style="dim"),
        "time": Text(time_of_day(step.timestamp)),
        "prev": gap_text(step, colors),
        "start": Text("+" + duration(step.since_start.total_seconds()), style="dim"),
        "service": safe(step.service or "-"),
        "type": safe(step.event_type or "-", colors("bad") if failed else ""),
        "outcome": safe(step.outcome or "-", colors("bad", "bold") if failed else ""),
        "error": safe(error, colors("bad") if failed else colors("warn")),
        "decode": Text(status, style=status_style),
        "chain": Text(chain[0], style=chain[1]),
    }


def full_text(number: int, step: Step, colors: Palette) -> Text:
    """The strip under the table: the highlighted step, nothing cut but by the screen."""
    out = Text(end="")
    out.append(f"step {number}  ", style="bold")
    out.append(clean(step.event_type or "-"))
    out.append(f"  {timestamp(step.timestamp)} UTC", style="dim")
    if step.error is not None:
        out.append(f"\n{clean(step.error.source)}: ", style="dim")
        out.append(clean(str(step.error)), style=colors("bad") if step.failed else "")
    elif step.decode_problem:
        out.append(f"\ndecode {badge(step.decode_status)}: ", style="dim")
        out.append(plural(step.issue_count, "issue") + " (Enter shows them)")
    return out
