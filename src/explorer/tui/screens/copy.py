"""The copy menu (``y``): the highlighted event's JSON, event_id or correlation_id."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from explorer.core.browse import EventRecord
from explorer.tui.actions import bindings
from explorer.tui.external import event_json
from explorer.tui.text import clean


def copy_choices(record: EventRecord) -> dict[str, tuple[str, str]]:
    """id -> (what it is, the text copied); fields the event lacks are left out."""
    choices = {"json": ("the event's JSON", event_json(record.raw))}
    for field in ("event_id", "correlation_id"):
        value = record.row.get(field)
        if value:
            choices[field] = (field, str(value))
    return choices


def _preview(key: str, text: str) -> str:
    if key == "json":
        return f"({text.count(chr(10))} lines, {len(text):,} characters)"
    return clean(text, 60)


class CopyScreen(ModalScreen[tuple[str, str] | None]):
    """Pick what to copy; dismissed with (what, text), or None."""

    DEFAULT_CSS = """
    CopyScreen { align: center middle; }
    CopyScreen #copy-options { height: auto; border: none; }
    """
    BINDINGS = bindings("copy")

    def __init__(self, record: EventRecord) -> None:
        super().__init__()
        self.choices = copy_choices(record)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="copy-dialog"):
            yield Static(Text("Copy to the clipboard", end=""), classes="dialog-title")
            yield OptionList(
                *(
                    Option(Text.assemble((what, "bold"), "  ", _preview(key, text)), id=key)
                    for key, (what, text) in self.choices.items()
                ),
                id="copy-options",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0  # so a Down typed at once means the second entry
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        key = event.option.id
        if key in self.choices:
            self.dismiss(self.choices[key])
