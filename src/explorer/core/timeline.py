"""The incident timeline: every event of one correlation ID in time order, checked.

Data only; the CLI and the TUI render it. The hash chain is checked the way DataStorage
builds it: each event's ``previous_event_hash`` equals the ``event_hash`` of the event
before it in the same correlation ID (oldest first, ties broken by event_id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from explorer.store.connection import Cursor
from explorer.store.reads import timeline_rows


@dataclass(frozen=True, slots=True)
class Step:
    event_id: str
    timestamp: datetime
    service: str | None
    event_type: str | None
    outcome: str | None
    decode_status: str | None
    since_prev: timedelta | None  # None for the first step
    since_start: timedelta
    failed: bool  # event_outcome is "failure"
    chain_ok: bool | None  # None for the first step, or when neither side has a hash
    issue_count: int = 0
    event_hash: str | None = None
    previous_event_hash: str | None = None
    duration_ms: int | None = None
    error_message: str | None = None

    @property
    def decode_problem(self) -> bool:
        return self.decode_status not in (None, "ok")


@dataclass(frozen=True, slots=True)
class Timeline:
    correlation_id: str
    steps: tuple[Step, ...]

    @property
    def started(self) -> datetime | None:
        return self.steps[0].timestamp if self.steps else None

    @property
    def ended(self) -> datetime | None:
        return self.steps[-1].timestamp if self.steps else None

    @property
    def duration(self) -> timedelta:
        return self.steps[-1].since_start if self.steps else timedelta(0)

    @property
    def failures(self) -> int:
        return sum(step.failed for step in self.steps)

    @property
    def decode_problems(self) -> int:
        return sum(step.decode_problem for step in self.steps)

    @property
    def chain_breaks(self) -> int:
        return sum(step.chain_ok is False for step in self.steps)

    @property
    def services(self) -> tuple[str, ...]:
        """The services involved, in order of first appearance."""
        return tuple(dict.fromkeys(step.service for step in self.steps if step.service))


def build_timeline(cur: Cursor, correlation_id: str) -> Timeline:
    """The timeline of ``correlation_id``; empty when the cache has no such events."""
    return Timeline(correlation_id, tuple(_steps(timeline_rows(cur, correlation_id))))


def _steps(rows: list[tuple[Any, ...]]) -> list[Step]:
    steps: list[Step] = []
    for row in rows:
        (event_id, ts, service, event_type, outcome, status, issues, event_hash, prev_hash) = row[
            :9
        ]
        before = steps[-1] if steps else None
        steps.append(
            Step(
                event_id=event_id,
                timestamp=ts,
                service=service,
                event_type=event_type,
                outcome=outcome,
                decode_status=status,
                since_prev=ts - before.timestamp if before else None,
                since_start=ts - steps[0].timestamp if steps else timedelta(0),
                failed=(outcome or "").lower() == "failure",
                chain_ok=_chain_ok(before, prev_hash),
                issue_count=int(issues or 0),
                event_hash=event_hash,
                previous_event_hash=prev_hash,
                duration_ms=row[9],
                error_message=row[10],
            )
        )
    return steps


def _chain_ok(before: Step | None, previous_hash: str | None) -> bool | None:
    if before is None or (before.event_hash is None and previous_hash is None):
        return None
    return before.event_hash == previous_hash
