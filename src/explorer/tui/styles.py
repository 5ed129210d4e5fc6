"""Colours for text built in Python, taken from the app's theme.

The stylesheet says ``$text-error``; a ``rich.text.Text`` built in Python cannot, so it
asks a ``Palette`` made from the current theme for a role (``bad``, ``warn``, ...). What
draws with a palette redraws when the theme changes (``follow_theme``). Styles without a
colour (``bold``, ``dim``, ``italic``, ``reverse``) are used as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from rich.color import Color as RichColor
from rich.style import Style
from textual.app import App
from textual.color import Color, ColorParseError
from textual.dom import DOMNode

Role = Literal["bad", "warn", "ok", "info", "other"]

# Role -> theme variable. The ``text-*`` variables are the theme's colours made readable
# as text on its background (darker in a light theme, lighter in a dark one).
ROLES: dict[Role, str] = {
    "bad": "text-error",  # failures, invalid events, decode issues, broken hash chains
    "warn": "text-warning",  # drift, decode problems, nothing found
    "ok": "text-success",  # ok, no problems; string values in a payload
    "info": "text-primary",  # keys, durations, histogram bars, numbers, version skew
    "other": "text-secondary",  # a decode status the explorer has no word for
}


@dataclass(frozen=True)
class Palette:
    """The colour of each role in one theme."""

    colors: Mapping[Role, RichColor | None]

    @classmethod
    def from_variables(cls, variables: Mapping[str, str]) -> Palette:
        """From the CSS variables of a theme (``App.get_css_variables()``)."""
        return cls({role: _color(variables.get(name)) for role, name in ROLES.items()})

    def __call__(self, role: Role, attributes: str = "") -> Style:
        """The style of ``role``, with ``attributes`` such as ``"bold"`` added."""
        style = Style(color=self.colors.get(role))
        return Style.parse(attributes) + style if attributes else style


def _color(value: str | None) -> RichColor | None:
    if not value:
        return None
    try:
        return Color.parse(value).rich_color
    except ColorParseError:
        return None


def palette(app: App[Any]) -> Palette:
    """The palette of the app's current theme."""
    return Palette.from_variables(app.get_css_variables())


def follow_theme(node: DOMNode, redraw: Callable[[], object]) -> None:
    """Call ``redraw`` whenever the app's theme changes (``node`` must be mounted)."""
    node.app.theme_changed_signal.subscribe(node, lambda _theme: redraw())
