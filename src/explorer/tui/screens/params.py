"""A named query's parameters in a small form: one input per parameter, checked on OK."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from explorer.core.queries import NamedQuery, bind_params
from explorer.errors import ExplorerError
from explorer.tui.actions import bindings
from explorer.tui.styles import palette
from explorer.tui.text import VisibleControls, clean


class ParamsScreen(ModalScreen[dict[str, str] | None]):
    """Dismissed with the values given (``name -> text``), or None when cancelled."""

    BINDINGS = bindings("params")

    def __init__(self, query: NamedQuery, given: dict[str, str], now: datetime) -> None:
        super().__init__()
        self.named = query
        self.given = given
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="params-dialog"):
            yield Static(
                Text(f"Parameters of {clean(self.named.name)}", end=""), classes="dialog-title"
            )
            for index, (name, default) in enumerate(self.named.params.items()):
                kind = self.named.types.get(name, "text")
                hint = "required" if default is None else f"{default} when left empty"
                yield Label(Text(f"{clean(name)}  ({kind}, {clean(hint)})", end=""))
                yield Input(
                    self.given.get(name, default or ""),
                    placeholder=clean(default or ""),
                    highlighter=VisibleControls(),
                    id=f"param-{index}",
                    classes="param-input",
                )
            yield Static("", id="params-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="params-cancel")
                yield Button("Run", variant="primary", id="params-run")

    def values(self) -> dict[str, str]:
        return {
            name: self.query_one(f"#param-{index}", Input).value.strip()
            for index, name in enumerate(self.named.params)
        }

    @on(Input.Submitted)
    @on(Button.Pressed, "#params-run")
    def action_run(self) -> None:
        values = {name: value for name, value in self.values().items() if value}
        try:
            bind_params(self.named, values, now=self.now)
        except ExplorerError as exc:
            problem = Text(clean(str(exc)), style=palette(self.app)("bad"), end="")
            self.query_one("#params-problem", Static).update(problem)
            return
        self.dismiss(values)

    @on(Button.Pressed, "#params-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
