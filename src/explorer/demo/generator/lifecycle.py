"""Lifecycle paths and the orchestrator steps every stage shares."""

from __future__ import annotations

import random
from dataclasses import dataclass

from explorer.demo.generator.group import Group, error_details

SECOND = 1_000  # durations are in milliseconds
MINUTE = 60_000

# Outcome paths and how often they occur (the first incidents walk each path once).
PATHS: tuple[tuple[str, float], ...] = (
    ("remediated", 0.60),
    ("retried", 0.08),
    ("workflow_failed", 0.06),
    ("analysis_failed", 0.05),
    ("approval_rejected", 0.05),
    ("manual_review", 0.06),
    ("blocked", 0.04),
    ("cancelled", 0.03),
    ("verification_timeout", 0.03),
)
_PATH_NAMES = tuple(name for name, _ in PATHS)
_PATH_WEIGHTS = tuple(weight for _, weight in PATHS)


@dataclass(slots=True)
class Variant:
    path: str
    approval: bool
    crd_retry: bool
    dedups: int
    sp_error: bool
    enrich_fail: bool
    alignment: bool
    suspend: bool
    secret: bool
    notify_fail: bool
    ack: bool
    escalate: bool
    timeout_modified: bool
    decay: bool
    poll_retry: bool

    @classmethod
    def draw(cls, rng: random.Random, index: int) -> Variant:
        if index < len(_PATH_NAMES):  # every path and every option early on
            return cls(_PATH_NAMES[index], True, True, 3, *([True] * 11))
        r = rng.random
        path = rng.choices(_PATH_NAMES, _PATH_WEIGHTS)[0]
        return cls(
            path=path,
            approval=path == "approval_rejected" or r() < 0.35,
            crd_retry=r() < 0.04,
            dedups=int(r() * r() * 6),
            sp_error=r() < 0.05,
            enrich_fail=r() < 0.05,
            alignment=r() < 0.3,
            suspend=r() < 0.04,
            secret=r() < 0.1,
            notify_fail=r() < 0.07,
            ack=r() < 0.4,
            escalate=r() < 0.15,
            timeout_modified=r() < 0.06,
            decay=r() < 0.12,
            poll_retry=r() < 0.1,
        )


def transition(g: Group, old: str, new: str) -> None:
    g.emit("orchestrator.lifecycle.transitioned", 10, 200, from_phase=old, to_phase=new)


def dedup(g: Group, v: Variant) -> None:
    if v.dedups > 0:
        v.dedups -= 1
        g.ctx["occurrences"] = count = g.ctx.get("occurrences", 1) + 1
        g.emit(
            "gateway.signal.deduplicated",
            20 * SECOND,
            4 * MINUTE,
            deduplication_status="duplicate",
            occurrence_count=count,
            took=g.rng.randint(2, 40),
        )


def complete(g: Group, message: str) -> None:
    g.emit(
        "orchestrator.lifecycle.completed",
        50,
        1000,
        outcome="Success",
        took=g.elapsed(),
        message=message,
    )


def fail(g: Group, phase: str, reason: str) -> None:
    message = f"remediation failed in {phase}: {reason}"
    component = _COMPONENTS[phase]
    g.emit(
        "orchestrator.lifecycle.failed",
        50,
        1000,
        outcome="Failed",
        failure_phase=phase,
        failure_reason=reason,
        took=g.elapsed(),
        message=message,
        fault=(reason, message),
        error_details=error_details(component, reason, message, retry=False),
    )


_COMPONENTS = {
    "AIAnalysis": "aianalysis",
    "Approval": "remediationorchestrator",
    "WorkflowExecution": "workflowexecution",
    "SignalProcessing": "signalprocessing",
}
