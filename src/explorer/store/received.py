"""A cached row rebuilt into the event as DataStorage sent it, and the one definition of
"the same content" for two versions of an event. Pure functions, no I/O."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from explorer.models.registry import ENVELOPE_RENAMES

# Columns that are the cache's own bookkeeping, not part of the event as received.
_LOCAL_COLUMNS = frozenset(
    {
        "event_date",
        "service",
        "extra",
        "event_data",
        "decode_status",
        "decode_issues",
        "source",
        "fetched_at",
        "decode_fits",
    }
)


def as_received(row: dict[str, Any]) -> dict[str, Any]:
    """The event as DataStorage sent it: envelope columns, extras, then event_data
    (JSON columns parsed; timestamps written as RFC 3339 in UTC)."""
    raw: dict[str, Any] = {}
    for name, value in row.items():
        if name in _LOCAL_COLUMNS or value is None:
            continue
        raw[name] = (
            value.isoformat().replace("+00:00", "Z") if isinstance(value, datetime) else value
        )
    extra = row.get("extra")
    if isinstance(extra, dict):
        for name, older in ENVELOPE_RENAMES.items():
            # The column was filled from the older name (see ingest.rows): sent once.
            if older in extra and name in raw and raw[name] == extra[older]:
                del raw[name]
        raw.update(extra)
    raw["event_data"] = row.get("event_data")
    return raw


def canonical(value: Any) -> bytes:
    """Canonical JSON: compact, object keys sorted. Two values are the same content when
    their canonical texts are equal (so ``1`` and ``1.0`` and ``true`` differ)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):  # integers beyond 64 bits, deep nesting
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8", "surrogatepass")


@dataclass(frozen=True, slots=True)
class Difference:
    """One path whose value differs between two versions; MISSING where a side lacks it."""

    path: str
    stored: Any
    received: Any


MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


def differences(stored: dict[str, Any], received: dict[str, Any]) -> list[Difference]:
    """The envelope properties and payload paths (``event_data.a.b``) whose values differ
    between two versions of an event (as :func:`as_received` gives them), by path; empty
    when they are the same content. Objects in the payload are compared key by key, any
    other value as a whole."""
    return sorted(_diff(stored, received, ""), key=lambda d: d.path)


def differing_paths(stored: dict[str, Any], received: dict[str, Any]) -> list[str]:
    return [difference.path for difference in differences(stored, received)]


def _diff(stored: Any, received: Any, path: str) -> list[Difference]:
    descend = path in ("", "event_data") or path.startswith("event_data.")
    if descend and isinstance(stored, dict) and isinstance(received, dict):
        found: list[Difference] = []
        for key in stored.keys() | received.keys():
            inner = f"{path}.{key}" if path else str(key)
            if key not in stored or key not in received:
                found.append(
                    Difference(inner, stored.get(key, MISSING), received.get(key, MISSING))
                )
            else:
                found += _diff(stored[key], received[key], inner)
        return found
    same = canonical(stored) == canonical(received)
    return [] if same else [Difference(path or "$", stored, received)]
