"""The incident timeline: every event of one correlation ID in time order, checked.

Data only; the CLI and the TUI render it. The hash chain is checked the way DataStorage
builds it: each event's ``previous_event_hash`` equals the ``event_hash`` of the event
before it in the same correlation ID (oldest first, ties broken by event_id).

Each step carries its error, read where the contract puts errors: the envelope's
``error_code``/``error_message``, and the payload fields the contract marks as errors
(:func:`error_fields`): a field typed as the contract's error-details schema, or a text
field named like error/failure/reason. The most specific message wins; "Unknown" never does.
"""

from __future__ import annotations

import json
import re
import types
import typing
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import cache
from typing import Any

from pydantic import BaseModel

from explorer.models.registry import CONTRACT_NAMES, load_contract
from explorer.store.connection import Cursor
from explorer.store.reads import timeline_rows

# Long gaps: a person reads a step this long after the previous one as a wait worth seeing.
LONG_GAP = timedelta(seconds=30)


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
    error: StepError | None = None  # the most specific error the step carries

    @property
    def decode_problem(self) -> bool:
        return self.decode_status not in (None, "ok")

    @property
    def notable(self) -> bool:
        """What ``n`` jumps to: a failure or a decode problem."""
        return self.failed or self.decode_problem

    @property
    def long_gap(self) -> bool:
        return self.since_prev is not None and self.since_prev >= LONG_GAP


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
    def first_failure(self) -> tuple[int, Step] | None:
        """The first failed step and its index."""
        return next(((i, step) for i, step in enumerate(self.steps) if step.failed), None)

    def next_notable(self, index: int, direction: int = 1) -> int | None:
        """The index of the next (``direction`` 1) or previous (-1) failure or decode
        problem after ``index``, wrapping around; None when there is none."""
        count = len(self.steps)
        for offset in range(1, count + 1):
            candidate = (index + direction * offset) % count
            if self.steps[candidate].notable:
                return candidate
        return None

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
                error=step_error(
                    event_type,
                    _payload(row[12]),
                    row[11],
                    row[10],
                    failed=(outcome or "").lower() == "failure",
                )
                if len(row) > 12
                else None,
            )
        )
    return steps


def _chain_ok(before: Step | None, previous_hash: str | None) -> bool | None:
    if before is None or (before.event_hash is None and previous_hash is None):
        return None
    return before.event_hash == previous_hash


# -- errors, as the contract marks them ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepError:
    """One step's error: the message, its code when there is one, and where it was read."""

    message: str
    source: str  # "error_message" (the envelope's), "event_data.error_details.message", ...
    code: str | None = None

    def __str__(self) -> str:
        if self.code and self.code not in self.message:
            return f"{self.code}: {self.message}"
        return self.message


@dataclass(frozen=True, slots=True)
class ErrorField:
    """A payload field that holds an error, and how specific it is (0 is the most)."""

    path: tuple[str, ...]
    rank: int
    code: tuple[str, ...] | None = None  # the sibling that holds its code (error details)


_ERROR_WORDS = re.compile(r"error|failure|reason", re.IGNORECASE)
# Where or when it failed, not why (``failure_phase: AIAnalysis``).
_NOT_WHY = re.compile(r"phase|_at$|count", re.IGNORECASE)
_DETAILS_NAME = re.compile(r"error", re.IGNORECASE)
UNINFORMATIVE = frozenset({"", "unknown", "none", "null", "n/a", "unspecified"})


