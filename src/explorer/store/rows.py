"""Decoded events -> column batches for the ``events`` table. Pure functions, no I/O.

A value lands in its typed column only when it fits the column's type; otherwise the
column is NULL and the value, as received, goes into ``extra`` with the envelope
properties that have no column. ``event_data`` is the received value, written compactly.

Conversion works on a whole batch at once and returns plain lists, so that it can run
in another process and its result be pickled back.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import orjson
import pyarrow as pa

from explorer.models.decode import Decoded, _describe
from explorer.models.registry import ENVELOPE_RENAMES

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
    ("decode_fits", "JSON"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)
BATCH_SIZE = 10_000  # rows per transaction: larger batches buy little and cost memory

INT32 = (-(2**31), 2**31 - 1)  # what an INTEGER column holds


def parse_timestamp(value: Any) -> datetime | None:
    """An RFC 3339 string as a UTC datetime (no zone counts as UTC); None if it is not one."""
    if type(value) is not str:
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


def _parse_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if type(value) is str else None
    except ValueError:
        return None


_NOT_ENVELOPE = frozenset(
    {"event_id", "event_timestamp", "service", "extra", "event_data"}
    | {"decode_status", "decode_issues", "source", "fetched_at", "decode_fits"}
)
# Envelope properties with a typed column -> the column's SQL type.
_TYPED: dict[str, str] = {name: sql for name, sql in COLUMNS if name not in _NOT_ENVELOPE}
_KNOWN = frozenset(_TYPED) | {"event_id", "event_timestamp", "event_data"}


def _misfits(sql: str, values: list[Any]) -> list[int]:
    """Positions of the values that do not fit ``sql``; dates and times are parsed in place.

    JSON values are never subclasses, hence ``type(v) is``: it also keeps booleans out of
    INTEGER columns.
    """
    if sql == "VARCHAR":
        return [i for i, v in enumerate(values) if v is not None and type(v) is not str]
    if sql == "BOOLEAN":
        return [i for i, v in enumerate(values) if v is not None and type(v) is not bool]
    if sql == "INTEGER":
        low, high = INT32
        return [
            i
            for i, v in enumerate(values)
            if v is not None and (type(v) is not int or not low <= v <= high)
        ]
    parse: Callable[[Any], Any] = parse_timestamp if sql == "TIMESTAMPTZ" else _parse_date
    bad = []
    for i, v in enumerate(values):
        if v is not None:
            values[i] = parse(v)
            if values[i] is None:
                bad.append(i)
    return bad


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
        # orjson refuses big integers, lone surrogates and nesting beyond 255 levels; the
        # standard library does not. DuckDB's JSON refuses lone surrogates: they become U+FFFD.
        return _replace_surrogates(_std_dumps(value))


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
    table: pa.Table | None = None

    def __len__(self) -> int:
        if self.table is not None:
            return int(self.table.num_rows)
        return len(self.columns["event_id"])

    def freeze(self) -> RowBatch:
        """Convert to Arrow now (in a worker process): an Arrow table pickles as buffers,
        far cheaper to send back than lists of Python objects."""
        self.table = self.to_arrow()
        self.columns = {}
        return self

    @classmethod
    def merged(cls, batches: Sequence[RowBatch]) -> RowBatch:
        """One batch of the rows of ``batches``, whose event_ids must not overlap;
        duplicates within each are still counted."""
        tables = [batch.to_arrow() for batch in batches if len(batch)]
        table = pa.concat_tables(tables) if tables else ARROW_SCHEMA.empty_table()
        return cls(columns={}, duplicates=sum(b.duplicates for b in batches), table=table)

    def to_arrow(self) -> pa.Table:
        if self.table is not None:
            return self.table
        try:
            return pa.Table.from_pydict(self.columns, schema=ARROW_SCHEMA)
        except (UnicodeEncodeError, pa.ArrowException):
            return pa.Table.from_pydict(_valid_utf8(self.columns), schema=ARROW_SCHEMA)


def build_rows(decoded: Sequence[Decoded], *, source: str, fetched_at: datetime) -> RowBatch:
    """Convert decoded events into one batch of rows; the last event per event_id wins."""
    batch = RowBatch()
    kept: list[Decoded] = []
    stamps: list[datetime] = []
    for index, item in enumerate(decoded):
        raw = item.raw
        stamp = parse_timestamp(raw.get("event_timestamp")) if type(raw) is dict else None
        event_id = raw.get("event_id") if stamp is not None else None
        if stamp is None or type(event_id) is not str or not _usable_id(event_id):
            batch.rejected.append((index, unstorable(raw) or "cannot be stored"))
            continue
        kept.append(item)
        stamps.append(stamp)
    batch.statuses = [str(item.status) for item in kept]
    kept, stamps = _last_per_id(kept, stamps)
    batch.duplicates = len(batch.statuses) - len(kept)
    _fill(batch.columns, kept, stamps, source, fetched_at.astimezone(UTC))
    return batch


def unstorable(raw: Any) -> str | None:
    """Why an event cannot be stored (no object, event_id or timestamp), or None."""
    if not isinstance(raw, dict):
        return f"not an event object ({_describe(raw)})"
    event_id = raw.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        return "no event_id" if event_id is None else f"event_id is {_describe(event_id)}"
    if not _usable_id(event_id):
        return "event_id is not valid Unicode (a lone surrogate escape)"
    stamp = raw.get("event_timestamp")
    if parse_timestamp(stamp) is None:
        if stamp is None:
            return "no event_timestamp"
        return f"event_timestamp is {_describe(stamp)}, not an RFC 3339 date-time"
    return None


def _usable_id(event_id: str) -> bool:
    """Non-empty and valid Unicode: a key cannot be repaired without colliding with another."""
    if event_id.isascii():
        return bool(event_id)
    try:
        event_id.encode()
    except UnicodeEncodeError:
        return False
    return True


def _last_per_id(
    items: list[Decoded], stamps: list[datetime]
) -> tuple[list[Decoded], list[datetime]]:
    last = {item.raw["event_id"]: index for index, item in enumerate(items)}
    if len(last) == len(items):
        return items, stamps
    keep = sorted(last.values())
    return [items[i] for i in keep], [stamps[i] for i in keep]


def _fill(
    columns: dict[str, list[Any]],
    items: list[Decoded],
    stamps: list[datetime],
    source: str,
    fetched_at: datetime,
) -> None:
    """Column by column: a comprehension per column beats a loop over 38 columns per row."""
    raws: list[dict[str, Any]] = [item.raw for item in items]
    extras: list[dict[str, Any] | None] = [
        None if _KNOWN.issuperset(raw) else {k: raw[k] for k in raw.keys() - _KNOWN} for raw in raws
    ]
    for name, sql in _TYPED.items():
        older = ENVELOPE_RENAMES.get(name)
        values = [raw.get(name, raw.get(older)) if older else raw.get(name) for raw in raws]
        for i in _misfits(sql, values):
            if name in raws[i]:  # a renamed property is in extra already
                extras[i] = {**(extras[i] or {}), name: raws[i][name]}
            values[i] = None
        columns[name] = values
    columns["event_id"] = [raw["event_id"] for raw in raws]
    columns["event_timestamp"] = stamps
    columns["service"] = [item.service for item in items]
    columns["extra"] = [dumps(extra) if extra else None for extra in extras]
    columns["event_data"] = [
        dumps(raw["event_data"]) if "event_data" in raw else None for raw in raws
    ]
    columns["decode_status"] = [str(item.status) for item in items]
    columns["decode_issues"] = [
        dumps(item.issues_as_dicts()) if item.issues else "[]" for item in items
    ]
    columns["source"] = [source] * len(raws)
    columns["fetched_at"] = [fetched_at] * len(raws)
    columns["decode_fits"] = [fits_json(item.fits, item.fits_ok) for item in items]


def fits_json(fits: Sequence[str] | None, fits_ok: Sequence[str] | None) -> str | None:
    """The ``decode_fits`` column: ``{"ok": [...], "drift": [...]}``, the shipped contracts a
    non-ok event is ok and drift under; None for an ok event (not computed)."""
    if fits is None:
        return None
    ok = list(fits_ok or ())
    return dumps({"ok": ok, "drift": [name for name in fits if name not in ok]})


def _valid_utf8(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Lone surrogates (valid in JSON escapes, not in UTF-8) become U+FFFD."""

    def fix(value: Any) -> Any:
        return _replace_surrogates(value) if isinstance(value, str) else value

    return {name: [fix(v) for v in values] for name, values in columns.items()}
