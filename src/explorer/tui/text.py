"""Untrusted text made safe for the screen, and the small formats every view shares.

Everything from the cache is data: it becomes ``rich.text.Text`` (never markup), and
control characters (ESC starts ANSI/OSC sequences), DEL, C1 controls and bidi overrides
are shown as visible escapes instead of reaching the terminal.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from rich.highlighter import Highlighter
from rich.style import Style
from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SHOWN_MAX = 1_000  # characters of one value on screen
_BADGES = {
    "ok": "ok",
    "drift": "drift",
    "invalid": "invalid",
    "discriminator_mismatch": "mismatch",
    "unknown_type": "unknown",
}


def clean(value: object, limit: int = SHOWN_MAX) -> str:
    """One line of visible text: controls become escapes such as ``\\x1b`` and ``\\n``.

    Past ``limit`` characters the text is cut and says how much more there is: a megabyte
    string would cost every redraw (wrapped, thousands of lines), and exports have it whole.
    """
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if len(text) > limit:
        text = f"{text[:limit]}… (+{len(text) - limit:,} characters)"
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, repr(char)[1:-1])


def safe(value: object, style: str | Style = "") -> Text:
    """A ``Text`` of ``value`` that no markup or escape inside it can restyle."""
    return Text(clean(value), style=style, no_wrap=True, overflow="ellipsis", end="")


def badge(status: str | None) -> str:
    """The short word for a decode status: ok, drift, invalid, mismatch, unknown."""
    return _BADGES.get(status or "", clean(status or "-"))


def timestamp(moment: Any) -> str:
    """``2026-11-20 10:00:00`` in UTC (what the server stores and the filters mean)."""
    if not isinstance(moment, datetime):
        return clean(moment)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{moment.year:04d}{moment:-%m-%d %H:%M:%S}"  # %Y is "1" in year 1


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells with an ellipsis, padded to exactly ``width``."""
    if len(text) > width:
        text = text[: max(width - 1, 0)] + "…"
    return text.ljust(width)


def duration(seconds: float) -> str:
    """``850ms``, ``12.4s``, ``3m05s``, ``2h10m``."""
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    if seconds < 3600:
        return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"
    return f"{int(seconds // 3600)}h{int(seconds % 3600 // 60):02d}m"


# One visible stand-in per control character (U+241B for ESC), so an edited value keeps its
# length and the cursor stays where it is: for Input widgets, which show their value raw.
_PICTURES = {
    **{code: 0x2400 + code for code in range(0x20)},
    0x7F: 0x2421,
    **dict.fromkeys([*range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F)], 0xFFFD),
    **dict.fromkeys(range(0x2066, 0x206A), 0xFFFD),
}


def visible(text: str) -> str:
    """``text`` with every control character as one visible character (same length)."""
    return text.translate(_PICTURES)


def has_controls(text: str) -> bool:
    return _CONTROL.search(text) is not None


class VisibleControls(Highlighter):
    """An Input highlighter that shows control characters instead of sending them."""

    def __call__(self, text: str | Text) -> Text:
        plain = text.plain if isinstance(text, Text) else text
        return Text(visible(plain), no_wrap=True, overflow="ignore", end="")

    def highlight(self, text: Text) -> None:
        """Nothing to style: ``__call__`` does the work."""
