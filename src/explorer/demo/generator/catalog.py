"""Per event type: envelope facts (category, action, actor, resource) and its payload plan."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from explorer.demo.generator.builder import Plan, plan_for
from explorer.models.registry import REGISTRY


@dataclass(frozen=True, slots=True)
class TypeMeta:
    event_type: str
    category: str
    action: str
    outcome: str
    actor_type: str
    actor_id: str | None  # None: the incident's user
    resource_type: str
    resource_key: str
    plan: Plan


# First matching prefix wins.
_CATEGORY: tuple[tuple[str, str], ...] = (
    ("gateway.", "gateway"),
    ("orchestrator.", "orchestration"),
    ("remediation.", "orchestration"),
    ("webhook.remediationrequest.", "orchestration"),
    ("webhook.remediationapprovalrequest.", "approval"),
    ("webhook.notification.", "notification"),
    ("notification.", "notification"),
    ("signalprocessing.", "signalprocessing"),
    ("aianalysis.", "analysis"),
    ("aiagent.ratelimit.", "security"),
    ("aiagent.auth.", "security"),
    ("datastorage.ratelimit.", "security"),
    ("aiagent.", "aiagent"),
    ("workflowexecution.", "workflowexecution"),
    ("workflow.", "workflow"),
    ("datastorage.workflow.", "workflow"),
    ("remediationworkflow.", "workflow"),
    ("authwebhook.", "workflow"),
    ("datastorage.actiontype.", "actiontype"),
    ("actiontype.", "actiontype"),
    ("agentsession.", "agentsession"),
    ("effectiveness.", "effectiveness"),
    ("apifrontend.", "apifrontend"),
)

_ACTORS: tuple[tuple[str, str, str | None], ...] = (  # prefix, actor_type, actor_id
    ("gateway.", "service", "gateway-service"),
    ("orchestrator.", "service", "remediationorchestrator-controller"),
    ("remediation.", "service", "remediationorchestrator-controller"),
    ("signalprocessing.", "service", "signalprocessing-controller"),
    ("aianalysis.", "service", "aianalysis-controller"),
    ("aiagent.interactive.", "user", None),
    ("aiagent.", "service", "kubernaut-agent"),
    ("workflowexecution.block.", "user", None),
    ("workflowexecution.", "service", "workflowexecution-controller"),
    ("workflow.catalog.", "service", "datastorage-service"),
    ("notification.", "service", "notification-controller"),
    ("webhook.", "user", None),
    ("remediationworkflow.", "user", None),
    ("actiontype.", "user", None),
    ("agentsession.", "user", None),
    ("authwebhook.", "service", "authwebhook"),
    ("datastorage.", "service", "datastorage-service"),
    ("effectiveness.", "service", "effectivenessmonitor-controller"),
    ("apifrontend.user.", "user", None),
    ("apifrontend.session.created", "user", None),
    ("apifrontend.", "service", "apifrontend-service"),
)

_RESOURCES: tuple[tuple[str, str, str], ...] = (  # prefix, resource_type, context key
    ("gateway.signal.", "Signal", "fingerprint"),
    ("gateway.crd.", "RemediationRequest", "rr_name"),
    ("gateway.config.", "ConfigMap", "config_name"),
    ("orchestrator.approval.", "RemediationApprovalRequest", "rar_name"),
    ("orchestrator.ea.", "EffectivenessAssessment", "ea_name"),
    ("orchestrator.", "RemediationRequest", "rr_name"),
    ("remediation.", "RemediationRequest", "rr_name"),
    ("signalprocessing.", "SignalProcessing", "sp_name"),
    ("aianalysis.", "AIAnalysis", "analysis_name"),
    ("aiagent.session.", "AgentSession", "session_id"),
    ("aiagent.interactive.", "AgentSession", "session_id"),
    ("aiagent.ratelimit.", "Endpoint", "path"),
    ("aiagent.auth.", "Endpoint", "path"),
    ("aiagent.", "Incident", "incident_id"),
    ("workflowexecution.", "WorkflowExecution", "execution_name"),
    ("workflow.catalog.", "RemediationWorkflow", "workflow_name"),
    ("notification.", "NotificationRequest", "notification_name"),
    ("webhook.notification.", "NotificationRequest", "notification_name"),
    ("webhook.remediationapprovalrequest.", "RemediationApprovalRequest", "rar_name"),
    ("webhook.remediationrequest.", "RemediationRequest", "rr_name"),
    ("remediationworkflow.", "RemediationWorkflow", "workflow_name"),
    ("datastorage.workflow.", "RemediationWorkflow", "workflow_name"),
    ("authwebhook.", "RemediationWorkflow", "workflow_name"),
    ("datastorage.ratelimit.", "Endpoint", "path"),
    ("datastorage.actiontype.", "ActionType", "action_type"),
    ("actiontype.", "ActionType", "action_type"),
    ("agentsession.", "AgentSession", "session_id"),
    ("effectiveness.", "EffectivenessAssessment", "ea_name"),
    ("apifrontend.config.", "ConfigMap", "config_name"),
    ("apifrontend.", "Session", "session_id"),
)

_FAILURE_WORDS = frozenset(
    {
        "failed",
        "rejected",
        "denied",
        "failure",
        "occurred",
        "verification_timed_out",
        "trip",
        "disable_denied",
        "registration_failed",
        "access_denied",
        "tool_failed",
        "task_failed",
    }
)
_PENDING_WORDS = frozenset(
    {"requested", "scheduled", "verifying_started", "manual_review", "suspended", "blocked"}
)


def _first(table: tuple[tuple[Any, ...], ...], event_type: str) -> tuple[Any, ...]:
    for row in table:
        if event_type.startswith(row[0]):
            return row[1:]
    raise LookupError(event_type)


def _outcome(event_type: str) -> str:
    parts = event_type.split(".")
    if parts[-1] in _FAILURE_WORDS or "denied" in parts[1:-1]:
        return "failure"
    if parts[-1] in _PENDING_WORDS:
        return "pending"
    return "success"


def _o(*names: str, chance: float = 1.0) -> dict[str, float]:
    return dict.fromkeys(names, chance)


_SEV = ("severity", "resource_kind", "resource_name")
_WE = ("workflow_name", "action_type", "pipelinerun_name")
_SP_CLASS = (
    "severity",
    "external_severity",
    "normalized_severity",
    "environment",
    "environment_source",
    "priority",
    "priority_source",
)

# Optional fields a real producer fills, per event type (unlisted types: 60% each).
OPTIONAL: dict[str, dict[str, float]] = {
    "gateway.signal.received": {
        **_o(*_SEV, "signal_labels", "signal_annotations"),
        "original_payload": 0.5,
    },
    "gateway.signal.deduplicated": _o(*_SEV, "remediation_request"),
    "gateway.crd.created": _o(*_SEV, "remediation_request"),
    "gateway.crd.failed": _o("resource_kind", "resource_name", "error_details"),
    "orchestrator.lifecycle.started": {
        **_o("signal_type", "signal_fingerprint", "target_resource"),
        "timeout_config": 0.3,
    },
    "orchestrator.lifecycle.created": _o("signal_type", "signal_fingerprint", "target_resource"),
    "orchestrator.lifecycle.transitioned": _o("transition_reason"),
    "orchestrator.lifecycle.completed": _o("workflow_id", "action_type", "target_resource"),
    "orchestrator.lifecycle.failed": {},
    "orchestrator.lifecycle.verifying_started": {
        **_o("ea_name", "hash_compute_delay", "alert_check_delay", "pre_remediation_spec_hash"),
        "is_gitops_managed": 0.5,
    },
    "orchestrator.lifecycle.verification_completed": _o("ea_name"),
    "orchestrator.lifecycle.verification_timed_out": _o("ea_name"),
    "orchestrator.approval.requested": {
        **_o("rar_name", "required_by", "workflow_id", "confidence_str", "action_type"),
        "workflow_version": 0.5,
    },
    "orchestrator.approval.approved": _o("rar_name", "approved_by", "workflow_id"),
    "orchestrator.approval.rejected": _o("rar_name", "rejected_by", "rejection_reason"),
    "orchestrator.remediation.manual_review": _o("sub_reason", "notification_name"),
    "orchestrator.routing.blocked": _o("workflow_id", "target_resource"),
    "remediation.workflow_created": _o(
        "workflow_id",
        "workflow_version",
        "action_type",
        "target_resource",
        "pre_remediation_spec_hash",
    ),
    "orchestrator.ea.created": _o(
        "ea_name", "target_resource", "hash_compute_delay", "alert_check_delay"
    ),
    "signalprocessing.signal.processed": {
        **_o(*_SP_CLASS, "criticality", "duration_ms", "signal_mode"),
        "business_unit": 0.7,
        "sla_requirement": 0.7,
    },
    "signalprocessing.phase.transition": {},
    "signalprocessing.classification.decision": _o(
        *_SP_CLASS, "determination_source", "policy_hash"
    ),
    "signalprocessing.business.classified": _o("business_unit", "criticality", "sla_requirement"),
    "signalprocessing.enrichment.completed": _o(
        "has_owner_chain",
        "owner_chain_length",
        "has_namespace",
        "has_pod",
        "has_deployment",
        "duration_ms",
    ),
    "signalprocessing.error.occurred": _o("error"),
    "workflowexecution.selection.completed": _o("workflow_name", "action_type", "parameters"),
    "workflowexecution.execution.started": _o(*_WE, "started_at", "parameters"),
    "workflowexecution.workflow.started": _o(*_WE),
    "workflowexecution.workflow.completed": _o(*_WE, "completed_at"),
    "workflowexecution.workflow.failed": {
        **_o(*_WE, "failure_message", "failed_task_name", "completed_at"),
    },
    "webhook.notification.acknowledged": _o(
        "notification_id",
        "notification_name",
        "notification_type",
        "priority",
        "final_status",
        "delivery_channels",
        "user_uid",
        "user_groups",
    ),
    "webhook.notification.cancelled": _o(
        "notification_id",
        "notification_name",
        "notification_type",
        "priority",
        "final_status",
        "cancelled_by",
        "user_uid",
        "user_groups",
    ),
    "aianalysis.analysis.completed": {
        **_o("confidence", "workflow_id", "provider_response_summary"),
        "approval_reason": 0.5,
    },
    "aianalysis.analysis.failed": {},
    "effectiveness.assessment.scheduled": _o(
        "ea_name",
        "validity_deadline",
        "prometheus_check_after",
        "alertmanager_check_after",
        "hash_compute_after",
        "hash_compute_delay",
        "alert_check_delay",
        "validity_window",
        "stabilization_window",
        "signal_name",
    ),
    "effectiveness.hash.computed": _o(
        "ea_name",
        "pre_remediation_spec_hash",
        "post_remediation_spec_hash",
        "hash_match",
        "assessed",
    ),
    "effectiveness.health.assessed": _o("ea_name", "assessed", "score", "health_checks", "details"),
    "effectiveness.alert.assessed": _o(
        "ea_name", "assessed", "score", "alert_resolution", "signal_name", "details"
    ),
    "effectiveness.metrics.assessed": _o("ea_name", "assessed", "score", "metric_deltas"),
    "effectiveness.alert_decay.detected": _o("ea_name", "signal_name", "reason", "details"),
    "effectiveness.assessment.completed": _o(
        "ea_name",
        "score",
        "components_assessed",
        "completed_at",
        "assessment_duration_seconds",
        "signal_name",
    ),
    "webhook.remediationrequest.timeout_modified": _o("old_timeout_config", "new_timeout_config"),
    "aiagent.workflow.validation_attempt": _o("workflow_id", "workflow_name"),
    "aianalysis.approval.decision": _o("confidence", "workflow_id"),
    "apifrontend.tool.executed": _o("target_resource", "target_namespace", "target_kind"),
    "apifrontend.ratelimit.denied": _o("limit_value"),
    "aiagent.ratelimit.denied": _o("source_ip", "path", "method"),
    "datastorage.ratelimit.denied": _o("source_ip", "path", "method"),
    "aiagent.auth.failure": _o("source_ip", "path", "method", "reason"),
    "aiagent.auth.denied": _o("source_ip", "path", "method", "reason"),
    "actiontype.admitted.create": _o("previously_existed", "catalog_status"),
    "actiontype.admitted.update": _o("previously_existed", "catalog_status"),
    "actiontype.admitted.delete": _o("previously_existed", "catalog_status"),
    "actiontype.denied.create": _o("denial_reason", "denial_operation"),
    "actiontype.denied.update": _o("denial_reason", "denial_operation"),
    "actiontype.denied.delete": _o("denial_reason", "denial_operation"),
    "remediationworkflow.admitted.create": _o(
        "workflow_id", "catalog_status", "workflow_content", "content_hash"
    ),
    "remediationworkflow.admitted.update": _o(
        "workflow_id", "catalog_status", "workflow_content", "content_hash"
    ),
    "remediationworkflow.admitted.delete": _o("workflow_id", "catalog_status"),
    "remediationworkflow.admitted.denied": _o("denial_reason", "content_hash"),
    "agentsession.admitted.create": _o("remediation_request_ref"),
    "agentsession.denied.create": _o("remediation_request_ref", "denial_reason"),
    "aiagent.session.started": _o("incident_id", "signal_name", "severity", "created_by"),
    "aiagent.llm.request": {**_o("max_tokens", "toolsets_enabled"), "mcp_servers": 0.4},
    "aiagent.llm.response": {**_o("tokens_used", "tool_call_count"), "reasoning_text": 0.3},
    "aiagent.llm.tool_call": _o("tool_arguments", "tool_result_preview"),
    "aiagent.response.complete": _o("total_prompt_tokens", "total_completion_tokens"),
    "aiagent.rca.complete": _o("total_prompt_tokens", "total_completion_tokens"),
}


@cache
def meta(event_type: str) -> TypeMeta:
    info = REGISTRY[event_type]
    category = _first(_CATEGORY, event_type)[0]
    actor_type, actor_id = _first(_ACTORS, event_type)
    resource_type, resource_key = _first(_RESOURCES, event_type)
    return TypeMeta(
        event_type=event_type,
        category=category,
        action=event_type.rsplit(".", 1)[-1][:50],
        outcome=_outcome(event_type),
        actor_type=actor_type,
        actor_id=actor_id,
        resource_type=resource_type,
        resource_key=resource_key,
        plan=plan_for(info.model, event_type, OPTIONAL.get(event_type)),
    )
