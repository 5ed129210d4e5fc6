"""Untrusted text made safe for a terminal: one control-character policy for every caller.

``CONTROL`` matches what a terminal may act on or that reorders or breaks what it shows:
C0 controls (ESC starts ANSI/OSC sequences), DEL, C1 controls (0x9b is CSI), the line and
paragraph separators U+2028/U+2029, bidi embeddings/overrides U+202A-U+202E and bidi
isolates U+2066-U+2069. ``clean`` shows them as visible escapes (``\\x1b``, ``\\n``);
``clean_lines`` keeps newline and tab, for text shown on several lines.

Imports nothing from explorer: any layer may use it.
"""

from __future__ import annotations

import re

# The character set, as ranges of code points: the regexes below are all built from it.
RANGES: tuple[tuple[int, int], ...] = (
    (0x00, 0x1F),
    (0x7F, 0x9F),
    (0x2028, 0x2029),
    (0x202A, 0x202E),
    (0x2066, 0x2069),
)
_KEPT = "\n\t"  # what clean_lines leaves as it is


def _char_class(exclude: str = "") -> str:
    parts: list[str] = []
    for lo, hi in RANGES:
        points = [c for c in range(lo, hi + 1) if chr(c) not in exclude]
        parts.extend(f"\\u{c:04x}" for c in points)
    return "[" + "".join(parts) + "]"


CONTROL = re.compile(_char_class())
_CONTROL_BUT_LINES = re.compile(_char_class(_KEPT))
# The same set for an RE2 engine (Arrow's replace_substring_regex), which spells \x{...}.
CONTROL_RE2 = "[" + "".join(f"\\x{{{lo:04x}}}-\\x{{{hi:04x}}}" for lo, hi in RANGES) + "]"
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def escape(char: str) -> str:
    """The visible escape of one control character: ``\\n``, ``\\x1b``, ``\\u202e``."""
    return _NAMED.get(char) or repr(char)[1:-1]


def _sub(match: re.Match[str]) -> str:
    return escape(match.group())


def clean(text: str) -> str:
    """One line of text safe for a terminal: every control character as a visible escape."""
    return CONTROL.sub(_sub, text)


def clean_lines(text: str) -> str:
    """Like ``clean`` but newline and tab stay: for text shown on several lines."""
    return _CONTROL_BUT_LINES.sub(_sub, text)


def has_controls(text: str) -> bool:
    return CONTROL.search(text) is not None
