"""Plain-text helpers for the CLI: untrusted strings never reach the terminal raw."""

from __future__ import annotations

import re
from collections.abc import Mapping

from explorer.models.decode import Status

# C0/C1 controls (ESC starts ANSI/OSC sequences), DEL, and bidi overrides.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """Make untrusted text safe for a terminal: controls become visible escapes."""
    return (
        _CONTROL.sub(lambda m: repr(m.group())[1:-1], text).replace("\n", "\\n").replace("\t", " ")
    )


def status_lines(by_status: Mapping[str, int], heading: str = "Stored by status:") -> list[str]:
    """The per-status block of the import and sync summaries (empty when nothing counted)."""
    counted = [(status, by_status.get(status, 0)) for status in Status]
    rows = [f"  {status:<24} {count:>10,}" for status, count in counted if count]
    return ["", heading, *rows] if rows else []
