"""Colours come from the theme: no literal colour in tui/, and a theme switch recolours."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.color import Color as RichColor
from rich.errors import StyleSyntaxError
from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.color import Color, ColorParseError
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

import explorer.tui
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.timeline import TimelineScreen
from explorer.tui.styles import ROLES, Palette, palette
from tests.tui.test_app import SIZE, settle, wait_for_hit

pytestmark = pytest.mark.anyio
TUI = Path(explorer.tui.__file__).parent

# -- no literal colours ----------------------------------------------------------------------

_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;{}]+);")
_NOT_COLOURS = {"transparent", "auto", "initial", "inherit"}


def style_colours(source: str) -> Iterator[str]:
    """Each string in ``source`` that is a Rich style with a colour (``"bold red"``)."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        try:
            style = Style.parse(node.value)
        except (StyleSyntaxError, ValueError):
            continue
        if style.color is not None or style.bgcolor is not None:
            yield node.value


def css_colours(css: str) -> Iterator[str]:
    """Each CSS declaration that names a colour instead of a ``$variable``."""
    for name, value in _DECLARATION.findall(css):
        for token in value.split():
            if token.startswith("$") or token in _NOT_COLOURS:
                continue
            try:
                Color.parse(token)
            except ColorParseError:
                continue
            yield f"{name}: {value.strip()}"


def _default_css(source: str) -> Iterator[str]:
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Constant):
            continue
        named = any(isinstance(t, ast.Name) and t.id == "DEFAULT_CSS" for t in node.targets)
        if named and isinstance(node.value.value, str):
            yield node.value.value


def test_the_detectors_catch_literal_colours() -> None:
    """The checks below can fail: each kind of literal colour is found, the allowed kept."""
    found = set(style_colours('t.append("x", style="bold red"); Text("y", style="cyan")'))
    assert found == {"bold red", "cyan"}
    assert set(style_colours('Text("x", style="#ff0000"); s = "on blue"')) == {
        "#ff0000",
        "on blue",
    }
    allowed = 'Text("a", style="bold"); Text("b", style="dim italic"); x = "reverse"; y = "Back"'
    assert list(style_colours(allowed)) == []
    assert list(css_colours("A { color: red; background: $boost; }")) == ["color: red"]
    assert list(css_colours("A { border: round #00ff00; }")) == ["border: round #00ff00"]
    assert list(css_colours("A { border: round $panel; color: $accent 50%; }")) == []


def test_no_literal_colour_in_the_tui_sources() -> None:
    problems: list[str] = []
    for path in sorted(TUI.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        problems += [f"{path.name}: {s!r}" for s in style_colours(source)]
        for css in _default_css(source):
            problems += [f"{path.name}: {d}" for d in css_colours(css)]
    for path in sorted(TUI.rglob("*.tcss")):
        problems += [f"{path.name}: {d}" for d in css_colours(path.read_text(encoding="utf-8"))]
    assert not problems, "colours must come from the theme:\n" + "\n".join(problems)


# -- the palette follows the theme -----------------------------------------------------------


def test_palette_takes_each_role_from_the_theme() -> None:
    app: App[None] = App()
    app.theme = "textual-dark"
    dark = palette(app)
    variables = app.get_css_variables()
    for role, name in ROLES.items():
        assert dark(role).color == Color.parse(variables[name]).rich_color, role
    app.theme = "textual-light"
    assert palette(app)("bad").color != dark("bad").color
    assert dark("bad", "bold").bold and dark("bad", "bold").color == dark("bad").color


def test_an_ansi_theme_gives_terminal_colours() -> None:
    colors = Palette.from_variables({"text-error": "ansi_red", "text-success": "auto 60%"})
    bad = colors("bad").color
    assert bad is not None and bad.number == RichColor.parse("red").number
    assert colors("ok").color is None  # not a colour on its own: no colour, no crash


def _colours(text: Text) -> set[RichColor]:
    """The foreground colours of ``text``'s styles."""
    found: set[RichColor] = set()
    for style in [text.style, *(span.style for span in text.spans)]:
        parsed = style if isinstance(style, Style) else Style.parse(style)
        if parsed.color is not None:
            found.add(parsed.color)
    return found


def _content(app: ExplorerApp, selector: str) -> Text:
    content = app.screen.query_one(selector, Static).content
    assert isinstance(content, Text)
    return content


def _role_colours(app: ExplorerApp) -> set[RichColor]:
    colors = palette(app)
    return {color for role in ROLES if (color := colors(role).color) is not None}


async def _switch_theme(pilot: Pilot[None], name: str) -> None:
    """Through the command palette, as a person does: Theme, then the theme's name."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*"theme")
    await wait_for_hit(pilot, "Theme")
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*name)
    await wait_for_hit(pilot, name)
    await pilot.press("enter")
    await pilot.pause()
    await settle(pilot)


async def test_switching_the_theme_in_the_palette_recolours_the_views(
    sample_cache: Path, make_app: Callable[..., ExplorerApp]
) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        heading = _colours(_content(app, "#detail-issues"))
        assert heading and heading <= _role_colours(app)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
        summary = _colours(_content(app, "#timeline-summary"))
        steps: DataTable[Text] = app.screen.query_one(DataTable)
        cells = set().union(*(_colours(cell) for cell in steps.get_row_at(0)))
        assert summary and cells

        await _switch_theme(pilot, "textual-light")

        assert app.theme == "textual-light"
        light = _role_colours(app)
        assert not light & heading, "the light theme has its own colours"
        new_summary = _colours(_content(app, "#timeline-summary"))
        assert new_summary != summary and new_summary <= light
        new_cells = set().union(*(_colours(cell) for cell in steps.get_row_at(0)))
        assert new_cells != cells and new_cells <= light
        await pilot.press("escape")
        await settle(pilot)
        new_heading = _colours(_content(app, "#detail-issues"))
        assert new_heading != heading and new_heading <= light
