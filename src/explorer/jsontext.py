"""Cheap facts about JSON text, checked before parsing it."""

from __future__ import annotations

# Digits -> "0", everything else -> ".": a run of 20 zeros marks a possible integer beyond
# 64 bits (bytes.translate is far cheaper than a regex over every line).
_DIGITS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x2E for b in range(256))
_LONG_RUN = b"0" * 20


def may_hold_big_integer(data: bytes) -> bool:
    """Whether ``data`` has a run of 20 digits: an integer orjson would turn into a float."""
    return _LONG_RUN in data.translate(_DIGITS)
