"""API frontend sessions and background activity, each with its own correlation ID."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from explorer.demo.generator.group import Group
from explorer.demo.generator.incidents import incident_ctx
from explorer.demo.generator.lifecycle import MINUTE
from explorer.demo.generator.values import (
    ACTION_TYPES,
    CLUSTERS,
    PATHS,
    SOURCE_IPS,
    USERS,
    WORKFLOWS,
    Ctx,
    hex_id,
    pick,
)


def session_ctx(rng: random.Random) -> tuple[Ctx, str]:
    ctx = incident_ctx(rng)
    session = f"afs-{hex_id(rng, 12)}"
    ctx["session_id"] = session
    ctx["actor_ip"] = pick(rng, SOURCE_IPS)
    return ctx, session


def session(g: Group, rich: bool) -> None:
    """A person triaging through the API frontend; may end in a RemediationRequest."""
    rng, r = g.rng, g.rng.random
    task = f"task-{hex_id(rng, 10)}"
    g.emit("apifrontend.auth.success", 0, 0, auth_method=pick(rng, ("jwt", "token_review")))
    if rich or r() < 0.2:
        g.emit("apifrontend.jwt.delegation", 5, 50, target_service="kubernaut-agent")
    g.emit("apifrontend.session.created", join_mode="start", a2a_task_id=task)
    g.emit("apifrontend.a2a.task_started", 5, 50, task_id=task)
    g.emit("apifrontend.session.phase_changed", from_phase="Created", to_phase="Triaging")
    g.emit("apifrontend.triage.started", persona=pick(rng, ("sre", "dashboard", "cicd")))
    if rich or r() < 0.1:
        g.emit("apifrontend.severity_triage.failed", 500, 3000, error="llm tier timed out")
    g.emit("apifrontend.severity_triage.completed", 100, 2000, severity=g.ctx["severity"])
    for _ in range(rng.randint(1, 4)):
        failed = r() < 0.1
        extra: dict[str, Any] = {"error_code": "TOOL_TIMEOUT"} if failed else {}
        g.emit(
            "apifrontend.tool.executed",
            200,
            4000,
            tool_outcome="failure" if failed else "success",
            ev_outcome="failure" if failed else "success",
            **extra,
        )
    if rich or r() < 0.1:
        g.emit("apifrontend.auth.access_denied", 10, 200, endpoint="a2a")
    if rich or r() < 0.1:
        g.emit("apifrontend.impersonation.created", 10, 200)
    g.emit("apifrontend.workflow.discovery", 100, 1500)
    outcome = "rr_created" if rich or r() < 0.6 else pick(rng, ("no_issue_found", "escalated"))
    if outcome == "rr_created":
        _delegate(g, rich)
    g.emit("apifrontend.triage.completed", 100, 1000, triage_outcome=outcome)
    g.emit("apifrontend.session.phase_changed", from_phase="Triaging", to_phase="Completed")
    failed = rich or r() < 0.1
    if failed:
        g.emit("apifrontend.a2a.task_failed", 10, 200, task_id=task, error="client disconnected")
    g.emit("apifrontend.a2a.task_completed", 10, 200, task_id=task, took=g.elapsed())
    g.emit(
        "apifrontend.session.completed",
        10,
        200,
        terminal_phase="Completed",
        total_duration_ms=g.elapsed(),
    )


def _delegate(g: Group, rich: bool) -> None:
    rng = g.rng
    g.emit("apifrontend.ka.delegated", 100, 800, delegation_type="autonomous")
    g.emit(
        "apifrontend.ka.result_received",
        30_000,
        4 * MINUTE,
        result_type="rca_complete",
        confidence=g.ctx["confidence"],
    )
    g.emit(
        "apifrontend.user.decision",
        5_000,
        5 * MINUTE,
        decision="accept",
        time_to_decision_ms=rng.randint(5_000, 300_000),
    )
    if rich or rng.random() < 0.15:
        g.emit("apifrontend.rr.deduplicated", 50, 500)
    else:
        g.emit("apifrontend.rr.created", 50, 500, signal_source="apifrontend")


def background_ctx(rng: random.Random) -> Ctx:
    workflow = pick(rng, tuple(WORKFLOWS))
    workflow_id, version = WORKFLOWS[workflow]
    return Ctx(
        namespace="kubernaut-system",
        cluster=pick(rng, CLUSTERS),
        user=pick(rng, USERS),
        team="platform",
        workflow_name=workflow,
        workflow_id=workflow_id,
        workflow_version=version,
        action_type=pick(rng, ACTION_TYPES),
        session_id=f"afs-{hex_id(rng, 12)}",
        container_image=f"ghcr.io/kubernaut/workflows/{workflow}:v{version}",
    )


def _workflow_registered(g: Group) -> None:
    g.emit("remediationworkflow.admitted.create", 0, 0, action="create")
    g.emit("datastorage.workflow.created", status="Active", is_latest_version=True)


def _workflow_updated(g: Group) -> None:
    g.emit("remediationworkflow.admitted.update", 0, 0, action="update")
    g.emit("datastorage.workflow.updated")


def _workflow_deleted(g: Group) -> None:
    g.emit("remediationworkflow.admitted.delete", 0, 0, action="delete")
    g.emit("datastorage.workflow.updated", updated_fields={"status": "Archived"})


def _workflow_denied(g: Group) -> None:
    g.emit("remediationworkflow.admitted.denied", 0, 0, action="denied")
    g.emit(
        "authwebhook.workflow.registration_failed",
        reason="ValidationFailed",
        message="parameters[1].type: unsupported type 'map'",
    )


def _actiontype_created(g: Group) -> None:
    g.emit("actiontype.admitted.create", 0, 0, action="create")
    if g.rng.random() < 0.3:
        g.emit("datastorage.actiontype.reenabled", previous_state="Disabled")
    else:
        g.emit("datastorage.actiontype.created", was_reenabled=False)


def _actiontype_updated(g: Group) -> None:
    g.emit("actiontype.admitted.update", 0, 0, action="update")
    g.emit("datastorage.actiontype.updated")


def _actiontype_deleted(g: Group) -> None:
    if g.rng.random() < 0.4:
        g.emit("datastorage.actiontype.disable_denied", 0, 0)
        g.emit("actiontype.denied.delete", action="denied", denial_operation="DELETE")
        return
    g.emit("actiontype.admitted.delete", 0, 0, action="delete")
    g.emit("datastorage.actiontype.disabled")


def _actiontype_denied(g: Group) -> None:
    if g.rng.random() < 0.5:
        g.emit("actiontype.denied.create", 0, 0, action="denied", denial_operation="CREATE")
    else:
        g.emit("actiontype.denied.update", 0, 0, action="denied", denial_operation="UPDATE")


def _config(g: Group) -> None:
    rng = g.rng
    service = pick(rng, ("gateway", "apifrontend"))
    g.ctx["config_name"] = f"{service}-config"
    if rng.random() < 0.3:
        reason = "invalid rate limit: per_user must be > 0"
        if service == "gateway":
            g.emit("gateway.config.rejected", 0, 0, component="routing", rejection_reason=reason)
        else:
            g.emit("apifrontend.config.rejected", 0, 0, rejection_reason=reason)
    elif service == "gateway":
        g.emit("gateway.config.reloaded", 0, 0, component="routing")
    else:
        g.emit("apifrontend.config.reloaded", 0, 0)


def _rate_limited(g: Group) -> None:
    rng = g.rng
    g.ctx["actor_ip"] = g.ctx["source_ip"] = pick(rng, SOURCE_IPS)
    g.ctx["path"] = pick(rng, PATHS)
    g.ctx["severity"] = "warning"
    event_type = pick(rng, ("datastorage", "apifrontend", "aiagent")) + ".ratelimit.denied"
    for _ in range(rng.randint(1, 4)):
        g.emit(event_type, 5, 800)


def _auth_failed(g: Group) -> None:
    rng = g.rng
    g.ctx["actor_ip"] = g.ctx["source_ip"] = pick(rng, SOURCE_IPS)
    g.ctx["path"] = pick(rng, PATHS)
    g.ctx["severity"] = "warning"
    event_type = pick(
        rng, ("aiagent.auth.failure", "aiagent.auth.denied", "apifrontend.auth.failure")
    )
    g.emit(event_type, 0, 0)


def _circuit(g: Group) -> None:
    g.ctx["severity"] = "critical"
    g.emit("apifrontend.circuitbreaker.trip", 0, 0, failure_count=g.rng.randint(5, 12), threshold=5)


def _housekeeping(g: Group) -> None:
    event_type = pick(
        g.rng,
        (
            "apifrontend.session.deleted",
            "apifrontend.session.auto_cancelled",
            "apifrontend.session.retention_deleted",
        ),
    )
    g.emit(event_type, 0, 0)


def _mcp(g: Group) -> None:
    mcp = f"mcp-{hex_id(g.rng, 12)}"
    g.emit("apifrontend.mcp.session_init", 0, 0, mcp_session_id=mcp)
    if g.rng.random() < 0.3:
        g.emit("apifrontend.mcp.tool_failed", 500, 5000, error="tool timed out after 30s")


# name, correlation prefix, builder, weight
BACKGROUND: tuple[tuple[str, Callable[[Group], None], float], ...] = (
    ("rw", _workflow_registered, 2),
    ("rw", _workflow_updated, 2),
    ("rw", _workflow_deleted, 1),
    ("rw", _workflow_denied, 1),
    ("at", _actiontype_created, 1),
    ("at", _actiontype_updated, 1),
    ("at", _actiontype_deleted, 1),
    ("at", _actiontype_denied, 1),
    ("cfg", _config, 2),
    ("req", _rate_limited, 6),
    ("req", _auth_failed, 5),
    ("req", _circuit, 1),
    ("afs", _housekeeping, 4),
    ("mcp", _mcp, 3),
)
SINGLE: Callable[[Group], None] = _housekeeping
