"""Approval, workflow execution, effectiveness verification, notifications, manual review."""

from __future__ import annotations

from explorer.demo.generator.group import Group, error_details
from explorer.demo.generator.lifecycle import MINUTE, SECOND, Variant, complete, dedup, transition
from explorer.demo.generator.values import (
    hex_id,
    pick,
)


def approval(g: Group, v: Variant) -> bool:
    approved = v.path != "approval_rejected"
    transition(g, "Analyzing", "AwaitingApproval")
    g.emit("orchestrator.approval.requested", decision="Pending")
    notify(g, v, "approval")
    if v.timeout_modified:
        g.emit("webhook.remediationrequest.timeout_modified", 2 * MINUTE, 10 * MINUTE)
    if v.escalate:
        g.emit(
            "notification.message.escalated",
            15 * MINUTE,
            16 * MINUTE,
            reason="no decision within 15m; paging secondary on-call",
        )
    decision = "Approved" if approved else "Rejected"
    g.emit(
        "webhook.remediationapprovalrequest.decided",
        1 * MINUTE,
        20 * MINUTE,
        decision=decision,
    )
    if approved:
        g.emit("orchestrator.approval.approved", decision=decision)
    else:
        g.emit("orchestrator.approval.rejected", decision=decision)
    return approved


def execution(g: Group, v: Variant) -> bool:
    if v.path == "blocked":
        g.emit(
            "orchestrator.routing.blocked",
            reason="ConcurrentExecution",
            message=f"another WorkflowExecution is running on {g.ctx['target_resource']}",
        )
        g.emit(
            "workflowexecution.block.cleared",
            2 * MINUTE,
            20 * MINUTE,
            clear_reason="previous execution finished",
            previous_state="Blocked",
            new_state="Running",
        )
    transition(g, "AwaitingApproval" if v.approval else "Analyzing", "Executing")
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
    dedup(g, v)
    took = rng.randint(20 * SECOND, 4 * MINUTE)
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


def verification(g: Group, v: Variant) -> None:
    transition(g, "Executing", "Verifying")
    g.emit("orchestrator.lifecycle.verifying_started")
    g.emit("orchestrator.ea.created")
    g.emit("effectiveness.assessment.scheduled", component="scheduled")
    g.emit(
        "effectiveness.hash.computed", 30 * SECOND, 60 * SECOND, component="hash", hash_match=False
    )
    g.emit("effectiveness.health.assessed", 1 * MINUTE, 3 * MINUTE, component="health")
    g.emit("effectiveness.alert.assessed", 5 * MINUTE, 10 * MINUTE, component="alert")
    if v.decay:
        g.emit(
            "effectiveness.alert_decay.detected",
            1 * MINUTE,
            3 * MINUTE,
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


def notify(g: Group, v: Variant, kind: str) -> None:
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
        g.emit("notification.message.acknowledged", 1 * MINUTE, 10 * MINUTE, subject=subject)
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


def manual_review(g: Group, v: Variant) -> None:
    rng = g.rng
    g.emit(
        "orchestrator.remediation.manual_review",
        reason="LowConfidence",
        message=f"confidence {g.ctx['confidence']} too low for an automatic remediation",
    )
    notify(g, v, "manual-review")
    ctx = g.ctx
    ctx["session_id"] = f"as-{hex_id(rng, 10)}"
    if v.crd_retry or rng.random() < 0.3:
        g.emit("agentsession.denied.create", action="denied", denial_reason="RBAC: not approver")
    g.emit("agentsession.admitted.create", 1 * MINUTE, 20 * MINUTE, action="create")
    g.emit("aiagent.interactive.started")
    for _ in range(rng.randint(2, 5)):
        g.emit("aiagent.interactive.k8s_call", 5 * SECOND, 90 * SECOND, http_status_code=200)
    if v.ack or rng.random() < 0.3:
        g.emit("aiagent.session.observed", 10 * SECOND, 60 * SECOND)
    if v.escalate or rng.random() < 0.3:
        g.emit("aiagent.session.access_denied", 10 * SECOND, 60 * SECOND)
    g.emit("aiagent.interactive.completed", 1 * MINUTE, 10 * MINUTE, reason="resolved by operator")
    g.emit(
        "webhook.notification.cancelled",
        10,
        500,
        action="notification_cancelled",
        final_status="Cancelled",
        notification_type="ManualReview",
    )
    complete(g, "resolved manually after review")
