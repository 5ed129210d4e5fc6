"""A whole remediation lifecycle under one correlation ID (the RemediationRequest name)."""

from __future__ import annotations

import random

from explorer.demo.generator.analysis import analysis
from explorer.demo.generator.group import Group, error_details
from explorer.demo.generator.lifecycle import SECOND, Variant, complete, dedup, fail, transition
from explorer.demo.generator.remediate import (
    approval,
    execution,
    manual_review,
    notify,
    verification,
)
from explorer.demo.generator.values import (
    ALERTS,
    CLUSTERS,
    MODELS,
    USERS,
    WORKFLOWS,
    WORKLOADS,
    Ctx,
    hex_id,
    pick,
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
    if not analysis(g, v):
        fail(g, "AIAnalysis", "Timeout" if v.path == "analysis_failed" else "Unknown")
        return
    if v.path == "manual_review":
        manual_review(g, v)
        return
    if v.approval and not approval(g, v):
        fail(g, "Approval", "ApprovalRejected")
        return
    if not execution(g, v):
        notify(g, v, "escalation")
        fail(g, "WorkflowExecution", "InfrastructureError")
        return
    verification(g, v)
    notify(g, v, "completion")
    complete(g, "remediated by " + g.ctx["workflow_name"])


def _gateway(g: Group, v: Variant) -> None:
    g.emit("gateway.signal.received", 0, 0, deduplication_status="new", signal_type="alert")
    if v.crd_retry:
        g.emit(
            "gateway.crd.failed",
            200,
            2 * SECOND,
            fault=("K8S_API_TIMEOUT", "etcdserver: request timed out"),
            error_details=error_details(
                "gateway", "K8S_API_TIMEOUT", "create RemediationRequest: request timed out"
            ),
        )
    g.emit("gateway.crd.created", 30, 600, took=g.rng.randint(20, 300))


def _start(g: Group) -> None:
    g.emit("orchestrator.lifecycle.created", 50, 500)
    g.emit("orchestrator.lifecycle.started", 10, 200)
    transition(g, "Pending", "Processing")


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
    dedup(g, v)
    transition(g, "Processing", "Analyzing")
