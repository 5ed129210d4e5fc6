"""What the server said about the events: hash-chain verdicts, verification runs, legal holds.

Three tables beside ``events`` (created when a cache is opened for writing, and by every
write here; a read of a cache that never had them finds nothing):

- ``verification_runs``: one row per ``verify`` (or imported export): what it covered,
  the server's totals, integrity and tampered IDs, and who signed it;
- ``chain_verdicts(event_id, run_id, hash_chain_valid)``: the server's per-event verdict
  of each run (the newest run is the event's verdict);
- ``legal_holds``: the server's list of active holds per source, replaced on each read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from explorer.store.connection import Cursor, store_errors

EVIDENCE_SQL: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS verification_runs (run_id VARCHAR PRIMARY KEY,"
    " source VARCHAR, verified_at TIMESTAMPTZ, scope JSON, events BIGINT, pages INTEGER,"
    " total_verified BIGINT, valid_chain BIGINT, broken_chain BIGINT, integrity DOUBLE,"
    " tampered_ids JSON, signature_algorithm VARCHAR, certificate_fingerprint VARCHAR,"
    " signature_checked BOOLEAN, exported_by VARCHAR, export_timestamp VARCHAR)",
    "CREATE TABLE IF NOT EXISTS chain_verdicts (event_id VARCHAR, run_id VARCHAR,"
    " hash_chain_valid BOOLEAN, PRIMARY KEY (event_id, run_id))",
    "CREATE TABLE IF NOT EXISTS legal_holds (source VARCHAR, correlation_id VARCHAR,"
    " events_affected BIGINT, placed_by VARCHAR, placed_at VARCHAR, reason VARCHAR,"
    " seen_at TIMESTAMPTZ, PRIMARY KEY (source, correlation_id))",
)

# The filter language's ``hold:yes``: the event says it is held, or the server lists its
# correlation ID. Fixed SQL over ``events``.
HOLD_SQL = (
    "(coalesce(legal_hold, false)"
    " OR coalesce(correlation_id IN (SELECT correlation_id FROM legal_holds), false))"
)

_TABLES = ("verification_runs", "chain_verdicts", "legal_holds")
_INSERT_RUN = "INSERT INTO verification_runs VALUES (" + ", ".join("?" * 16) + ")"  # noqa: S608


@dataclass(frozen=True)
class VerificationRun:
    run_id: str
    source: str
    verified_at: datetime
    scope: Mapping[str, str]
    events: int
    pages: int
    total_verified: int
    valid_chain: int
    broken_chain: int
    integrity: float | None
    tampered_ids: tuple[str, ...]
    signature_algorithm: str | None
    certificate_fingerprint: str | None
    signature_checked: bool  # verified against a certificate the user gave
    exported_by: str | None
    export_timestamp: str | None


@dataclass(frozen=True)
class HoldRow:
    correlation_id: str
    events_affected: int | None
    placed_by: str | None
    placed_at: str | None
    reason: str | None


@dataclass(frozen=True)
class HoldInfo:
    """Whether an event or correlation is under legal hold, and what is known of the hold."""

    held: bool
    reason: str | None = None
    placed_by: str | None = None
    placed_at: str | None = None
    listed: bool = False  # the server's legal-hold list names the correlation


@dataclass(frozen=True)
class Verdict:
    """The server's newest verdict on one event."""

    hash_chain_valid: bool
    run_id: str
    verified_at: datetime


def create_tables(cur: Cursor) -> None:
    """The evidence tables, if missing (called when a cache is opened for writing)."""
    for statement in EVIDENCE_SQL:
        cur.execute(statement)


def save_run(cur: Cursor, run: VerificationRun, verdicts: Mapping[str, bool]) -> None:
    """Store one verification run and its per-event verdicts, in one transaction."""
    row = [
        run.run_id, run.source, run.verified_at, json.dumps(dict(run.scope)), run.events,
        run.pages, run.total_verified, run.valid_chain, run.broken_chain, run.integrity,
        json.dumps(list(run.tampered_ids)), run.signature_algorithm,
        run.certificate_fingerprint, run.signature_checked, run.exported_by,
        run.export_timestamp,
    ]  # fmt: skip
    with store_errors("cannot store the verification run"):
        create_tables(cur)
        cur.execute("BEGIN TRANSACTION")
        try:
            cur.execute(_INSERT_RUN, row)
            if verdicts:
                cur.executemany(
                    "INSERT OR REPLACE INTO chain_verdicts VALUES (?, ?, ?)",
                    [[event_id, run.run_id, valid] for event_id, valid in verdicts.items()],
                )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise


def replace_holds(cur: Cursor, source: str, holds: Iterable[HoldRow], seen_at: datetime) -> int:
    """The server's current hold list for ``source`` replaces the one stored."""
    rows = [
        [source, h.correlation_id, h.events_affected, h.placed_by, h.placed_at, h.reason, seen_at]
        for h in holds
    ]
    with store_errors("cannot store the legal holds"):
        create_tables(cur)
        cur.execute("BEGIN TRANSACTION")
        try:
            cur.execute("DELETE FROM legal_holds WHERE source = ?", [source])
            if rows:
                cur.executemany(
                    "INSERT OR REPLACE INTO legal_holds VALUES (?, ?, ?, ?, ?, ?, ?)", rows
                )
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
    return len(rows)


