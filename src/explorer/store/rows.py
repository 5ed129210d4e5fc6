"""Decoded events -> column batches for the ``events`` table. Pure functions, no I/O.

A value lands in its typed column only when it fits the column's type; otherwise the
column is NULL and the value, as received, goes into ``extra`` with the envelope
properties that have no column. ``event_data`` is stored exactly as received.

Conversion works on a whole batch at once and returns plain lists, so that it can run
in another process and its result be pickled back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pyarrow as pa

from explorer.models.decode import Decoded, _describe

# The ``events`` table, in column order: the public contract of docs/ARCHITECTURE.md.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR PRIMARY KEY"),
    ("event_timestamp", "TIMESTAMPTZ NOT NULL"),
    ("event_date", "DATE"),
    ("event_type", "VARCHAR"),
    ("service", "VARCHAR"),
    ("event_category", "VARCHAR"),
    ("event_action", "VARCHAR"),
    ("event_outcome", "VARCHAR"),
    ("version", "VARCHAR"),
    ("actor_type", "VARCHAR"),
    ("actor_id", "VARCHAR"),
    ("actor_ip", "VARCHAR"),
    ("resource_type", "VARCHAR"),
    ("resource_id", "VARCHAR"),
    ("correlation_id", "VARCHAR"),
    ("parent_event_id", "VARCHAR"),
    ("parent_event_date", "TIMESTAMPTZ"),
    ("namespace", "VARCHAR"),
    ("cluster_id", "VARCHAR"),
    ("severity", "VARCHAR"),
    ("duration_ms", "INTEGER"),
    ("error_code", "VARCHAR"),
    ("error_message", "VARCHAR"),
    ("retention_days", "INTEGER"),
    ("is_sensitive", "BOOLEAN"),
    ("event_hash", "VARCHAR"),
    ("previous_event_hash", "VARCHAR"),
    ("hash_algorithm", "VARCHAR"),
    ("legal_hold", "BOOLEAN"),
    ("legal_hold_reason", "VARCHAR"),
    ("legal_hold_placed_by", "VARCHAR"),
    ("legal_hold_placed_at", "TIMESTAMPTZ"),
    ("extra", "JSON"),
    ("event_data", "JSON"),
    ("decode_status", "VARCHAR"),
    ("decode_issues", "JSON"),
    ("source", "VARCHAR"),
    ("fetched_at", "TIMESTAMPTZ"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)

_INT32 = (-(2**31), 2**31 - 1)


def _as_str(value: Any) -> Any:
    return value if isinstance(value, str) else _NO_FIT


def _as_int32(value: Any) -> Any:
    fits = isinstance(value, int) and not isinstance(value, bool)
    return value if fits and _INT32[0] <= value <= _INT32[1] else _NO_FIT


def _as_bool(value: Any) -> Any:
    return value if isinstance(value, bool) else _NO_FIT


def _as_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return _NO_FIT


def _as_timestamp(value: Any) -> Any:
    stamp = parse_timestamp(value)
    return _NO_FIT if stamp is None else stamp


def parse_timestamp(value: Any) -> datetime | None:
    """An RFC 3339 string as a UTC datetime (no zone counts as UTC); None if it is not one."""
    if not isinstance(value, str):
        return None
    try:
        try:
            stamp = datetime.fromisoformat(value)
        except ValueError:
            stamp = datetime.fromisoformat(value.upper())  # RFC 3339 allows "t" and "z"
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=UTC)
        return stamp.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


_NO_FIT: Any = object()
_NOT_ENVELOPE = frozenset(
    {"event_id", "event_timestamp", "service", "extra", "event_data"}
    | {"decode_status", "decode_issues", "source", "fetched_at"}
)

# Envelope properties with a typed column, and how a value is checked for it.
_TYPED: dict[str, Callable[[Any], Any]] = {
    name: {
        "VARCHAR": _as_str,
        "INTEGER": _as_int32,
        "BOOLEAN": _as_bool,
        "DATE": _as_date,
        "TIMESTAMPTZ": _as_timestamp,
    }[sql]
    for name, sql in COLUMNS
    if name not in _NOT_ENVELOPE
}
_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
    "DATE": pa.date32(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "JSON": pa.string(),
}
ARROW_SCHEMA = pa.schema([(name, _ARROW_TYPES[sql.split()[0]]) for name, sql in COLUMNS])


def dumps(value: Any) -> str:
    """JSON text of a parsed value; integers beyond 64 bits are kept exactly."""
    try:
        return orjson.dumps(value).decode()
    except (TypeError, orjson.JSONEncodeError):
        # orjson refuses big integers and lone surrogates; the standard library does not.
        # DuckDB's JSON refuses lone surrogates too: they become U+FFFD.
        return _replace_surrogates(json.dumps(value, allow_nan=False, ensure_ascii=False))


def _replace_surrogates(text: str) -> str:
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


@dataclass
class RowBatch:
    """Column lists for the ``events`` table, one event_id at most once.

    ``rejected`` holds ``(index, reason)`` for the inputs that could not be stored;
    ``statuses`` the decode status of every stored input, in input order;
    ``duplicates`` how many stored inputs were superseded by a later one in this batch.
    """

    columns: dict[str, list[Any]] = field(default_factory=lambda: {n: [] for n in COLUMN_NAMES})
    rejected: list[tuple[int, str]] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    duplicates: int = 0

    def __len__(self) -> int:
        return len(self.columns["event_id"])

    def to_arrow(self) -> pa.Table:
        try:
            return pa.Table.from_pydict(self.columns, schema=ARROW_SCHEMA)
        except (UnicodeEncodeError, pa.ArrowException):
            return pa.Table.from_pydict(_valid_utf8(self.columns), schema=ARROW_SCHEMA)


def build_rows(decoded: Sequence[Decoded], *, source: str, fetched_at: datetime) -> RowBatch:
    """Convert decoded events into one batch of rows; the last event per event_id wins."""
    batch = RowBatch()
    fetched = fetched_at.astimezone(UTC)
    for index, item in enumerate(decoded):
        reason = _add_row(batch.columns, item, source, fetched)
        if reason is None:
            batch.statuses.append(str(item.status))
        else:
            batch.rejected.append((index, reason))
    _keep_last(batch)
    return batch


def unstorable(raw: Any) -> str | None:
    """Why an event cannot be stored (no object, event_id or timestamp), or None."""
    if not isinstance(raw, dict):
        return f"not an event object ({_describe(raw)})"
    event_id = raw.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        return "no event_id" if event_id is None else f"event_id is {_describe(event_id)}"
    stamp = raw.get("event_timestamp")
    if parse_timestamp(stamp) is None:
        if stamp is None:
            return "no event_timestamp"
        return f"event_timestamp is {_describe(stamp)}, not an RFC 3339 date-time"
    return None


def _add_row(
    columns: dict[str, list[Any]], item: Decoded, source: str, fetched_at: datetime
) -> str | None:
    raw = item.raw
    stamp = parse_timestamp(raw.get("event_timestamp")) if isinstance(raw, dict) else None
    if stamp is None or not isinstance(raw.get("event_id"), str) or not raw["event_id"]:
        return unstorable(raw) or "cannot be stored"
    extra: dict[str, Any] = {}
    for name, check in _TYPED.items():
        value = raw.get(name)
        if value is not None:
            value = check(value)
            if value is _NO_FIT:
                extra[name] = raw[name]
                value = None
        columns[name].append(value)
    for key, value in raw.items():
        if key not in _KNOWN:
            extra[key] = value
    event_type = raw.get("event_type")
    columns["event_id"].append(raw["event_id"])
    columns["event_timestamp"].append(stamp)
    columns["service"].append(item.service if isinstance(event_type, str) else None)
    columns["extra"].append(dumps(extra) if extra else None)
    columns["event_data"].append(dumps(raw["event_data"]) if "event_data" in raw else None)
    columns["decode_status"].append(str(item.status))
    columns["decode_issues"].append(dumps(item.issues_as_dicts()))
    columns["source"].append(source)
    columns["fetched_at"].append(fetched_at)
    return None


_KNOWN = frozenset(_TYPED) | {"event_id", "event_timestamp", "event_data"}


def _keep_last(batch: RowBatch) -> None:
    ids = batch.columns["event_id"]
    last = {event_id: index for index, event_id in enumerate(ids)}
    if len(last) == len(ids):
        return
    keep = sorted(last.values())
    batch.duplicates = len(ids) - len(keep)
    for name, values in batch.columns.items():
        batch.columns[name] = [values[i] for i in keep]


def _valid_utf8(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Lone surrogates (valid in JSON escapes, not in UTF-8) become U+FFFD."""

    def fix(value: Any) -> Any:
        return _replace_surrogates(value) if isinstance(value, str) else value

    return {name: [fix(v) for v in values] for name, values in columns.items()}
