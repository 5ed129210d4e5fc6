"""Cheap facts about JSON text, checked before parsing it (or right after)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

# Digits -> "0", everything else -> ".": a run of 20 zeros marks a possible integer beyond
# 64 bits (bytes.translate is far cheaper than a regex over every line).
_DIGITS = bytes(0x30 if 0x30 <= b <= 0x39 else 0x2E for b in range(256))
_LONG_RUN = b"0" * 20
_BOM = b"\xef\xbb\xbf"

Where = tuple[str | int, ...]  # keys and array indexes from the root of a JSON value


def may_hold_big_integer(data: bytes) -> bool:
    """Whether ``data`` has a run of 20 digits: an integer orjson would turn into a float."""
    return _LONG_RUN in data.translate(_DIGITS)


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A key written more than once in one JSON object. Parsers disagree on which value
    counts: orjson, pydantic and Python's json keep the last, DuckDB the first."""

    at: Where  # the object holding the key
    key: str
    count: int
    first: Any
    last: Any

    @property
    def path(self) -> str:
        """Dotted, arrays as ``[2]``: ``event_data.error_details.code``, ``[3].namespace``."""
        return dotted((*self.at, self.key))

    def below(self, prefix: Where) -> DuplicateKey | None:
        """This duplicate relative to the value at ``prefix``; None if it is not inside it."""
        if self.at[: len(prefix)] != prefix:
            return None
        return DuplicateKey(self.at[len(prefix) :], self.key, self.count, self.first, self.last)


def duplicates_by_item(
    duplicates: tuple[DuplicateKey, ...], items_at: Where
) -> dict[int, tuple[DuplicateKey, ...]]:
    """The duplicates inside each item of the array at ``items_at``, by item index and
    relative to the item (those elsewhere in the document, as in ``pagination``, are left
    out)."""
    found: dict[int, list[DuplicateKey]] = {}
    for duplicate in duplicates:
        inside = duplicate.below(items_at)
        if inside is not None and inside.at and isinstance(inside.at[0], int):
            found.setdefault(inside.at[0], []).append(
                DuplicateKey(inside.at[1:], inside.key, inside.count, inside.first, inside.last)
            )
    return {index: tuple(items) for index, items in found.items()}


def dotted(where: Where) -> str:
    parts: list[str] = []
    for step in where:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        else:
            parts.append(f".{step}" if parts else step)
    return "".join(parts)


def canonical_text(text: bytes, parsed: Any) -> bytes | None:
    """``text`` without surrounding blanks and byte-order mark, if that is exactly what
    orjson writes for ``parsed`` (what orjson read from it), else None.

    Compact canonical JSON (what orjson or a compact encoder wrote) comes back byte for
    byte; then no key can have been written twice, and validating the text is validating
    ``parsed``. Costs one ``dumps``.
    """
    stripped = text.strip()
    if stripped.startswith(_BOM):
        stripped = stripped[len(_BOM) :]
    try:
        return stripped if orjson.dumps(parsed) == stripped else None
    except (TypeError, orjson.JSONEncodeError):
        return None  # integers beyond 64 bits, nesting orjson reads but will not write


def duplicate_keys(text: bytes, parsed: Any = None) -> tuple[DuplicateKey, ...]:
    """Every key ``text`` writes twice or more in one object, in document order.

    ``parsed``: what orjson read from ``text``; when given, canonical text is settled by
    :func:`canonical_text` alone. Any other text is parsed again keeping every key/value
    pair. A text Python's parser cannot read (nesting past its recursion limit) reports
    nothing.
    """
    if parsed is not None and canonical_text(text, parsed) is not None:
        return ()
    stripped = text.strip().removeprefix(_BOM)
    found = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal found
        obj = dict(items)
        if len(obj) == len(items):
            return obj
        found = True
        return _Repeated(obj, items)

    try:
        value = json.loads(stripped, object_pairs_hook=pairs, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return ()
    return tuple(_collect(value)) if found else ()


class _Repeated(dict[str, Any]):
    """An object that had duplicate keys, with what each of them held."""

    __slots__ = ("repeats",)

    def __init__(self, obj: dict[str, Any], items: list[tuple[str, Any]]) -> None:
        super().__init__(obj)
        seen: dict[str, list[Any]] = {}
        for key, value in items:
            seen.setdefault(key, []).append(value)
        self.repeats = [(key, values) for key, values in seen.items() if len(values) > 1]


def _collect(root: Any) -> Iterator[DuplicateKey]:
    stack: list[tuple[Where, Any]] = [((), root)]
    while stack:  # depth first, in document order (children pushed in reverse)
        where, value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value, _Repeated):
                for key, values in value.repeats:
                    first, last = _plain(values[0]), _plain(values[-1])
                    yield DuplicateKey(where, key, len(values), first, last)
            stack.extend(((*where, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*where, i), v) for i, v in reversed(list(enumerate(value))))


def _plain(value: Any) -> Any:
    """``value`` with plain dicts only (a duplicate's value crosses process boundaries)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