def _present(cur: Cursor) -> set[str]:
    with store_errors("cannot read the cache"):
        rows = cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
    return {str(name) for (name,) in rows if name in _TABLES}


def held(cur: Cursor, event_ids: Sequence[str]) -> set[str]:
    """Which of ``event_ids`` are under legal hold (the filter's ``hold:yes``), for badges.
    A cache without the holds table (opened only read-only since it came) knows only the
    events' own fields."""
    if not event_ids:
        return set()
    rule = HOLD_SQL if "legal_holds" in _present(cur) else "coalesce(legal_hold, false)"
    marks = ", ".join("?" * len(event_ids))  # IN over the key: an index lookup per row
    sql = f"SELECT event_id FROM events WHERE event_id IN ({marks}) AND {rule}"  # noqa: S608
    with store_errors("cannot read the legal holds"):
        return {str(event_id) for (event_id,) in cur.execute(sql, list(event_ids)).fetchall()}


def hold_of(
    cur: Cursor, *, event_id: str | None = None, correlation_id: str | None = None
) -> HoldInfo:
    """Is this event (or correlation) under legal hold: its own fields, else the server's list."""
    own: Sequence[Any] | None = None
    with store_errors("cannot read the legal hold"):
        if event_id is not None:
            own = cur.execute(
                "SELECT legal_hold, legal_hold_reason, legal_hold_placed_by,"
                " CAST(legal_hold_placed_at AS VARCHAR), correlation_id"
                " FROM events WHERE event_id = ?",
                [event_id],
            ).fetchone()
            if own is not None and correlation_id is None:
                correlation_id = own[4]
        elif correlation_id is not None:  # any of its events held
            own = cur.execute(
                "SELECT legal_hold, legal_hold_reason, legal_hold_placed_by,"
                " CAST(legal_hold_placed_at AS VARCHAR), correlation_id"
                " FROM events WHERE correlation_id = ? AND legal_hold LIMIT 1",
                [correlation_id],
            ).fetchone()
        listed = None
        if correlation_id is not None and "legal_holds" in _present(cur):
            listed = cur.execute(
                "SELECT reason, placed_by, placed_at FROM legal_holds WHERE correlation_id = ?"
                " ORDER BY seen_at DESC LIMIT 1",
                [correlation_id],
            ).fetchone()
    if own is not None and own[0]:
        return HoldInfo(True, own[1], own[2], own[3], listed is not None)
    if listed is not None:
        return HoldInfo(True, listed[0], listed[1], listed[2], True)
    return HoldInfo(False)


def holds(cur: Cursor) -> list[tuple[str, HoldRow]]:
    """Every stored hold, as ``(source, hold)``, newest placement first."""
    if "legal_holds" not in _present(cur):
        return []
    with store_errors("cannot read the legal holds"):
        rows = cur.execute(
            "SELECT source, correlation_id, events_affected, placed_by, placed_at, reason"
            " FROM legal_holds ORDER BY placed_at DESC NULLS LAST, correlation_id"
        ).fetchall()
    return [(r[0], HoldRow(r[1], r[2], r[3], r[4], r[5])) for r in rows]


def verdicts(cur: Cursor, event_ids: Sequence[str]) -> dict[str, Verdict]:
    """The newest server verdict of each of ``event_ids`` that has one."""
    if not event_ids or not {"chain_verdicts", "verification_runs"} <= _present(cur):
        return {}
    with store_errors("cannot read the chain verdicts"):
        rows = cur.execute(
            "SELECT v.event_id, arg_max(v.hash_chain_valid, r.verified_at),"
            " arg_max(v.run_id, r.verified_at), max(r.verified_at)"
            " FROM chain_verdicts v JOIN verification_runs r USING (run_id)"
            " WHERE v.event_id IN (SELECT unnest(?)) GROUP BY v.event_id",
            [list(event_ids)],
        ).fetchall()
    return {r[0]: Verdict(bool(r[1]), r[2], r[3]) for r in rows}


def runs(cur: Cursor, limit: int = 20) -> list[VerificationRun]:
    """The newest verification runs first."""
    if "verification_runs" not in _present(cur):
        return []
    with store_errors("cannot read the verification runs"):
        rows = cur.execute(
            "SELECT * FROM verification_runs ORDER BY verified_at DESC LIMIT ?", [limit]
        ).fetchall()
    return [_run(r) for r in rows]


def _run(r: Sequence[Any]) -> VerificationRun:
    return VerificationRun(
        r[0], r[1], r[2], json.loads(r[3] or "{}"), r[4], r[5], r[6], r[7], r[8], r[9],
        tuple(json.loads(r[10] or "[]")), r[11], r[12], bool(r[13]), r[14], r[15],
    )  # fmt: skip
