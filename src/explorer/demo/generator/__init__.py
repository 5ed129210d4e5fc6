"""Seeded, realistic Kubernaut audit events, exactly as the DataStorage query endpoint returns them.

Whole remediation lifecycles share a correlation ID (the RemediationRequest name); API frontend
sessions and background activity (catalog changes, config reloads, auth and rate-limit denials)
carry their own. Every payload validates against the generated model of its event type, except
the few events given a realistic mismatch (``DemoEvent.injected`` names the kind). Events of one
correlation ID form a hash chain in time order (``event_hash`` / ``previous_event_hash``).

Deterministic for the arguments: one ``random.Random(seed)``, no clock.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from explorer.demo.generator.background import (
    BACKGROUND,
    SINGLE,
    background_ctx,
    session,
    session_ctx,
)
from explorer.demo.generator.group import Group
from explorer.demo.generator.incidents import incident, incident_ctx
from explorer.demo.generator.lifecycle import Variant
from explorer.demo.generator.tamper import HASH_ALGORITHM, event_hash, inject, seal
from explorer.demo.generator.values import epoch_ms, hex_id

__all__ = [
    "DEMO_END",
    "HASH_ALGORITHM",
    "DemoEvent",
    "demo_events",
    "event_hash",
    "generate",
    "write_ndjson",
]

DEMO_END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class DemoEvent:
    event: dict[str, Any]
    injected: str | None  # None for a faithful event, else the kind of injected mismatch


# Group kinds: chance per group, and the time one may take (its start leaves that much room).
_INCIDENT, _SESSION, _BACKGROUND = 0, 1, 2
_KIND_WEIGHTS = (0.19, 0.07, 0.74)
_BUDGET_MS = (4 * 3_600_000, 30 * 60_000, 5 * 60_000)
_LEGAL_HOLD_CHANCE = 0.01


class _Generator:
    def __init__(self, seed: int, end: datetime, span: timedelta, rate: float) -> None:
        self.rng = random.Random(seed)
        self.end = epoch_ms(end)
        self.span = max(1, span // timedelta(milliseconds=1))
        self.rate = rate
        self.incidents = 0
        self.sessions = 0
        self.backgrounds = 0

    def _group(self, ctx: Any, corr: str, kind: int) -> Group:
        budget = min(_BUDGET_MS[kind], self.span)
        start = self.end - self.span + self.rng.randint(0, self.span - budget)
        return Group(self.rng, ctx, corr, start, self.end, budget / _BUDGET_MS[kind])

    def next_group(self, single: bool) -> tuple[int, list[dict[str, Any]]]:
        rng = self.rng
        kind = _BACKGROUND if single else rng.choices((0, 1, 2), _KIND_WEIGHTS)[0]
        if kind == _INCIDENT:
            ctx = incident_ctx(rng)
            g = self._group(ctx, ctx["rr_name"], kind)
            incident(g, Variant.draw(rng, self.incidents))
            self.incidents += 1
        elif kind == _SESSION:
            ctx, corr = session_ctx(rng)
            g = self._group(ctx, corr, kind)
            session(g, rich=self.sessions < 2)
            self.sessions += 1
        else:
            g = self._background(single)
        return kind, g.events

    def _background(self, single: bool) -> Group:
        rng = self.rng
        if single:
            prefix, build = "afs", SINGLE
        elif self.backgrounds < len(BACKGROUND):  # every kind once, early
            prefix, build, _ = BACKGROUND[self.backgrounds]
        else:
            prefix, build, _ = rng.choices(BACKGROUND, [w for _, _, w in BACKGROUND])[0]
        self.backgrounds += 1
        g = self._group(background_ctx(rng), f"{prefix}-{hex_id(rng, 12)}", _BACKGROUND)
        build(g)
        return g

    def finish(self, kind: int, events: list[dict[str, Any]]) -> list[str | None]:
        rng = self.rng
        kinds = inject(rng, events, self.rate)
        broken = None
        if kind != _BACKGROUND and len(events) > 2 and rng.random() < self.rate / 2:
            broken = rng.randint(1, len(events) - 1)
            if kinds[broken] is None:
                kinds[broken] = "chain_break"
            else:
                broken = None
        seal(events, rng, broken)
        if kind == _INCIDENT and rng.random() < _LEGAL_HOLD_CHANCE:
            _hold(events)
        return kinds


def _hold(events: list[dict[str, Any]]) -> None:
    placed_at = events[-1]["event_timestamp"]
    for event in events:
        event["legal_hold"] = True
        event["legal_hold_reason"] = "SOC2 audit sample"
        event["legal_hold_placed_by"] = "compliance@acme.io"
        event["legal_hold_placed_at"] = placed_at


def generate(
    count: int = 20_000,
    seed: int = 7,
    *,
    end: datetime | None = None,
    span: timedelta = timedelta(days=7),
    mismatch_rate: float = 0.03,
) -> Iterator[DemoEvent]:
    """Exactly ``count`` events with timestamps in ``[end - span, end]`` (end: ``DEMO_END``)."""
    end = DEMO_END if end is None else end
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)  # a naive end means UTC
    gen = _Generator(seed, end, span, mismatch_rate)
    remaining = count
    single = False
    while remaining > 0:
        kind, events = gen.next_group(single)
        if len(events) > remaining:
            single = True  # too few left for another incident: single background events
            continue
        kinds = gen.finish(kind, events)
        remaining -= len(events)
        for event, injected in zip(events, kinds, strict=True):
            yield DemoEvent(event, injected)


def demo_events(count: int = 20_000, seed: int = 7, **kw: Any) -> Iterator[dict[str, Any]]:
    """Just the raw event dicts of ``generate``."""
    for item in generate(count, seed, **kw):
        yield item.event


_CHUNK = 4096


def write_ndjson(
    target: Path | BinaryIO, count: int, seed: int = 7, *, time_order: bool = False, **kw: Any
) -> int:
    """Write ``count`` events as NDJSON to a path or binary stream; returns events written.

    The generator interleaves incidents in no particular order. With ``time_order`` the
    lines come oldest first, as a DataStorage export or a sync delivers them (the lines
    are held in memory to sort them: about 1.3 GB for a million events).
    """
    if isinstance(target, str | Path):
        with Path(target).open("wb") as stream:
            return _write(stream, count, seed, kw, time_order)
    return _write(target, count, seed, kw, time_order)


def _write(stream: BinaryIO, count: int, seed: int, kw: dict[str, Any], time_order: bool) -> int:
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    if time_order:
        # Sorted as text: the demo's timestamps are UTC RFC 3339 of one precision, so that
        # is time order (ties by event_id).
        lines = sorted(
            (str(e["event_timestamp"]), str(e["event_id"]), dumps(e, option=newline))
            for e in demo_events(count, seed, **kw)
        )
        for start in range(0, len(lines), _CHUNK):
            stream.write(b"".join(line for _, _, line in lines[start : start + _CHUNK]))
        return len(lines)
    written = 0
    chunk: list[bytes] = []
    for event in demo_events(count, seed, **kw):
        chunk.append(dumps(event, option=newline))
        if len(chunk) >= _CHUNK:
            stream.write(b"".join(chunk))
            written += len(chunk)
            chunk.clear()
    if chunk:
        stream.write(b"".join(chunk))
        written += len(chunk)
    return written
