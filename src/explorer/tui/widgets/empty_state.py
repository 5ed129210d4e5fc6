"""What a person sees when the cache is missing or holds no events."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

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

    def explain(self, cache: str, problem: str | None = None, *, filtered: bool = False) -> None:
        text = Text(end="")
        if filtered:
            text.append("No events match this filter.\n\n", style="bold")
            text.append("Press / to change it, or clear it with / then Enter on an empty line.")
            self.update(text)
            return
        text.append("No events yet.\n\n", style="bold")
        if problem:
            text.append(clean(problem) + "\n\n", style="red")
        text.append("Cache: ", style="dim")
        text.append(clean(cache) + "\n\n")
        text.append("To fill it:\n", style="bold")
        text.append("  audit-explorer sync --url https://data-storage:8080   ", style="cyan")
        text.append("fetch from DataStorage\n")
        text.append("  audit-explorer import events.ndjson                    ", style="cyan")
        text.append("load an export or NDJSON file\n")
        text.append("  audit-explorer demo                                    ", style="cyan")
        text.append("try the explorer on generated demo data\n\n")
        text.append("With AUDIT_EXPLORER_URL set (or a source in the config file), press ")
        text.append("s", style="bold")
        text.append(" here to sync.")
        self.update(text)
