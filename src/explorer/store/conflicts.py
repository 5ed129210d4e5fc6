"""A version of an event that arrives again never replaces the stored one.

The first stored version stays. A later version with the same content (see
:mod:`explorer.store.received`) is counted and dropped; one with different content is
kept in ``event_conflicts`` (the event as it arrived, its source, when, and the paths that
differ), never applied: in an audit trail a changed event is tamper evidence.

SQL finds the candidates cheaply (a column differs as text); Python decides, since key
order in the JSON columns and the spelling of an instant are not content.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from explorer.store.encode import dumps
from explorer.store.received import as_received, canonical, differing_paths
from explorer.store.schema import COLUMNS, CONTENT_COLUMNS
from explorer.times import parse_timestamp

_JSON = ("extra", "event_data")
_DIFFERS = " OR ".join(f"l.{c} IS DISTINCT FROM r.{c}" for c in CONTENT_COLUMNS)
_PAIR = ", ".join(
    [f"l.{c}" for c in CONTENT_COLUMNS]
    + ["l.source", "l.fetched_at"]
    + [f"r.{c}" for c in CONTENT_COLUMNS]
)


@dataclass(frozen=True, slots=True)
class Conflict:
    event_id: str
    received: str  # the event as it arrived, JSON text
    source: str | None
    seen_at: datetime
    paths: list[str]


def conflicts_between(con: duckdb.DuckDBPyConnection, later: str, reference: str) -> list[Conflict]:
    """The rows of ``later`` (a table or subquery, fixed SQL) whose content differs from
    the row of ``reference`` with their event_id."""
    sql = (
        f"SELECT {_PAIR} FROM {later} l JOIN {reference} r ON l.event_id = r.event_id"  # noqa: S608
        f" WHERE {_DIFFERS}"
    )
    found: list[Conflict] = []
    width = len(CONTENT_COLUMNS)
    for values in con.execute(sql).fetchall():
        got = _row(values[:width])
        source, seen_at = values[width], values[width + 1]
        stored = _row(values[width + 2 :])
        received = as_received(got)
        paths = differing_paths(as_received(stored), received)
        if paths:
            found.append(Conflict(got["event_id"], dumps(received), source, seen_at, paths))
    return found


def record(con: duckdb.DuckDBPyConnection, conflicts: Sequence[Conflict]) -> None:
    """Keep ``conflicts``; a version already kept for its event_id is kept once."""
    if not conflicts:
        return
    ids = sorted({c.event_id for c in conflicts})
    kept = {
        (event_id, canonical(json.loads(text)))
        for event_id, text in con.execute(
            "SELECT event_id, received FROM event_conflicts WHERE list_contains(?, event_id)",
            [ids],
        ).fetchall()
    }
    rows: list[list[Any]] = []
    for c in conflicts:
        key = (c.event_id, canonical(json.loads(c.received)))
        if key not in kept:
            kept.add(key)
            rows.append([c.event_id, c.received, c.source, c.seen_at, c.paths])
    if rows:
        con.executemany("INSERT INTO event_conflicts VALUES (?, ?, ?, ?, ?)", rows)


def _row(values: Iterable[Any]) -> dict[str, Any]:
    row = dict(zip(CONTENT_COLUMNS, values, strict=True))
    for name in _JSON:
        if row[name] is not None:
            row[name] = json.loads(row[name])  # exact for big integers, unlike orjson
    return row


# -- partial versions: what DataStorage's signed export carries ------------------------------


@dataclass(frozen=True, slots=True)
class PartialCheck:
    """Partial versions of events (the export's projection) against the stored ones."""

    same: int  # stored, and equal on every property the partial version carries
    differing: int  # stored, and different there: kept in ``event_conflicts``
    absent: list[str]  # event_ids not in the cache


def check_partial(
    con: duckdb.DuckDBPyConnection,
    events: Sequence[dict[str, Any]],
    source: str | None,
    seen_at: datetime,
) -> PartialCheck:
    """Compare each partial version with the stored event on the properties it carries.

    The signed export sends a projection of each event (no actor, resource, ...). Its
    absence of the other properties is not a change, so only what it carries is compared;
    a value that differs there is a conflict like any other (recorded with its paths). The
    stored event is never touched, and an event not in the cache is not stored from it
    (a projection stored first would make the full version, once synced, look changed).
    """
    by_id = {str(e.get("event_id")): e for e in events if isinstance(e.get("event_id"), str)}
    if not by_id:
        return PartialCheck(0, 0, [])
    columns = ", ".join(CONTENT_COLUMNS)
    sql = f"SELECT {columns} FROM events WHERE list_contains(?, event_id)"  # noqa: S608
    stored = {
        row["event_id"]: as_received(row)
        for row in (_row(values) for values in con.execute(sql, [list(by_id)]).fetchall())
    }
    found: list[Conflict] = []
    same = 0
    for event_id, partial in by_id.items():
        kept = stored.get(event_id)
        if kept is None:
            continue
        received = _as_stored(partial)
        projected = {key: kept[key] for key in received if key in kept}
        paths = differing_paths(projected, received)
        if paths:
            found.append(Conflict(event_id, dumps(partial), source, seen_at, paths))
        else:
            same += 1
    record(con, found)
    absent = [event_id for event_id in by_id if event_id not in stored]
    return PartialCheck(same, len(found), absent)


_INSTANTS = frozenset(name for name, sql in COLUMNS if sql.startswith("TIMESTAMPTZ"))


def _as_stored(partial: dict[str, Any]) -> dict[str, Any]:
    """``partial`` spelt as :func:`as_received` spells a stored event: no null properties
    (a null column is an absent one) and instants in UTC (``...000Z`` is the same instant
    as ``...Z``). A value that does not parse stays as it is, and differs."""
    spelt: dict[str, Any] = {}
    for key, value in partial.items():
        if value is None:
            continue
        if key in _INSTANTS and isinstance(value, str):
            moment = parse_timestamp(value)
            if moment is not None:
                value = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
        spelt[key] = value
    return spelt
