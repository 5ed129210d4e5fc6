"""Every key binding, from the registry of actions."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from explorer.tui.actions import bindings, help_sections
from explorer.tui.styles import Palette, follow_theme, palette

FILTER_HELP = (
    "Filter language: service:gateway,orchestrator  type:aiagent.session.*  corr:rr-1\n"
    "  outcome:failure  status:invalid  category:analysis  severity:critical  ns:payment\n"
    '  cluster:prod-east  since:24h  until:2026-11-20T10:00Z  -status:ok  "bare words"'
)


def help_text(colors: Palette, keymap: Mapping[str, str] | None = None) -> Text:
    out = Text(end="")
    for title, lines in help_sections(keymap):
        out.append(f"{title}\n", style="bold")
        for keys, what in lines:
            out.append(f"  {keys:<15} ", style=colors("info"))
            out.append(f"{what}\n")
        out.append("\n")
    out.append(FILTER_HELP, style="dim")
    return out


class HelpScreen(ModalScreen[None]):
    BINDINGS = bindings("help")

    def __init__(self, keymap: Mapping[str, str] | None = None) -> None:
        super().__init__()
        self.keymap = keymap  # the config's, so the help shows the keys that work

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Static(Text("Keys", end=""), classes="dialog-title")
            yield Static(help_text(palette(self.app), self.keymap), id="help-keys")

    def on_mount(self) -> None:
        follow_theme(self, self._redraw)

    def _redraw(self) -> None:
        self.query_one("#help-keys", Static).update(help_text(palette(self.app), self.keymap))