def _unwrap(annotation: Any) -> list[Any]:
    """The members of an Optional/Union/Annotated annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [m for arg in typing.get_args(annotation) for m in _unwrap(arg)]
    return [annotation]


def _is_text(annotation: Any) -> bool:
    """A string, a string enum, or a list of strings."""
    for member in _unwrap(annotation):
        origin = typing.get_origin(member)
        if member is str or (isinstance(member, type) and issubclass(member, str | Enum)):
            return True
        if origin is typing.Literal and all(isinstance(a, str) for a in typing.get_args(member)):
            return True
        if origin is list and any(_is_text(a) for a in typing.get_args(member)):
            return True
    return False


def _details_model(annotation: Any) -> type[BaseModel] | None:
    """The contract's error-details schema: a model named like an error, with a message."""
    for member in _unwrap(annotation):
        if (
            isinstance(member, type)
            and issubclass(member, BaseModel)
            and _DETAILS_NAME.search(member.__name__)
            and "message" in member.model_fields
        ):
            return member
    return None


def _name_rank(name: str) -> int:
    lowered = name.lower()
    if "message" in lowered:
        return 1  # error_message, failure_message
    if lowered in ("error", "errors") or lowered.endswith(("_error", "_errors")):
        return 2
    if "error" in lowered or "failure" in lowered:
        return 3  # failure_reason, error_code, error_type
    return 4  # reason, denial_reason, sub_reason


def error_fields(model: type[BaseModel]) -> tuple[ErrorField, ...]:
    """The fields of payload ``model`` that hold an error, most specific first."""
    found: list[ErrorField] = []
    for name, info in model.model_fields.items():
        alias = info.alias or name
        details = _details_model(info.annotation)
        if details is not None:
            code = (alias, "code") if "code" in details.model_fields else None
            found.append(ErrorField((alias, "message"), 0, code))
        elif (
            _ERROR_WORDS.search(alias) and not _NOT_WHY.search(alias) and _is_text(info.annotation)
        ):
            found.append(ErrorField((alias,), _name_rank(alias)))
    return tuple(sorted(found, key=lambda f: f.rank))


@cache
def event_error_fields(event_type: str | None) -> tuple[ErrorField, ...]:
    """Every shipped contract's error fields for ``event_type`` (a field of any version).

    An event type no contract maps gets none: its top-level fields are read by name.
    """
    best: dict[tuple[str, ...], ErrorField] = {}
    for name in CONTRACT_NAMES:
        info = load_contract(name).registry.get(event_type or "")
        for field in error_fields(info.model) if info else ():
            if field.path not in best or field.rank < best[field.path].rank:
                best[field.path] = field
    return tuple(sorted(best.values(), key=lambda f: f.rank))


def _payload(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _at(payload: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(payload, dict):
            return None
        payload = payload.get(key)
    return payload


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value if isinstance(v, str | int | float))
    if not isinstance(value, str) or value.strip().lower() in UNINFORMATIVE:
        return None
    return " ".join(value.split())  # one line


def step_error(
    event_type: str | None,
    payload: Any,
    error_code: str | None = None,
    error_message: str | None = None,
    *,
    failed: bool = True,
) -> StepError | None:
    """The most specific error of one event: the envelope's message, then the payload's
    error fields by rank; at equal rank the longer message (it says more). A step that
    did not fail has no error in a mere ``reason`` (``transition_reason: Retry``)."""
    candidates: list[tuple[int, int, StepError]] = []
    code = _text(error_code)
    if (message := _text(error_message)) is not None:
        candidates.append((0, -len(message), StepError(message, "error_message", code)))
    fields = event_error_fields(event_type)
    if not fields and isinstance(payload, dict):
        fields = tuple(
            ErrorField((key,), _name_rank(key))
            for key in payload
            if _ERROR_WORDS.search(key) and not _NOT_WHY.search(key)
        )
    for field in fields:
        if not failed and field.rank >= _name_rank("reason"):
            continue
        if (message := _text(_at(payload, field.path))) is None:
            continue
        field_code = _text(_at(payload, field.code)) if field.code else None
        source = "event_data." + ".".join(field.path)
        error = StepError(message, source, code or field_code)
        candidates.append((field.rank, -len(message), error))
    if not candidates and code is not None:
        return StepError(code, "error_code")
    return min(candidates, key=lambda c: c[:2])[2] if candidates else None
