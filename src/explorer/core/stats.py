"""Counts over the cache: the mismatch summary, events over time, services and outcomes.

Every function takes the ``where``/``params`` of a filter (values only as parameters)
and returns plain data; the TUI draws it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from explorer.core.browse import Cursor, execute
from explorer.core.filters import FITS_OK_SQL, FITS_SQL

# Bucket widths a person reads easily, in seconds.
_STEPS = (
    1,
    5,
    10,
    30,
    60,
    300,
    600,
    900,
    1800,
    3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86400,
    7 * 86400,
)


@dataclass(frozen=True, slots=True)
class MismatchRow:
    """Non-ok events of one service, event type, status, issue kind and fits list."""

    service: str
    event_type: str
    status: str
    issue_kind: str
    events: int
    fits: tuple[str, ...] = ()  # the shipped contracts these events fit (ok or drift)
    fits_ok: tuple[str, ...] = ()  # those of them these events are ok under

    def verdict(self, contract: str) -> Verdict:
        return fits_verdict(self.status, self.fits, contract, self.fits_ok)


Verdict = Literal["version skew", "drift", "no contract", "ok"]
VERDICT_ORDER: tuple[Verdict, ...] = ("no contract", "version skew", "drift", "ok")


def fits_verdict(
    status: str | None,
    fits: Sequence[str] | None,
    contract: str,
    fits_ok: Sequence[str] | None = None,
) -> Verdict:
    """What a non-ok event's fits say, against the cache's ``contract``.

    - ``version skew``: another shipped contract takes it (it is ok under one, or it
      does not fit this contract but fits another): producer and contract are on
      different versions, as a v1.5.7 ``cluster_name`` is against main;
    - ``drift``: it fits this contract, with properties no shipped contract declares;
    - ``no contract``: it fits no shipped contract, a real producer bug.
    """
    if status in (None, "ok"):
        return "ok"
    if any(name != contract for name in fits_ok or ()):
        return "version skew"
    if status == "drift":
        return "drift"
    return "version skew" if fits else "no contract"


def fits_sentence(
    status: str | None,
    fits: Sequence[str] | None,
    contract: str,
    fits_ok: Sequence[str] | None = None,
) -> str:
    """The verdict in words, for the event detail."""
    verdict = fits_verdict(status, fits, contract, fits_ok)
    others = ", ".join(name for name in fits or () if name != contract)
    if verdict == "version skew" and status == "drift":
        ok = ", ".join(name for name in fits_ok or () if name != contract)
        return (
            f"Drift under {contract}, but ok under {ok}: version skew between the "
            "producer and the contract this cache is decoded against."
        )
    if verdict == "version skew":
        return (
            f"Does not fit {contract}, but fits {others}: version skew between the "
            "producer and the contract this cache is decoded against."
        )
    if verdict == "drift":
        also = f"; also fits {others}" if others else ""
        return f"Fits {contract}, with properties it does not declare (drift){also}."
    if verdict == "no contract":
        return "Fits no shipped contract: a producer bug, not version skew."
    return f"Fits {contract}."


@dataclass(frozen=True, slots=True)
class Histogram:
    """Event counts per ``step`` from ``start``; ``counts[i]`` covers ``start + i * step``."""

    start: datetime | None
    step: timedelta
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def end(self) -> datetime | None:
        return None if self.start is None else self.start + self.step * len(self.counts)


@dataclass(frozen=True, slots=True)
class OutcomeCount:
    service: str
    outcome: str
    events: int


def mismatch_summary(
    cur: Cursor, where: str = "TRUE", params: Sequence[object] = ()
) -> list[MismatchRow]:
    """Events whose decode status is not ok, by service, type, status and issue kind.

    An event with several kinds of issue counts once under each kind; most events first.
    """
    sql = f"""
        WITH bad AS (
            SELECT event_id, service, event_type, decode_status, decode_issues,
                   {FITS_SQL} AS fits, {FITS_OK_SQL} AS fits_ok
            FROM events
            WHERE ({where}) AND coalesce(decode_status, '') <> 'ok'
        ), kinds AS (
            SELECT event_id, service, event_type, decode_status, fits, fits_ok,
                   unnest(CASE WHEN coalesce(json_array_length(decode_issues), 0) > 0
                          THEN json_extract_string(decode_issues, '$[*].kind')
                          ELSE ['-'] END) AS kind
            FROM bad
        )
        SELECT coalesce(service, '-'), coalesce(event_type, '-'), coalesce(decode_status, '-'),
               coalesce(kind, '-'), count(DISTINCT event_id) AS n, fits, fits_ok
        FROM kinds GROUP BY ALL ORDER BY n DESC, 1, 2, 3, 4, 6, 7
    """  # noqa: S608
    rows = execute(cur, sql, params).fetchall()
    return [
        MismatchRow(service, event_type, status, kind, n, tuple(fits or ()), tuple(ok or ()))
        for service, event_type, status, kind, n, fits, ok in rows
    ]


def verdict_totals(
    cur: Cursor, where: str = "TRUE", params: Sequence[object] = ()
) -> dict[Verdict, int]:
    """Non-ok events (each once) per verdict: fits no contract, version skew, drift."""
    sql = f"""
        SELECT decode_status, {FITS_SQL}, {FITS_OK_SQL}, (SELECT value FROM meta
               WHERE key = 'contract'), count(*)
        FROM events WHERE ({where}) AND coalesce(decode_status, '') <> 'ok' GROUP BY ALL
    """  # noqa: S608
    totals: dict[Verdict, int] = {verdict: 0 for verdict in VERDICT_ORDER[:3]}
    for status, fits, fits_ok, contract, count in execute(cur, sql, params).fetchall():
        totals[fits_verdict(status, fits, contract, fits_ok)] += count
    return totals


def outcome_counts(
    cur: Cursor, where: str = "TRUE", params: Sequence[object] = ()
) -> list[OutcomeCount]:
    """Events per service and outcome, by service then outcome."""
    sql = f"""
        SELECT coalesce(service, '-'), coalesce(event_outcome, '-'), count(*)
        FROM events WHERE {where} GROUP BY ALL ORDER BY 1, 2
    """  # noqa: S608
    return [OutcomeCount(*r) for r in execute(cur, sql, params).fetchall()]


def histogram(
    cur: Cursor, where: str = "TRUE", params: Sequence[object] = (), buckets: int = 48
) -> Histogram:
    """Events over time in at most ``buckets`` buckets of a readable width."""
    span_sql = f"SELECT min(event_timestamp), max(event_timestamp) FROM events WHERE {where}"  # noqa: S608
    span = execute(cur, span_sql, params).fetchone()
    if span is None or span[0] is None:
        return Histogram(None, timedelta(hours=1), [])
    first, last = span
    step = nice_step((last - first).total_seconds(), buckets)
    start = _floor(first, step)
    sql = f"""
        SELECT CAST(floor((epoch(event_timestamp) - ?) / ?) AS BIGINT) AS b, count(*)
        FROM events WHERE {where} GROUP BY b
    """  # noqa: S608
    rows = execute(cur, sql, [start.timestamp(), step, *params]).fetchall()
    size = int((last.timestamp() - start.timestamp()) // step) + 1
    counts = [0] * size
    for bucket, n in rows:
        if 0 <= bucket < size:
            counts[bucket] += n
    return Histogram(start, timedelta(seconds=step), counts)


def nice_step(seconds: float, buckets: int) -> int:
    """The smallest readable bucket width that covers ``seconds`` in ``buckets``."""
    want = math.ceil(seconds / max(buckets, 1)) if seconds > 0 else 1
    for step in _STEPS:
        if step >= want:
            return step
    return math.ceil(want / _STEPS[-1]) * _STEPS[-1]


def _floor(moment: datetime, step: int) -> datetime:
    epoch = moment.timestamp()
    return datetime.fromtimestamp(epoch - epoch % step, tz=moment.tzinfo)
