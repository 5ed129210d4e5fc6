"""How values are written into the ``events`` table's JSON columns. Pure functions, no I/O."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import orjson


def dumps(value: Any) -> str:
    """JSON text of a parsed value; integers beyond 64 bits are kept exactly."""
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        # orjson refuses big integers, lone surrogates and nesting beyond 255 levels; the
        # standard library does not. DuckDB's JSON refuses lone surrogates: they become U+FFFD.
        return replace_surrogates(_std_dumps(value))


_DEEPEST = 4_000  # orjson reads 1024 levels; the encoder needs the recursion limit above


def _std_dumps(value: Any) -> str:
    try:
        return json.dumps(value, allow_nan=False, ensure_ascii=False)
    except RecursionError:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, _DEEPEST))
        try:
            return json.dumps(value, allow_nan=False, ensure_ascii=False)
        finally:
            sys.setrecursionlimit(limit)


def replace_surrogates(text: str) -> str:
    """Lone surrogates (valid in JSON escapes, not in UTF-8) become U+FFFD."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def fits_json(fits: Sequence[str] | None, fits_ok: Sequence[str] | None) -> str | None:
    """The ``decode_fits`` column: ``{"ok": [...], "drift": [...]}``, the shipped contracts a
    non-ok event is ok and drift under; None for an ok event (not computed)."""
    if fits is None:
        return None
    ok = list(fits_ok or ())
    return dumps({"ok": ok, "drift": [name for name in fits if name not in ok]})
