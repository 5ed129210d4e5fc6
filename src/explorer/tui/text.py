"""Untrusted text made safe for the screen, and the small formats every view shares.

Everything from the cache is data: it becomes ``rich.text.Text`` (never markup), and
control characters (ESC starts ANSI/OSC sequences), DEL, C1 controls and bidi overrides
are shown as visible escapes instead of reaching the terminal.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.highlighter import Highlighter
from rich.style import Style
from rich.text import Text

from explorer import text as _text
from explorer.models.decode import Status
from explorer.text import has_controls as has_controls  # re-exported for the widgets
from explorer.times import format_duration

SHOWN_MAX = 1_000  # characters of one value on screen


def clean(value: object, limit: int = SHOWN_MAX) -> str:
    """One line of visible text: controls become escapes such as ``\\x1b`` and ``\\n``.

    Past ``limit`` characters the text is cut and says how much more there is: a megabyte
    string would cost every redraw (wrapped, thousands of lines), and exports have it whole.
    """
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if len(text) > limit:
        text = f"{text[:limit]}… (+{len(text) - limit:,} characters)"
    return _text.clean(text)


def safe(value: object, style: str | Style = "") -> Text:
    """A ``Text`` of ``value`` that no markup or escape inside it can restyle."""
    return Text(clean(value), style=style, no_wrap=True, overflow="ellipsis", end="")


def badge(status: str | None) -> str:
    """The word for a decode status, the filter language's and the CLI's: ok, drift,
    invalid, discriminator_mismatch, unknown_type."""
    try:
        return Status(status or "").value
    except ValueError:
        return clean(status or "-")


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


def plural(count: int, word: str, many: str = "") -> str:
    """``1 step``, ``2 steps``, ``1,204 events`` (``many`` when adding an s is wrong)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def duration(seconds: float) -> str:
    """``850ms``, ``12.4s``, ``3m05s``, ``2h10m``, ``2d02h``: ``explorer.times.format_duration``."""
    return format_duration(seconds)


# One visible stand-in per control character (U+241B for ESC), so an edited value keeps its
# length and the cursor stays where it is: for Input widgets, which show their value raw.
# Every character of explorer.text.CONTROL has one: U+FFFD where Unicode has no picture.
_PICTURES = {
    **{code: 0xFFFD for lo, hi in _text.RANGES for code in range(lo, hi + 1)},
    **{code: 0x2400 + code for code in range(0x20)},
    0x7F: 0x2421,
}


def visible(text: str) -> str:
    """``text`` with every control character as one visible character (same length)."""
    return text.translate(_PICTURES)


class VisibleControls(Highlighter):
    """An Input highlighter that shows control characters instead of sending them."""

    def __call__(self, text: str | Text) -> Text:
        plain = text.plain if isinstance(text, Text) else text
        return Text(visible(plain), no_wrap=True, overflow="ignore", end="")

    def highlight(self, text: Text) -> None:
        """Nothing to style: ``__call__`` does the work."""
