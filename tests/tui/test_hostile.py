"""Strings from the cache are data: markup, ANSI/OSC escapes and controls show as text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import Static, Tree

from explorer.tui.app import ExplorerApp
from explorer.tui.text import clean, safe
from explorer.tui.widgets.events_table import EventsTable
from tests.tui.sample import HOSTILE_ID, HOSTILE_MARKUP
from tests.tui.test_app import SIZE, settle

pytestmark = pytest.mark.anyio


def test_clean_makes_controls_visible() -> None:
    assert clean("a\x1b[31mb\x07\n\u202e") == "a\\x1b[31mb\\x07\\n\\u202e"
    assert safe("[bold]x[/bold]").plain == "[bold]x[/bold]"
    assert safe("[bold]x[/bold]").spans == []


def _plain(widget: Static) -> str:
    return str(getattr(widget.render(), "plain", ""))


def _tree_text(tree: Tree[None]) -> str:
    lines: list[str] = []

    def walk(node: object) -> None:
        label = node.label  # type: ignore[attr-defined]
        lines.append(label.plain if isinstance(label, Text) else str(label))
        for child in node.children:  # type: ignore[attr-defined]
            walk(child)

    walk(tree.root)
    return "\n".join(lines)


async def test_hostile_event_renders_as_text(
    sample_cache: Path, make_app: Callable[..., ExplorerApp]
) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.apply_filter("hostile")  # type: ignore[attr-defined]
        await settle(pilot)
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        row = table.highlighted
        assert row is not None and row.event_id == HOSTILE_ID
        line = table._row_text(row, 400)
        assert HOSTILE_MARKUP[:18] in line.plain
        envelope = _plain(app.screen.query_one("#detail-envelope", Static))
        assert "\\x1b]0;pwned\\x07" in envelope
        assert "\x1b" not in envelope and "\u202e" not in envelope
        payload = _tree_text(app.screen.query_one("#detail-payload", Tree))
        assert HOSTILE_MARKUP in payload and "\\x1b" in payload and "\x1b" not in payload
        svg = app.export_screenshot()
        assert "[reverse]x[/reverse]" in svg.replace("&#160;", " ")
        assert "\x1b" not in svg and "pwned" in svg
        await pilot.press("r")
        await pilot.pause()
        raw = _plain(app.screen.query_one("#raw-json", Static))
        assert "\x1b" not in raw and HOSTILE_MARKUP in raw
