"""Decoded events -> column batches for the ``events`` table. Pure functions, no I/O.

A value lands in its typed column only when it fits the column's type (:func:`misfits`,
the one definition, which the bulk lane's checks use too); otherwise the column is NULL
and the value, as received, goes into ``extra`` with the envelope properties that have no
column. ``event_data`` is the received value, written compactly.

Conversion works on a whole batch at once and returns plain lists, so that it can run
in another process and its result be pickled back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from explorer.models.decode import Decoded, describe
from explorer.models.registry import ENVELOPE_RENAMES
from explorer.store.batches import RowBatch
from explorer.store.encode import dumps, fits_json
from explorer.store.schema import COLUMNS, INT32
from explorer.times import parse_timestamp as parse_timestamp  # the one parser, re-exported


def parse_date(value: Any) -> date | None:
    """An ISO 8601 date string as a date; None if it is not one."""
    try:
        return date.fromisoformat(value) if type(value) is str else None
    except ValueError:
        return None


def fits_integer(value: Any) -> bool:
    """Whether ``value`` fits an INTEGER column: a JSON integer (not a boolean) of 32 bits."""
    low, high = INT32
    return type(value) is int and low <= value <= high


_NOT_ENVELOPE = frozenset(
    {"event_id", "event_timestamp", "service", "extra", "event_data"}
    | {"decode_status", "decode_issues", "source", "fetched_at", "decode_fits"}
)
# Envelope properties with a typed column -> the column's SQL type.
_TYPED: dict[str, str] = {name: sql for name, sql in COLUMNS if name not in _NOT_ENVELOPE}
_KNOWN = frozenset(_TYPED) | {"event_id", "event_timestamp", "event_data"}


def misfits(sql: str, values: list[Any]) -> list[int]:
    """Positions of the values that do not fit a column of type ``sql`` (None fits every
    column); dates and times are parsed in place. The one definition of "fits its column".

    JSON values are never subclasses, hence ``type(v) is``: it also keeps booleans out of
    INTEGER columns.
    """
    if sql == "VARCHAR":
        return [i for i, v in enumerate(values) if v is not None and type(v) is not str]
    if sql == "BOOLEAN":
        return [i for i, v in enumerate(values) if v is not None and type(v) is not bool]
    if sql == "INTEGER":
        return [i for i, v in enumerate(values) if v is not None and not fits_integer(v)]
    parse: Callable[[Any], Any] = parse_timestamp if sql.startswith("TIMESTAMPTZ") else parse_date
    bad = []
    for i, v in enumerate(values):
        if v is not None:
            values[i] = parse(v)
            if values[i] is None:
                bad.append(i)
    return bad


def fits(sql: str, value: Any) -> bool:
    """Whether one value fits a column of type ``sql`` (see :func:`misfits`)."""
    return not misfits(sql.split()[0], [value])


def build_rows(decoded: Sequence[Decoded], *, source: str, fetched_at: datetime) -> RowBatch:
    """Convert decoded events into one batch of rows, in order (an event_id may repeat:
    the cache keeps the first version, see ``Cache.write_many``)."""
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
    _fill(batch.columns, kept, stamps, source, fetched_at.astimezone(UTC))
    return batch


def unstorable(raw: Any) -> str | None:
    """Why an event cannot be stored (no object, event_id or timestamp), or None."""
    if not isinstance(raw, dict):
        return f"not an event object ({describe(raw)})"
    event_id = raw.get("event_id")
    if not isinstance(event_id, str) or not event_id:
        return "no event_id" if event_id is None else f"event_id is {describe(event_id)}"
    if not _usable_id(event_id):
        return "event_id is not valid Unicode (a lone surrogate escape)"
    stamp = raw.get("event_timestamp")
    if parse_timestamp(stamp) is None:
        if stamp is None:
            return "no event_timestamp"
        return f"event_timestamp is {describe(stamp)}, not an RFC 3339 date-time"
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
        for i in misfits(sql, values):
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
