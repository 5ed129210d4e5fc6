"""The export dialog: format and path, then a confirmation with the row count and path.

The file gets its manifest beside it (``explorer.core.manifest``), and an existing file is
only replaced after a second Export (issue 15: it was overwritten silently).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from explorer.core.export import FORMATS, ExportResult, export_query
from explorer.tui.actions import bindings
from explorer.tui.screens.base import ExplorerScreenMixin
from explorer.tui.styles import Palette, follow_theme, palette
from explorer.tui.text import VisibleControls, clean, plural


class ExportFinished(Message):
    def __init__(self, result: ExportResult) -> None:
        super().__init__()
        self.result = result


class ExportScreen(ExplorerScreenMixin, ModalScreen[ExportResult | None]):
    """Writes a view's rows with the same code as ``audit-explorer export``."""

    BINDINGS = bindings("export")

    def __init__(
        self,
        sql: str,
        params: Any,
        label: str,
        *,
        directory: Path | None = None,
        selection: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.sql = sql
        self.params = params
        self.label = label
        self.directory = directory or Path.cwd()
        self.selection = selection  # what the manifest says was exported (else the SQL)
        self.result: ExportResult | None = None
        self.overwrite: Path | None = None  # the existing file a second Export replaces
        self.status: Callable[[Palette], Text] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-dialog"):
            yield Static(Text("Export", end=""), classes="dialog-title")
            yield Static(Text.assemble("Rows: ", (clean(self.label), "bold")), id="export-what")
            yield Label("Format")
            yield Select(
                [(f, f) for f in FORMATS], value="csv", allow_blank=False, id="export-format"
            )
            yield Label("Path")
            yield Input(
                str(self.directory / "audit-events.csv"),
                highlighter=VisibleControls(),
                id="export-path",
            )
            yield Static("", id="export-status")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="export-cancel")
                yield Button("Export", variant="primary", id="export-go")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()
        follow_theme(self, self._show_status)

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        path_input = self.query_one("#export-path", Input)
        path = Path(path_input.value)
        if path.suffix.lstrip(".") in FORMATS:
            path_input.value = str(path.with_suffix(f".{event.value}"))

    @on(Input.Changed, "#export-path")
    def _path_changed(self) -> None:
        if self.overwrite is not None:
            self.overwrite = None
            self.query_one("#export-go", Button).label = "Export"
            self._status(lambda _colors: Text(""))

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-go")
    def _go(self) -> None:
        if self.result is not None:
            self.dismiss(self.result)
            return
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self._status(lambda colors: Text("Give a path to write to.", style=colors("bad")))
            return
        target = Path(path).expanduser()
        if target.exists() and not target.is_dir() and self.overwrite != target:
            self._confirm_overwrite(target)
            return
        select = self.query_one("#export-format", Select)
        fmt = str(select.value)
        suffix = Path(path).suffix.lstrip(".").lower()
        if suffix in FORMATS and suffix != fmt:
            # The path names a format: a .parquet path gets Parquet, not CSV bytes.
            fmt = suffix
            select.value = suffix
        self._status(lambda _colors: Text("Writing…", style="dim"))
        self._export(target, fmt)

    def _confirm_overwrite(self, target: Path) -> None:
        self.overwrite = target
        self.query_one("#export-go", Button).label = "Overwrite"
        self._status(
            lambda colors: Text.assemble(
                (clean(str(target)), "bold"),
                " exists: Export again to replace it and its manifest.",
                style=colors("warn"),
            )
        )

    @work(
        thread=True,
        exclusive=True,
        group="export",
        exit_on_error=False,
        description="Export failed",
    )
    def _export(self, path: Path, fmt: str) -> None:
        cursor = self.explorer.cursor()
        result = export_query(cursor, self.sql, self.params, path, fmt, selection=self.selection)
        self.post_message(ExportFinished(result))

    def on_export_finished(self, message: ExportFinished) -> None:
        self.result = result = message.result
        where = clean(result.path) if result.path is not None else "the output"
        manifest = "" if result.manifest is None else clean(result.manifest)
        self._status(
            lambda colors: Text.assemble(
                "✓ Wrote ",
                (plural(result.rows, "row"), "bold"),
                " to ",
                (where, "bold"),
                *(("\nand its manifest to ", (manifest, "bold")) if manifest else ()),
                style=colors("ok"),
            )
        )
        self.query_one("#export-go", Button).label = "Done"
        self.query_one("#export-cancel", Button).display = False
        self.query_one("#export-go", Button).focus()
        self.notify(
            f"Exported {plural(result.rows, 'row')} to {where}", title="Export", markup=False
        )

    def _status(self, status: Callable[[Palette], Text]) -> None:
        """Say ``status`` under the path; it is drawn again when the theme changes."""
        self.status = status
        self._show_status()

    def _show_status(self) -> None:
        if self.status is not None:
            self.query_one("#export-status", Static).update(self.status(palette(self.app)))

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(self.result)
