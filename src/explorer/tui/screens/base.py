"""What every explorer screen shares: typed access to the app, back, and worker failures."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from explorer.errors import ExplorerError
from explorer.tui.text import clean

if TYPE_CHECKING:
    from explorer.tui.app import ExplorerApp


class ExplorerScreenMixin(DOMNode):
    """Worker state messages do not bubble: each screen turns failures into notifications."""

    @property
    def explorer(self) -> ExplorerApp:
        return cast("ExplorerApp", self.app)

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, ExplorerError):
            message = str(error)
        else:
            message = f"{type(error).__name__}: {error}"
        title = event.worker.description or "Error"
        self.app.notify(clean(message), title=title, severity="error", markup=False)
