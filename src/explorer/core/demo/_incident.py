"""A whole remediation lifecycle under one correlation ID (the RemediationRequest name)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from explorer.core.demo._group import Group, error_details
from explorer.core.demo._values import (
    ALERTS,
    CLUSTERS,
    MODELS,
    TOOLS,
    USERS,
    WORKFLOWS,
    WORKLOADS,
    Ctx,
    hex_id,
    pick,
)

_S = 1_000
_M = 60_000

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


def incident_ctx(rng: random.Random) -> Ctx:
    namespace, workload, kind = pick(rng, WORKLOADS)
    alert = pick(rng, ALERTS)
    rr = f"rr-{workload}-{hex_id(rng, 5)}"
    workflow_id, version = WORKFLOWS[alert.workflow]
    severity = alert.severity
    return Ctx(
        pod=f"{workload}-{hex_id(rng, 9)}-{hex_id(rng, 5)}",
        namespace=namespace,
        cluster=pick(rng, CLUSTERS),
        workload=workload,
        workload_kind=kind,
        team=namespace,
        rr_name=rr,
        signal_name=alert.name,
        severity=severity,
        normalized_severity=severity,
        priority={"critical": "P1", "high": "P1"}.get(severity, "P2"),
        environment="production" if rng.random() < 0.85 else "staging",
        fingerprint=hex_id(rng, 64),
        action_type=alert.action_type,
        workflow_name=alert.workflow,
        workflow_id=workflow_id,
        workflow_version=version,
        container_image=f"ghcr.io/kubernaut/workflows/{alert.workflow}:v{version}",
        target_resource=f"{namespace}/{kind}/{workload}",
        sp_name=f"sp-{rr}",
        analysis_name=f"ai-{rr}",
        incident_id=f"inc-{hex_id(rng, 10)}",
        session_id=f"ka-{hex_id(rng, 10)}",
        execution_name=f"we-{rr}",
        ea_name=f"ea-{rr}",
        rar_name=f"rar-{rr}",
        notification_name=f"nr-{rr}",
        model=pick(rng, MODELS),
        user=pick(rng, USERS),
        other_user=pick(rng, USERS),
        factor=pick(rng, alert.factors),
        confidence=round(0.62 + 0.35 * rng.random(), 2),
    )


def incident(g: Group, v: Variant) -> None:
    _gateway(g, v)
    _start(g)
    _signal_processing(g, v)
    if not _analysis(g, v):
        _fail(g, "AIAnalysis", "Timeout" if v.path == "analysis_failed" else "Unknown")
        return
    if v.path == "manual_review":
        _manual_review(g, v)
        return
    if v.approval and not _approval(g, v):
        _fail(g, "Approval", "ApprovalRejected")
        return
    if not _execution(g, v):
        _notify(g, v, "escalation")
        _fail(g, "WorkflowExecution", "InfrastructureError")
        return
    _verification(g, v)
    _notify(g, v, "completion")
    _complete(g, "remediated by " + g.ctx["workflow_name"])


def _transition(g: Group, old: str, new: str) -> None:
    g.emit("orchestrator.lifecycle.transitioned", 10, 200, from_phase=old, to_phase=new)


def _dedup(g: Group, v: Variant) -> None:
    if v.dedups > 0:
        v.dedups -= 1
        g.ctx["occurrences"] = count = g.ctx.get("occurrences", 1) + 1
        g.emit(
            "gateway.signal.deduplicated",
            20 * _S,
            4 * _M,
            deduplication_status="duplicate",
            occurrence_count=count,
            took=g.rng.randint(2, 40),
        )


def _gateway(g: Group, v: Variant) -> None:
    g.emit("gateway.signal.received", 0, 0, deduplication_status="new", signal_type="alert")
    if v.crd_retry:
        g.emit(
            "gateway.crd.failed",
            200,
            2 * _S,
            fault=("K8S_API_TIMEOUT", "etcdserver: request timed out"),
            error_details=error_details(
                "gateway", "K8S_API_TIMEOUT", "create RemediationRequest: request timed out"
            ),
        )
    g.emit("gateway.crd.created", 30, 600, took=g.rng.randint(20, 300))


def _start(g: Group) -> None:
    g.emit("orchestrator.lifecycle.created", 50, 500)
    g.emit("orchestrator.lifecycle.started", 10, 200)
    _transition(g, "Pending", "Processing")


def _signal_processing(g: Group, v: Variant) -> None:
    rng = g.rng
    g.emit(
        "signalprocessing.phase.transition",
        phase="Enriching",
        from_phase="Pending",
        to_phase="Enriching",
    )
    g.emit(
        "signalprocessing.enrichment.completed",
        100,
        1500,
        phase="Enriching",
        took=rng.randint(80, 1400),
        degraded_mode=v.sp_error,
    )
    if v.sp_error:
        g.emit(
            "signalprocessing.error.occurred",
            phase="Enriching",
            degraded_mode=True,
            error="owner chain lookup failed: replicasets.apps is forbidden",
        )
    for old, new, event_type in (
        ("Enriching", "Classifying", "signalprocessing.classification.decision"),
        ("Classifying", "Categorizing", "signalprocessing.business.classified"),
    ):
        g.emit("signalprocessing.phase.transition", phase=new, from_phase=old, to_phase=new)
        g.emit(event_type, 20, 300, phase=new)
    g.emit(
        "signalprocessing.phase.transition",
        phase="Completed",
        from_phase="Categorizing",
        to_phase="Completed",
    )
    g.emit(
        "signalprocessing.signal.processed",
        phase="Completed",
        degraded_mode=v.sp_error,
        took=rng.randint(400, 4000),
        signal_mode="reactive",
    )
    _dedup(g, v)
    _transition(g, "Processing", "Analyzing")


def _analysis(g: Group, v: Variant) -> bool:
    rng = g.rng
    began = g.t
    g.emit("aianalysis.phase.transition", old_phase="Pending", new_phase="Investigating")
    g.emit(
        "aianalysis.aiagent.submit",
        endpoint="/api/v1/incident/analyze",
        http_status_code=202,
        took=rng.randint(20, 200),
    )
    ok = _agent(g, v)
    if v.poll_retry:
        g.emit(
            "aianalysis.aiagent.call",
            5 * _S,
            15 * _S,
            ev_outcome="failure",
            http_status_code=503,
            endpoint=f"/api/v1/incident/session/{g.ctx['incident_id']}",
            took=rng.randint(1000, 5000),
            fault=("AGENT_UNAVAILABLE", "kubernaut-agent returned 503"),
        )
    poll = f"/api/v1/incident/session/{g.ctx['incident_id']}"
    g.emit(
        "aianalysis.aiagent.call",
        5 * _S,
        15 * _S,
        http_status_code=200,
        endpoint=poll,
        took=rng.randint(15, 120),
    )
    if not ok:
        _analysis_failed(g)
        return False
    g.emit(
        "aianalysis.aiagent.result", http_status_code=200, endpoint=poll, took=rng.randint(15, 90)
    )
    g.emit("aianalysis.phase.transition", old_phase="Investigating", new_phase="Analyzing")
    auto = not v.approval and v.path != "manual_review"
    g.emit(
        "aianalysis.rego.evaluation",
        outcome="auto_approve" if auto else "requires_approval",
        degraded=False,
        took=rng.randint(2, 40),
    )
    g.emit(
        "aianalysis.approval.decision",
        approval_required=not auto,
        auto_approved=auto,
        decision="auto_approve" if auto else "requires_approval",
        approval_reason="policy allows auto-approval"
        if auto
        else "production namespace requires approval",
        reason=f"confidence {g.ctx['confidence']} against threshold 0.8",
    )
    g.emit("aianalysis.phase.transition", old_phase="Analyzing", new_phase="Completed")
    g.emit(
        "aianalysis.analysis.completed",
        phase="Completed",
        approval_required=not auto,
        degraded_mode=v.sp_error,
        warnings_count=int(v.enrich_fail),
        took=g.t - began,
    )
    _dedup(g, v)
    return True


def _analysis_failed(g: Group) -> None:
    g.emit(
        "aianalysis.error.occurred",
        phase="Investigating",
        error_message="investigation failed: LLM provider timeout after 120s",
    )
    g.emit("aianalysis.phase.transition", old_phase="Investigating", new_phase="Failed")
    g.emit(
        "aianalysis.analysis.failed",
        phase="Failed",
        approval_required=False,
        degraded_mode=False,
        warnings_count=0,
        reason="InvestigationFailed",
        sub_reason="LLMTimeout",
        error_details=error_details("aianalysis", "LLM_TIMEOUT", "LLM provider timeout"),
        fault=("LLM_TIMEOUT", "LLM provider timeout after 120s"),
    )


def _agent(g: Group, v: Variant) -> bool:
    rng = g.rng
    began = g.t
    g.emit("aiagent.session.started", 100, 800)
    if v.enrich_fail:
        g.emit("aiagent.enrichment.failed", reason="OwnerLookupTimeout")
    else:
        g.emit("aiagent.enrichment.completed", 200, 2000, owner_chain_length=rng.randint(1, 3))
    turns = rng.randint(2, 5)
    prompt_total = 0
    for turn in range(turns):
        if turn == 1 and v.path == "cancelled":
            return _agent_cancelled(g, turn, prompt_total)
        if turn == 1 and v.path == "analysis_failed":
            return _agent_failed(g)
        prompt_total += _turn(g, v, turn, last=turn == turns - 1)
        if turn == 0 and v.suspend:
            g.emit("aiagent.session.suspended", 100, 500)
            g.emit("aiagent.session.resumed", 30 * _S, 5 * _M)
    _catalog_search(g)
    _validate(g, v)
    if v.alignment:
        _alignment(g)
    g.ctx["needsHumanReview"] = v.path == "manual_review"
    g.emit("aiagent.rca.complete", 200, 1500, total_prompt_tokens=prompt_total)
    g.emit("aiagent.response.complete", 10, 100, total_prompt_tokens=prompt_total)
    g.emit("aiagent.session.completed", 10, 100, took=g.t - began)
    return True


def _turn(g: Group, v: Variant, turn: int, *, last: bool) -> int:
    rng = g.rng
    prompt = rng.randint(1800, 9000) * (turn + 1)
    request = g.emit("aiagent.llm.request", 50, 400, prompt_length=prompt)
    tools = 0 if last else rng.randint(1, 3)
    latency = rng.randint(1500, 25_000)
    g.emit(
        "aiagent.llm.response",
        latency,
        latency,
        parent=request,
        took=latency,
        has_analysis=last,
        tool_call_count=tools,
    )
    for index in range(tools):
        tool = pick(rng, TOOLS)
        g.emit(
            "aiagent.llm.tool_call",
            50,
            3000,
            parent=request,
            tool_call_index=index,
            tool_name=tool,
            took=rng.randint(40, 2500),
        )
        if v.secret and turn == 0 and index == 0:
            g.emit("aiagent.secret.accessed", 5, 50, verb="get", tool_name=tool)
    return prompt


def _agent_cancelled(g: Group, turn: int, prompt_total: int) -> bool:
    completion = g.rng.randint(300, 2500)
    g.emit(
        "aiagent.investigation.cancelled",
        10 * _S,
        3 * _M,
        cancelled_at_turn=turn,
        total_prompt_tokens=prompt_total,
        total_completion_tokens=completion,
        total_tokens=prompt_total + completion,
        session_id=g.ctx["session_id"],
    )
    g.emit("aiagent.session.cancelled", 10, 200)
    return False


def _agent_failed(g: Group) -> bool:
    g.emit(
        "aiagent.response.failed",
        120 * _S,
        125 * _S,
        ev_outcome="failure",
        error_message="LLM provider timeout after 120s",
        phase="investigating",
        duration_seconds=120.0,
        fault=("LLM_TIMEOUT", "LLM provider timeout after 120s"),
    )
    g.emit("aiagent.session.failed", 10, 200, error="LLM provider timeout after 120s")
    return False


def _catalog_search(g: Group) -> None:
    for event_type in (
        "workflow.catalog.actions_listed",
        "workflow.catalog.workflows_listed",
        "workflow.catalog.workflow_retrieved",
    ):
        g.emit(event_type, 30, 600)


def _validate(g: Group, v: Variant) -> None:
    attempts = 2 if v.path in ("manual_review", "retried") or g.rng.random() < 0.1 else 1
    for attempt in range(1, attempts + 1):
        valid = attempt == attempts
        fields: dict[str, Any] = (
            {}
            if valid
            else {
                "errors": ["parameter MEMORY_LIMIT: 2G does not match"],
                "validation_errors": "1 parameter invalid",
            }
        )
        g.emit(
            "aiagent.workflow.validation_attempt",
            100,
            1500,
            attempt=attempt,
            max_attempts=3,
            is_valid=valid,
            is_final_attempt=valid,
            **fields,
        )
    g.emit("workflow.catalog.selection_validated", 20, 300)


def _alignment(g: Group) -> None:
    steps = g.rng.randint(2, 4)
    for step in range(steps):
        kind = "final_answer" if step == steps - 1 else "tool_call"
        g.emit("aiagent.shadow.llm.request", 20, 200, step_index=step, step_kind=kind)
        prompt, completion = g.rng.randint(900, 6000), g.rng.randint(60, 700)
        g.emit(
            "aiagent.shadow.llm.response",
            400,
            4000,
            step_index=step,
            step_kind=kind,
            evaluation_result="success",
            prompt_tokens=prompt,
            completion_tokens=completion,
            total_tokens=prompt + completion,
        )
        g.emit("aiagent.alignment.step", 5, 50, step_index=step, step_kind=kind)
    g.emit("aiagent.alignment.verdict", 10, 100, result="aligned", flagged=0, total=steps)


def _approval(g: Group, v: Variant) -> bool:
    approved = v.path != "approval_rejected"
    _transition(g, "Analyzing", "AwaitingApproval")
    g.emit("orchestrator.approval.requested", decision="Pending")
    _notify(g, v, "approval")
    if v.timeout_modified:
        g.emit("webhook.remediationrequest.timeout_modified", 2 * _M, 10 * _M)
    if v.escalate:
        g.emit(
            "notification.message.escalated",
            15 * _M,
            16 * _M,
            reason="no decision within 15m; paging secondary on-call",
        )
    decision = "Approved" if approved else "Rejected"
    g.emit(
        "webhook.remediationapprovalrequest.decided",
        1 * _M,
        20 * _M,
        decision=decision,
    )
    if approved:
        g.emit("orchestrator.approval.approved", decision=decision)
    else:
        g.emit("orchestrator.approval.rejected", decision=decision)
    return approved


def _execution(g: Group, v: Variant) -> bool:
    if v.path == "blocked":
        g.emit(
            "orchestrator.routing.blocked",
            reason="ConcurrentExecution",
            message=f"another WorkflowExecution is running on {g.ctx['target_resource']}",
        )
        g.emit(
            "workflowexecution.block.cleared",
            2 * _M,
            20 * _M,
            clear_reason="previous execution finished",
            previous_state="Blocked",
            new_state="Running",
        )
    _transition(g, "AwaitingApproval" if v.approval else "Analyzing", "Executing")
    g.emit("remediation.workflow_created")
    g.emit("workflowexecution.selection.completed", phase="Pending")
    g.emit("workflowexecution.execution.started", phase="Running")
    failures = {"retried": 1, "workflow_failed": 3}.get(v.path, 0)
    return any(_attempt(g, v, attempt, failed=attempt < failures) for attempt in range(3))


def _attempt(g: Group, v: Variant, attempt: int, *, failed: bool) -> bool:
    rng, ctx = g.rng, g.ctx
    ctx["pipelinerun_name"] = f"{ctx['execution_name']}-run-{hex_id(rng, 5)}"
    started = g.emit(
        "workflowexecution.workflow.started", 200, 3000, phase="Running", retry_count=attempt
    )
    fields = {"started_at": started["event_timestamp"], "retry_count": attempt}
    _dedup(g, v)
    took = rng.randint(20 * _S, 4 * _M)
    if failed:
        reason = pick(rng, ("TaskFailed", "DeadlineExceeded", "OOMKilled", "Forbidden"))
        message = f"workflow {ctx['workflow_name']} failed: {reason}"
        g.emit(
            "workflowexecution.workflow.failed",
            took,
            took,
            phase="Failed",
            failure_reason=reason,
            took=took,
            fault=("TASK_FAILED", message),
            error_details=error_details(
                "workflowexecution", "TASK_FAILED", message, retry=attempt < 2
            ),
            **fields,
        )
        return False
    g.emit(
        "workflowexecution.workflow.completed",
        took,
        took,
        phase="Completed",
        took=took,
        duration=f"{took // 60_000}m{took // 1000 % 60}s",
        **fields,
    )
    return True


def _verification(g: Group, v: Variant) -> None:
    _transition(g, "Executing", "Verifying")
    g.emit("orchestrator.lifecycle.verifying_started")
    g.emit("orchestrator.ea.created")
    g.emit("effectiveness.assessment.scheduled", component="scheduled")
    g.emit("effectiveness.hash.computed", 30 * _S, 60 * _S, component="hash", hash_match=False)
    g.emit("effectiveness.health.assessed", 1 * _M, 3 * _M, component="health")
    g.emit("effectiveness.alert.assessed", 5 * _M, 10 * _M, component="alert")
    if v.decay:
        g.emit(
            "effectiveness.alert_decay.detected",
            1 * _M,
            3 * _M,
            component="alert_decay",
            reason="alert still firing at decreasing rate",
        )
    g.emit("effectiveness.metrics.assessed", 10, 2000, component="metrics")
    g.emit(
        "effectiveness.assessment.completed",
        10,
        500,
        component="completed",
        reason="assessment_complete",
    )
    if v.path == "verification_timeout":
        g.emit(
            "orchestrator.lifecycle.verification_timed_out",
            10,
            500,
            message="effectiveness assessment not complete within 30m",
        )
    else:
        g.emit("orchestrator.lifecycle.verification_completed", 10, 500, outcome="Success")


def _notify(g: Group, v: Variant, kind: str) -> None:
    rng, ctx = g.rng, g.ctx
    channel = pick(rng, ("slack", "email", "pagerduty"))
    ctx["notification_name"] = f"nr-{ctx['rr_name']}-{kind}"
    subject = _SUBJECTS[kind].format_map(ctx)
    if v.notify_fail:
        error_type, error = _CHANNEL_ERRORS[channel]
        g.emit(
            "notification.message.failed",
            100,
            2000,
            channel=channel,
            subject=subject,
            error_type=error_type,
            error=error,
            fault=(error_type, error),
        )
    g.emit(
        "notification.message.sent",
        100,
        5000,
        channel=channel,
        type=kind,
        subject=subject,
        took=rng.randint(80, 900),
    )
    if v.ack:
        g.emit("notification.message.acknowledged", 1 * _M, 10 * _M, subject=subject)
        g.emit(
            "webhook.notification.acknowledged",
            10,
            200,
            action="notification_acknowledged",
            final_status="Sent",
            notification_type=_NOTIFICATION_TYPES[kind],
        )


_SUBJECTS = {
    "approval": "Approve {action_type} on {namespace}/{workload}? ({rr_name})",
    "completion": "Remediated: {signal_name} on {namespace}/{workload}",
    "escalation": "Remediation failed: {signal_name} on {namespace}/{workload}",
    "manual-review": "Manual review needed: {signal_name} on {namespace}/{workload}",
}
_CHANNEL_ERRORS = {
    "slack": ("SlackRateLimited", "429 Too Many Requests"),
    "email": ("SMTPTimeout", "smtp.acme.io:587: i/o timeout"),
    "pagerduty": ("WebhookHTTP500", "events.pagerduty.com returned 500"),
}
_NOTIFICATION_TYPES = {
    "approval": "Approval",
    "completion": "Completion",
    "escalation": "Escalation",
    "manual-review": "ManualReview",
}


def _manual_review(g: Group, v: Variant) -> None:
    rng = g.rng
    g.emit(
        "orchestrator.remediation.manual_review",
        reason="LowConfidence",
        message=f"confidence {g.ctx['confidence']} too low for an automatic remediation",
    )
    _notify(g, v, "manual-review")
    ctx = g.ctx
    ctx["session_id"] = f"as-{hex_id(rng, 10)}"
    if v.crd_retry:
        g.emit("agentsession.denied.create", action="denied", denial_reason="RBAC: not approver")
    g.emit("agentsession.admitted.create", 1 * _M, 20 * _M, action="create")
    g.emit("aiagent.interactive.started")
    for _ in range(rng.randint(2, 5)):
        g.emit("aiagent.interactive.k8s_call", 5 * _S, 90 * _S, http_status_code=200)
    if v.ack:
        g.emit("aiagent.session.observed", 10 * _S, 60 * _S)
    if v.escalate:
        g.emit("aiagent.session.access_denied", 10 * _S, 60 * _S)
    g.emit("aiagent.interactive.completed", 1 * _M, 10 * _M, reason="resolved by operator")
    g.emit(
        "webhook.notification.cancelled",
        10,
        500,
        action="notification_cancelled",
        final_status="Cancelled",
        notification_type="ManualReview",
    )
    _complete(g, "resolved manually after review")


def _complete(g: Group, message: str) -> None:
    g.emit(
        "orchestrator.lifecycle.completed",
        50,
        1000,
        outcome="Success",
        took=g.elapsed(),
        message=message,
    )


def _fail(g: Group, phase: str, reason: str) -> None:
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
