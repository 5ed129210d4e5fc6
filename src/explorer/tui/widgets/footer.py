"""The footer: the way out and the way to help first, so a narrow screen never drops them."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

# Shown first, in this order: Back (or Quit on the home screen), then Help.
FIRST = ("back", "app.quit", "app.help")


def first_keys_first(widgets: Iterable[Widget]) -> list[Widget]:
    """The footer's keys with those of ``FIRST`` moved to the front (the rest in order)."""
    widgets = list(widgets)

    def rank(widget: Widget) -> int:
        action = getattr(widget, "action", "")  # a FooterKey's; "" for any other part
        return FIRST.index(action) if action in FIRST else len(FIRST)

    return sorted(widgets, key=rank)  # stable: the others keep their order


class ExplorerFooter(Footer):
    """Textual's footer, with Back/Quit and Help before the screen's own keys."""

    def compose(self) -> ComposeResult:
        yield from first_keys_first(super().compose())
