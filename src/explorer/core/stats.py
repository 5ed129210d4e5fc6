"""Counts over the cache: the mismatch summary, events over time, services and outcomes.

Every function takes the ``where``/``params`` of a filter (values only as parameters)
and returns plain data; the store counts (:mod:`explorer.store.counts`), this module
shapes the counts (verdicts, buckets of a readable width), the TUI draws them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from explorer.store import counts
from explorer.store.connection import Cursor

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
    path: str = "-"  # an example field path of the issue kind (the first, in text order)

    def verdict(self, contract: str) -> Verdict:
        return fits_verdict(self.status, self.fits, contract, self.fits_ok)


@dataclass(frozen=True, slots=True)
class TypeMismatches:
    """One event type's non-ok events (each once) and its issue groups, largest first."""

    event_type: str
    events: int
    groups: tuple[MismatchRow, ...]


@dataclass(frozen=True, slots=True)
class ServiceMismatches:
    """One service's non-ok events (each once) and its event types, largest first."""

    service: str
    events: int
    types: tuple[TypeMismatches, ...]


def mismatch_tree(
    rows: Sequence[MismatchRow], type_counts: Sequence[tuple[str, str, int]]
) -> list[ServiceMismatches]:
    """Services, then event types, then issue groups, with totals at each level and the
    largest first (ties by name). ``type_counts`` are the events per (service, type),
    each once: an event with two kinds of issue is in two groups but one total."""
    events = {(service, event_type): n for service, event_type, n in type_counts}
    groups: dict[str, dict[str, list[MismatchRow]]] = {}
    for row in rows:
        groups.setdefault(row.service, {}).setdefault(row.event_type, []).append(row)
    services = []
    for service, by_type in groups.items():
        types = [
            TypeMismatches(
                event_type,
                events.get((service, event_type), max(r.events for r in found)),
                tuple(sorted(found, key=lambda r: (-r.events, r.issue_kind, r.path))),
            )
            for event_type, found in by_type.items()
        ]
        types.sort(key=lambda t: (-t.events, t.event_type))
        services.append(ServiceMismatches(service, sum(t.events for t in types), tuple(types)))
    return sorted(services, key=lambda s: (-s.events, s.service))


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
    return [
        MismatchRow(
            service, event_type, status, kind, n, tuple(fits or ()), tuple(ok or ()), str(path)
        )
        for service, event_type, status, kind, n, fits, ok, path in counts.mismatch_rows(
            cur, where, params
        )
    ]


def mismatch_type_counts(
    cur: Cursor, where: str = "TRUE", params: Sequence[object] = ()
) -> list[tuple[str, str, int]]:
    """Non-ok events (each once) per (service, event type)."""
    return counts.mismatch_type_rows(cur, where, params)


def verdict_totals(
    cur: Cursor, where: str = "TRUE", params: Sequence[object] = ()
) -> dict[Verdict, int]:
    """Non-ok events (each once) per verdict: fits no contract, version skew, drift."""
    totals: dict[Verdict, int] = {verdict: 0 for verdict in VERDICT_ORDER[:3]}
    for status, fits, fits_ok, contract, count in counts.fits_rows(cur, where, params):
        totals[fits_verdict(status, fits, contract, fits_ok)] += count
    return totals


def outcome_counts(
    cur: Cursor, where: str = "TRUE", params: Sequence[object] = ()
) -> list[OutcomeCount]:
    """Events per service and outcome, by service then outcome."""
    return [OutcomeCount(*row) for row in counts.outcome_rows(cur, where, params)]


def by_service(counts: Sequence[OutcomeCount]) -> list[tuple[str, dict[str, int], int]]:
    """(service, events per outcome, total) per service, the busiest first (ties by name)."""
    found: dict[str, dict[str, int]] = {}
    for c in counts:
        found.setdefault(c.service, {})[c.outcome] = c.events
    rows = [(service, outcomes, sum(outcomes.values())) for service, outcomes in found.items()]
    return sorted(rows, key=lambda row: (-row[2], row[0]))


def histogram(
    cur: Cursor, where: str = "TRUE", params: Sequence[object] = (), buckets: int = 48
) -> Histogram:
    """Events over time in at most ``buckets`` buckets of a readable width."""
    span = counts.time_span(cur, where, params)
    if span is None:
        return Histogram(None, timedelta(hours=1), [])
    first, last = span
    step = nice_step((last - first).total_seconds(), buckets)
    start = _floor(first, step)
    rows = counts.bucket_counts(cur, where, params, start.timestamp(), step)
    size = int((last.timestamp() - start.timestamp()) // step) + 1
    per_bucket = [0] * size
    for bucket, n in rows:
        if 0 <= bucket < size:
            per_bucket[bucket] += n
    return Histogram(start, timedelta(seconds=step), per_bucket)


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
