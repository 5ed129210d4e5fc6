"""Every key binding, in one place."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Events",
        (
            ("↑ ↓  PgUp PgDn", "move the cursor"),
            ("Home  End", "newest / oldest event"),
            ("Enter", "move into the detail pane"),
            ("/", "filter (Enter applies, Esc leaves, Tab or → completes)"),
            ("t", "incident timeline of the highlighted event's correlation ID"),
            ("m", "mismatches: non-ok events by service, type, status, issue kind"),
            ("g", "stats: events over time, per service and outcome"),
            ("e", "export the current view (CSV, JSON, NDJSON, Parquet)"),
            ("r", "raw JSON of the highlighted event"),
            ("d", "show or hide the detail pane"),
            ("s", "sync from DataStorage (when a URL is configured)"),
            ("Esc", "back to the table (from the filter bar or the detail)"),
        ),
    ),
    (
        "Timeline, mismatches, stats, query results",
        (
            ("Enter", "open the step / show the group's events"),
            ("e", "export (timeline, query result)"),
            ("Esc", "back"),
        ),
    ),
    (
        "Everywhere",
        (
            ("ctrl+p", "command palette: every action and the named queries"),
            ("?", "this help"),
            ("Tab  shift+Tab", "move between panes"),
            ("q", "quit (back, on the other views)"),
            ("mouse", "click a row to highlight it, scroll with the wheel"),
        ),
    ),
)


def help_text() -> Text:
    out = Text(end="")
    for title, keys in SECTIONS:
        out.append(f"{title}\n", style="bold")
        for key, what in keys:
            out.append(f"  {key:<16}", style="cyan")
            out.append(f"{what}\n")
        out.append("\n")
    filter_help = (
        "Filter language: service:gateway,orchestrator  type:aiagent.session.*  corr:rr-1\n"
        "  outcome:failure  status:invalid  category:analysis  severity:critical  ns:payment\n"
        '  cluster:prod-east  since:24h  until:2026-11-20T10:00Z  -status:ok  "bare words"'
    )
    out.append(filter_help, style="dim")
    return out


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Static(Text("Keys", end=""), classes="dialog-title")
            yield Static(help_text())
