"""What a person sees when the cache is missing or holds no events."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from explorer.tui.styles import follow_theme, palette
from explorer.tui.text import clean


class EmptyState(Static):
    """How to get events: sync from DataStorage, import a file, or try the demo."""

    DEFAULT_CSS = """
    EmptyState {
        height: 1fr;
        padding: 1 4;
        content-align: center middle;
        color: $text;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.explained: tuple[str, str | None, bool] | None = None

    def on_mount(self) -> None:
        follow_theme(self, self._redraw)

    def _redraw(self) -> None:
        if self.explained is not None:
            cache, problem, filtered = self.explained
            self.explain(cache, problem, filtered=filtered)

    def explain(self, cache: str, problem: str | None = None, *, filtered: bool = False) -> None:
        self.explained = (cache, problem, filtered)
        colors = palette(self.app)
        text = Text(end="")
        if filtered:
            text.append("No events match this filter.\n\n", style="bold")
            text.append("Press / to change it, or clear it with / then Enter on an empty line.")
            self.update(text)
            return
        text.append("No events yet.\n\n", style="bold")
        if problem:
            text.append(clean(problem) + "\n\n", style=colors("bad"))
        text.append("Cache: ", style="dim")
        text.append(clean(cache) + "\n\n")
        text.append("To fill it:\n", style="bold")
        command = colors("info")
        text.append("  audit-explorer sync --url https://data-storage:8080   ", style=command)
        text.append("fetch from DataStorage\n")
        text.append("  audit-explorer import events.ndjson                    ", style=command)
        text.append("load an export or NDJSON file\n")
        text.append("  audit-explorer demo                                    ", style=command)
        text.append("try the explorer on generated demo data\n\n")
        text.append("With AUDIT_EXPLORER_URL set (or a source in the config file), press ")
        text.append("s", style="bold")
        text.append(" here to sync.")
        self.update(text)
