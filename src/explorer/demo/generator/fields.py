"""Realistic values by field name. ``Model.field`` keys win over plain field names."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from explorer.demo.generator.values import (
    ACTION_TYPES,
    CHANNELS,
    GROUPS,
    MODELS,
    PATHS,
    SOURCE_IPS,
    TOOLS,
    USERS,
    WORKFLOWS,
    Ctx,
    hex_id,
    pick,
    rfc3339,
    uuid4,
)

Filler = Callable[[random.Random, Ctx], Any]

NESTED_OPTIONAL_CHANCE = 0.6
_MIN = 60_000
_HOUR = 3_600_000


def one_of(*options: str) -> Filler:
    """Pick one option; options with ``{key}`` are filled from the incident context."""
    if any("{" in option for option in options):
        return lambda rng, ctx: pick(rng, options).format_map(ctx)
    return lambda rng, ctx: pick(rng, options)


def text_of(name: str) -> Filler:
    stem = name.rsplit(".", 1)[-1].replace("_", "-").lower()
    return lambda rng, ctx: f"{stem}-{hex_id(rng, 5)}"


def _sha(rng: random.Random, ctx: Ctx) -> str:
    return "sha256:" + hex_id(rng, 64)


def _duration(rng: random.Random, ctx: Ctx) -> str:
    return f"{rng.randint(0, 9)}m{rng.randint(1, 59)}s"


# Field name -> incident-context key (the same fact under another name).
CTX_ALIAS: dict[str, str] = {
    "incidentId": "incident_id",
    "workflowId": "workflow_id",
    "selected_workflow_id": "workflow_id",
    "signal": "signal_name",
    "source_signal_name": "signal_name",
    "actionType": "action_type",
    "executionBundle": "container_image",
    "bundle": "container_image",
    "resource_name": "workload",
    "target_name": "workload",
    "root_owner_name": "workload",
    "affected_resource_name": "workload",
    "RemediationTarget.name": "workload",
    "resource_kind": "workload_kind",
    "root_owner_kind": "workload_kind",
    "affected_resource_kind": "workload_kind",
    "target_kind": "workload_kind",
    "kind": "workload_kind",
    "root_owner_namespace": "namespace",
    "affected_resource_namespace": "namespace",
    "rr_namespace": "namespace",
    "existing_rr_namespace": "namespace",
    "target_namespace": "namespace",
    "crd_namespace": "namespace",
    "existing_rr_name": "rr_name",
    "rr_ref": "rr_name",
    "remediation_request": "rr_name",
    "remediation_request_ref": "rr_name",
    "rr_id": "rr_name",
    "ka_correlation_id": "rr_name",
    "signal_fingerprint": "fingerprint",
    "request_name": "rar_name",
    "ai_analysis_ref": "analysis_name",
    "approved_by": "user",
    "rejected_by": "user",
    "modified_by": "user",
    "cancelled_by": "user",
    "acting_user": "user",
    "session_owner": "user",
    "user_identity": "user",
    "delegated_user": "user",
    "requesting_user": "other_user",
    "observer_user": "other_user",
    "updated_by": "user",
    "registered_by": "user",
    "disabled_by": "user",
    "reenabled_by": "user",
    "requested_by": "user",
    "target_user": "user",
    "model_name": "model",
    "needs_human_review": "needsHumanReview",
    "action_type_name": "action_type",
    "WorkflowCatalogCreatedPayload.name": "workflow_name",
    "WorkflowCatalogCreatedPayload.version": "workflow_version",
    "AIAgentSessionStartedPayload.created_by": "user",
}

STR_VALUES: dict[str, Filler] = {
    "message": one_of(
        "{signal_name} on {namespace}/{workload} handed to remediation",
        "RemediationRequest {rr_name} progressing",
        "waiting for {action_type} to settle on {workload}",
    ),
    "reason": one_of(
        "ConsecutiveFailures",
        "PolicyRequiresApproval",
        "LowConfidence",
        "DuplicateInFlight",
        "CooldownActive",
        "ResourceBusy",
    ),
    "sub_reason": one_of("confidence_below_threshold", "production_namespace", "recent_failure"),
    "transition_reason": one_of("PhaseCompleted", "ChildReady", "ApprovalGranted", "Retry"),
    "rejection_reason": one_of(
        "change freeze until Monday", "prefer manual rollback", "invalid YAML in overlay"
    ),
    "details": one_of(
        "all replicas ready, no restarts in window",
        "alert {signal_name} resolved after {action_type}",
        "spec hash changed as expected",
    ),
    "detail": one_of(
        "owner chain lookup timed out after 5s", "RBAC forbids get on replicasets.apps"
    ),
    "error": one_of(
        "context deadline exceeded",
        "upstream returned 503 Service Unavailable",
        "connection reset by peer",
        "rate limited by provider (429)",
    ),
    "error_message": one_of(
        "LLM provider timeout after 120s",
        "failed to parse tool call arguments",
        "context deadline exceeded while waiting for investigation",
    ),
    "failure_message": one_of(
        "task apply-patch failed: exit code 1",
        "pod evicted: node memory pressure",
        "kubectl rollout status timed out after 300s",
    ),
    "failed_task_name": one_of("apply-patch", "verify-rollout", "scale-replicas", "restart-pods"),
    "decision_message": one_of(
        "LGTM, matches runbook", "approved during incident bridge", "not during peak hours"
    ),
    "approval_reason": one_of(
        "production namespace requires approval",
        "confidence below auto-approve threshold",
        "policy allows auto-approval",
    ),
    "clear_reason": one_of("previous execution cleaned up", "operator cleared block"),
    "denial_reason": one_of(
        "RemediationRequest not found", "schema validation failed: parameters[0].type"
    ),
    "denied_reason": one_of("action type still referenced by active workflows"),
    "disabled_reason": one_of("superseded by v2", "flaky on StatefulSets"),
    "AIAgentAuthFailurePayload.reason": one_of("invalid bearer token", "token expired"),
    "AIAgentAuthDeniedPayload.reason": one_of(
        "SubjectAccessReview denied", "not in allowed groups"
    ),
    "ApifrontendSessionDeletedPayload.reason": one_of("closed by user", "session expired"),
    "ApifrontendAuthAccessDeniedPayload.reason": one_of("role lacks tool permission"),
    "WorkflowSearchFilters.component": one_of("deployment", "statefulset", "pod"),
    "WorkflowCatalogUpdatedFields.status": one_of("Active", "Disabled"),
    "policy_hash": lambda rng, ctx: hex_id(rng, 64),
    "error_code": one_of("TOOL_TIMEOUT", "K8S_FORBIDDEN", "UPSTREAM_503"),
    "ApifrontendAuthFailurePayload.failure_reason": one_of(
        "token expired", "invalid signature", "audience mismatch"
    ),
    "cancelled_phase": one_of("investigating", "analyzing", "workflow_selection"),
    "step_kind": one_of("tool_call", "reasoning", "final_answer"),
    "explanation": one_of(
        "tool call consistent with stated hypothesis",
        "read-only query within incident namespace",
        "action proportional to evidence",
    ),
    "result": one_of("aligned", "aligned", "flagged"),
    "tool": one_of(*TOOLS),
    "tool_name": one_of(*TOOLS),
    "AIAgentInteractiveK8sCallPayload.verb": one_of("get", "list", "watch"),
    "resource": one_of("pods", "deployments", "events", "replicasets", "configmaps"),
    "AIAgentSessionAccessDeniedPayload.endpoint": one_of(
        "/api/v1/sessions/{session_id}/stream", "/api/v1/sessions/{session_id}/messages"
    ),
    "AIAnalysisAIAgentCallPayload.endpoint": one_of(
        "/api/v1/incident/analyze", "/api/v1/incident/session/{incident_id}"
    ),
    "limit_type": one_of("per_client_rps", "per_user_concurrency", "global_rps"),
    "limit_value": one_of("50/s", "10", "500/s"),
    "circuit_name": one_of("kubernaut-agent", "datastorage", "llm-provider"),
    "target_service": one_of("kubernaut-agent", "datastorage", "remediationorchestrator"),
    "user_role": one_of("viewer", "sre", "dashboard"),
    "source_tier": one_of("rules", "llm", "cache"),
    "failed_tier": one_of("llm", "rules"),
    "config_version": one_of("2026.11.3", "2026.11.4", "2026.11.5"),
    "protocol_version": one_of("2025-06-18", "2025-03-26"),
    "issuer": one_of("https://keycloak.acme.io/realms/sre", "https://kubernetes.default.svc"),
    "method": one_of("GET", "POST", "GET", "PATCH"),
    "path": one_of(*PATHS),
    "source_ip": one_of(*SOURCE_IPS),
    "lease_holder": one_of("gateway-6f9c7d-abcde", "apifrontend-7c4b9-xk2lp"),
    "AIAnalysisRegoEvaluationPayload.outcome": one_of("auto_approve", "requires_approval"),
    "AIAnalysisApprovalDecisionPayload.decision": one_of("auto_approve", "requires_approval"),
    "AIAnalysisApprovalDecisionPayload.reason": one_of(
        "confidence 0.92 above threshold", "production environment policy"
    ),
    "AIAnalysisRegoEvaluationPayload.reason": one_of(
        "policy approval.rego evaluated", "policy unavailable, defaulting to manual approval"
    ),
    "environment": one_of("production", "production", "staging"),
    "AIAnalysisErrorPayload.phase": one_of("Investigating", "Analyzing"),
    "AIAgentResponseFailedPayload.phase": one_of("investigating", "parsing_response"),
    "old_phase": one_of("Pending", "Investigating"),
    "new_phase": one_of("Investigating", "Analyzing", "Completed"),
    "from_phase": one_of("Pending", "Processing", "Analyzing"),
    "to_phase": one_of("Processing", "Analyzing", "Executing"),
    "analysis": one_of(
        "{workload} in {namespace} is failing: {factor}. Recommend {action_type}.",
        "Root cause for {signal_name}: {factor}. Workflow {workflow_name} addresses it.",
    ),
    "analysis_preview": one_of(
        "{signal_name} on {workload}: {factor}",
        "Investigated {workload} ({workload_kind}) in {namespace}; {factor}",
    ),
    "analysis_full": one_of(
        "## Summary\n{signal_name} fired for {namespace}/{workload}.\n## Evidence\n- {factor}\n"
        "- recent events show repeated restarts\n## Recommendation\nRun {workflow_name} "
        "({action_type})."
    ),
    "prompt_preview": one_of(
        "You are Kubernaut. Investigate alert {signal_name} for {workload_kind} {workload} in "
        "namespace {namespace}...",
        "Continue the investigation of {rr_name}. Tool results follow...",
    ),
    "reasoning_text": one_of(
        "Restarts correlate with memory growth; checking limits next.",
        "Events point at a bad rollout; comparing ReplicaSets.",
    ),
    "reasoning": one_of("{factor}; the owner chain ends at {workload_kind} {workload}."),
    "tool_result_preview": one_of(
        "NAME READY STATUS RESTARTS AGE\n{workload}-7d9f 0/1 CrashLoopBackOff 14 22m",
        "Events: Warning BackOff kubelet Back-off restarting failed container",
        "result: [[1731920400, 0.97], [1731920460, 0.98]]",
    ),
    "validation_errors": one_of("parameter MEMORY_LIMIT must match ^[0-9]+(Mi|Gi)$"),
    "human_review_reason": one_of("low_confidence", "parameter_validation_failed"),
    "accumulated_messages": one_of("[12 messages, 18432 bytes]", "[7 messages, 9120 bytes]"),
    "retry_outcome": one_of("succeeded_after_retry", "first_attempt"),
    "ambiguous_kind": one_of("Deployment", "Rollout"),
    "conflicting_groups": one_of("apps,argoproj.io"),
    "subject": one_of(
        "[{severity}] {signal_name} on {namespace}/{workload}",
        "Remediation {rr_name}: approval needed",
        "Remediation {rr_name} finished",
    ),
    "body": one_of(
        "Kubernaut is handling {signal_name} on {workload} ({cluster}). Workflow: {workflow_name}.",
        "Action {action_type} on {namespace}/{workload} needs a decision.",
    ),
    "priority": one_of("high", "critical", "medium"),
    "type": one_of("escalation", "approval", "status-update", "completion"),
    "channel": one_of(*CHANNELS),
    "error_type": one_of("SlackRateLimited", "SMTPTimeout", "WebhookHTTP500"),
    "notification_id": lambda rng, ctx: f"nr-{ctx['rr_name']}-{hex_id(rng, 4)}",
    "sla_requirement": one_of("15m", "1h", "4h"),
    "business_unit": one_of("payments", "commerce", "platform", "identity"),
    "external_severity": one_of("P1", "critical", "sev2", "warning"),
    "duration": _duration,
    "execution_engine": one_of("tekton", "tekton", "job"),
    "schema_version": one_of("1.0", "1.1"),
    "email": one_of(*USERS),
    "RemediationWorkflowContentMaintainer.name": one_of("Platform SRE", "Payments SRE"),
    "RemediationWorkflowContentResourceDependency.name": one_of("kubeconfig-ro", "slack-token"),
    "RemediationWorkflowContentParameter.name": one_of("TARGET_NAME", "MEMORY_LIMIT", "REPLICAS"),
    "RemediationWorkflowContentParameter.type": one_of("string", "integer"),
    "RemediationWorkflowContentPayload.version": one_of("1.0.0", "1.1.0", "2.0.0"),
    "engine": one_of("tekton", "job"),
    "bundleDigest": _sha,
    "serviceAccountName": one_of("kubernaut-workflow-runner"),
    "pattern": one_of("^[a-z0-9-]+$", "^[0-9]+(Mi|Gi)$"),
    "owner": one_of("platform-sre", "payments-sre"),
    "maintainer": one_of(*USERS),
    "rationale": one_of("also addresses {factor}", "lower blast radius but slower"),
    "what": one_of("Restart the pods of a workload", "Raise the memory limit of a container"),
    "when_to_use": one_of("crash loops after a transient failure", "OOMKilled containers"),
    "when_not_to_use": one_of("data corruption suspected", "StatefulSets with quorum"),
    "preconditions": one_of("workload has more than one replica", "PDB allows disruption"),
    "user_uid": lambda rng, ctx: uuid4(rng),
    "delegated_via": one_of("kubernaut-approvers group", "on-call schedule"),
    "created_by": one_of("system:serviceaccount:kubernaut-system:aianalysis-controller"),
    "crd_name": lambda rng, ctx: ctx["action_type"].lower(),
    "AgentSessionWebhookAuditPayload.crd_name": one_of("session-{rr_name}"),
    "action_type_name": one_of(*ACTION_TYPES),
    "catalog_status": one_of("Active", "Active", "Disabled"),
    "denial_operation": one_of("CREATE", "UPDATE", "DELETE"),
    "content_hash": _sha,
    "confidence_str": one_of("0.91", "0.87", "0.78"),
    "code": one_of("K8S_API_TIMEOUT", "LLM_TIMEOUT", "TASK_FAILED", "CONFLICT"),
    "global": one_of("1h", "2h"),
    "processing": one_of("5m", "10m"),
    "analyzing": one_of("10m", "15m"),
    "executing": one_of("30m", "45m"),
    "hash_compute_delay": one_of("30s", "1m"),
    "alert_check_delay": one_of("5m", "10m"),
    "gitops_sync_delay": one_of("3m"),
    "operator_reconcile_delay": one_of("1m"),
    "total_propagation_delay": one_of("4m"),
    "validity_window": one_of("30m", "1h"),
    "stabilization_window": one_of("5m", "10m"),
    "pre_remediation_spec_hash": _sha,
    "post_remediation_spec_hash": _sha,
    "crd_outcome": one_of("Completed", "Failed"),
    "RemediationOrchestratorAuditPayload.signal_type": one_of("alert"),
    "secret_name": one_of("{workload}-db-credentials", "{workload}-tls"),
    "outcome_detail": one_of("read for connection check", "redacted before prompt"),
    "mcp_session_id": lambda rng, ctx: f"mcp-{hex_id(rng, 12)}",
    "task_id": lambda rng, ctx: f"task-{hex_id(rng, 10)}",
    "a2a_task_id": lambda rng, ctx: f"task-{hex_id(rng, 10)}",
    "session_id": lambda rng, ctx: f"sess-{hex_id(rng, 10)}",
    "incident_id": lambda rng, ctx: f"inc-{hex_id(rng, 8)}",
    "container_image": one_of("ghcr.io/kubernaut/workflows/{workflow_name}:v1"),
    "pipelinerun_name": lambda rng, ctx: f"{ctx['execution_name']}-run-{hex_id(rng, 5)}",
    "execution_name": lambda rng, ctx: f"we-{hex_id(rng, 6)}",
    "workflow_name": one_of(*WORKFLOWS),
    "workflow_version": one_of("1.0.0", "1.2.3"),
    "workflow_id": lambda rng, ctx: uuid4(rng),
    "fingerprint": lambda rng, ctx: hex_id(rng, 64),
    "namespace": one_of("kubernaut-system"),
    "rr_name": lambda rng, ctx: f"rr-{hex_id(rng, 5)}",
    "signal_name": one_of("KubePodCrashLooping", "HighCPU"),
    "target_resource": one_of("{namespace}/{workload_kind}/{workload}"),
    "component": one_of("gateway", "apifrontend", "routing"),
    "model": one_of(*MODELS),
    "user": one_of(*USERS),
    "analysis_name": lambda rng, ctx: f"ai-{hex_id(rng, 5)}",
    "ea_name": lambda rng, ctx: f"ea-{ctx['rr_name']}",
    "rar_name": lambda rng, ctx: f"rar-{ctx['rr_name']}",
    "notification_name": lambda rng, ctx: f"nr-{ctx['rr_name']}-{hex_id(rng, 4)}",
    "action_type": one_of(*ACTION_TYPES),
    "severity": one_of("critical", "warning"),
}

INT_RANGES: dict[str, tuple[int, int]] = {
    "duration_ms": (40, 9_000),
    "occurrence_count": (2, 40),
    "owner_chain_length": (1, 4),
    "retry_count": (0, 2),
    "warnings_count": (0, 3),
    "http_status_code": (200, 200),
    "prompt_length": (1_800, 24_000),
    "max_tokens": (4_096, 8_192),
    "analysis_length": (400, 6_000),
    "tokens_used": (900, 7_500),
    "tool_call_count": (0, 4),
    "tool_call_index": (0, 6),
    "attempt": (1, 3),
    "max_attempts": (3, 3),
    "cancelled_at_turn": (1, 8),
    "total_prompt_tokens": (6_000, 60_000),
    "total_completion_tokens": (800, 9_000),
    "total_tokens": (7_000, 70_000),
    "step_index": (0, 5),
    "flagged": (0, 1),
    "total": (2, 6),
    "shadow_prompt_tokens": (1_000, 9_000),
    "shadow_completion_tokens": (100, 900),
    "shadow_total_tokens": (1_100, 9_900),
    "prompt_tokens": (900, 6_000),
    "completion_tokens": (60, 700),
    "dependent_workflow_count": (1, 4),
    "query_length": (20, 600),
    "triage_duration_ms": (800, 45_000),
    "tokens_input": (1_000, 30_000),
    "tokens_output": (200, 4_000),
    "tools_call_count": (0, 9),
    "total_duration_ms": (5_000, 900_000),
    "total_tokens_input": (2_000, 80_000),
    "total_tokens_output": (300, 9_000),
    "total_tool_calls": (0, 20),
    "polls_count": (1, 30),
    "investigation_duration_ms": (20_000, 300_000),
    "workflow_candidates_count": (0, 5),
    "time_to_decision_ms": (4_000, 600_000),
    "execution_duration_ms": (30, 4_000),
    "workflow_count": (0, 8),
    "failure_count": (5, 20),
    "threshold": (5, 5),
    "ttl_seconds": (1_800, 3_600),
    "retention_seconds": (604_800, 2_592_000),
    "total_replicas": (2, 6),
    "ready_replicas": (2, 6),
    "restart_delta": (0, 1),
    "pending_count": (0, 0),
    "active_count": (0, 1),
    "top_k": (5, 10),
    "total_found": (1, 12),
    "returned": (1, 5),
    "rank": (1, 5),
}

FLOAT_RANGES: dict[str, tuple[float, float]] = {
    "confidence": (0.55, 0.97),
    "score": (0.6, 1.0),
    "min_score": (0.5, 0.7),
    "duration_seconds": (2.0, 180.0),
    "assessment_duration_seconds": (120.0, 1_800.0),
    "resolution_time_seconds": (30.0, 900.0),
    "cpu_before": (0.8, 1.9),
    "cpu_after": (0.2, 0.7),
    "memory_before": (480.0, 510.0),
    "memory_after": (250.0, 400.0),
    "latency_p95_before_ms": (900.0, 2_600.0),
    "latency_p95_after_ms": (120.0, 450.0),
    "error_rate_before": (0.05, 0.2),
    "error_rate_after": (0.0, 0.01),
    "throughput_before_rps": (80.0, 300.0),
    "throughput_after_rps": (250.0, 400.0),
    "minimum": (0.0, 1.0),
    "maximum": (8.0, 64.0),
}

BOOL_CHANCE: dict[str, float] = {
    "degraded_mode": 0.05,
    "degraded": 0.05,
    "retry_possible": 0.7,
    "has_analysis": 0.97,
    "is_valid": 0.85,
    "needs_human_review": 0.1,
    "needsHumanReview": 0.1,
    "remediation_history_fetched": 0.9,
    "reasoning_redacted": 0.2,
    "reasoningRedacted": 0.2,
    "is_latest_version": 0.9,
    "was_reenabled": 0.1,
    "pod_running": 0.95,
    "readiness_pass": 0.92,
    "crash_loops": 0.05,
    "oom_killed": 0.03,
    "hash_match": 0.1,
    "alert_resolved": 0.9,
    "assessed": 0.95,
    "has_owner_chain": 0.9,
    "has_namespace": 1.0,
    "has_pod": 0.9,
    "has_deployment": 0.8,
    "is_gitops_managed": 0.2,
    "is_crd": 0.05,
    "previously_existed": 0.5,
    "approval_required": 0.35,
    "auto_approved": 0.6,
    "isActionable": 0.9,
}

DATETIME_OFFSETS: dict[str, tuple[int, int]] = {
    "required_by": (15 * _MIN, 60 * _MIN),
    "validity_deadline": (30 * _MIN, 60 * _MIN),
    "prometheus_check_after": (5 * _MIN, 10 * _MIN),
    "alertmanager_check_after": (5 * _MIN, 10 * _MIN),
    "hash_compute_after": (30_000, 60_000),
    "started_at": (-5 * _MIN, -30_000),
    "disabled_at": (-30 * 24 * _HOUR, -_HOUR),
}

LIST_VALUES: dict[str, Filler] = {
    "delivery_channels": lambda rng, ctx: rng.sample(CHANNELS, 1 + int(rng.random() * 2)),
    "user_groups": lambda rng, ctx: rng.sample(GROUPS, 1 + int(rng.random() * 2)),
    "groups": lambda rng, ctx: rng.sample(GROUPS, 1 + int(rng.random() * 2)),
    "required_roles": lambda rng, ctx: ["sre", "platform-admin"],
    "toolsets_enabled": lambda rng, ctx: ["kubernetes/core", "prometheus/metrics"],
    "mcp_servers": lambda rng, ctx: ["kubernaut-workflows"],
    "tools_called": lambda rng, ctx: rng.sample(TOOLS, 2),
    "changed_keys": lambda rng, ctx: rng.sample(
        ("rate_limits.per_user", "llm.model", "triage.rules", "session.ttl"), 2
    ),
    "updated_fields": lambda rng, ctx: ["description.what", "description.when_to_use"],
    "dependent_workflows": lambda rng, ctx: rng.sample(tuple(WORKFLOWS), 2),
    "contributingFactors": lambda rng, ctx: [ctx["factor"], "no recent config rollback"],
    "causalChain": lambda rng, ctx: [
        f"{ctx['signal_name']} fired",
        ctx["factor"],
        f"{ctx['workload_kind']} {ctx['workload']} degraded",
    ],
    "warnings": lambda rng, ctx: ["metrics for the last 5m incomplete"],
    "errors": lambda rng, ctx: ["parameter MEMORY_LIMIT: value 2G does not match pattern"],
    "failed_detections": lambda rng, ctx: ["serviceMesh"],
    "components_assessed": lambda rng, ctx: ["health", "alert", "metrics", "hash"],
    "stack_trace": lambda rng, ctx: [
        "controller.go:212 reconcile",
        "client.go:88 create: context deadline exceeded",
    ],
    "RemediationWorkflowContentLabels.severity": lambda rng, ctx: ["critical", "warning"],
    "RemediationWorkflowContentLabels.environment": lambda rng, ctx: ["production", "staging"],
    "RemediationWorkflowContentLabels.component": lambda rng, ctx: ["deployment"],
    "RemediationWorkflowContentLabels.cluster": lambda rng, ctx: ["prod-east", "prod-west"],
    "enum": lambda rng, ctx: ["Deployment", "StatefulSet"],
    "dependsOn": lambda rng, ctx: ["TARGET_NAME"],
    "status": lambda rng, ctx: ["Active"],
}


def _labels(rng: random.Random, ctx: Ctx) -> dict[str, str]:
    return {
        "alertname": ctx["signal_name"],
        "namespace": ctx["namespace"],
        "severity": ctx["severity"],
        "cluster": ctx["cluster"],
        "pod": ctx["pod"],
    }


def _annotations(rng: random.Random, ctx: Ctx) -> dict[str, str]:
    return {
        "summary": f"{ctx['signal_name']} on {ctx['namespace']}/{ctx['workload']}",
        "runbook_url": f"https://runbooks.acme.io/alerts/{ctx['signal_name'].lower()}",
    }


def _original(rng: random.Random, ctx: Ctx) -> dict[str, Any]:
    return {
        "status": "firing",
        "labels": _labels(rng, ctx),
        "annotations": _annotations(rng, ctx),
        "startsAt": rfc3339(ctx["_now"] - rng.randint(30_000, 300_000)),
        "generatorURL": "https://prometheus.acme.io/graph",
    }


DICT_VALUES: dict[str, Filler] = {
    "signal_labels": _labels,
    "signal_annotations": _annotations,
    "original_payload": _original,
    "metadata": lambda rng, ctx: {"rr_name": ctx["rr_name"], "cluster": ctx["cluster"]},
    "WorkflowExecutionAuditPayload.parameters": lambda rng, ctx: {
        "TARGET_NAME": ctx["workload"],
        "TARGET_NAMESPACE": ctx["namespace"],
    },
    "SelectedWorkflow.parameters": lambda rng, ctx: {
        "TARGET_NAME": ctx["workload"],
        "TARGET_NAMESPACE": ctx["namespace"],
    },
    "tool_arguments": lambda rng, ctx: {"namespace": ctx["namespace"], "name": ctx["workload"]},
    "labels": lambda rng, ctx: {"team": ctx["team"], "tier": "backend"},
    "detected_labels_summary": lambda rng, ctx: {"hpaEnabled": True, "pdbProtected": False},
}

ANY_VALUES: dict[str, Filler] = {
    "tool_result": lambda rng, ctx: {
        "status": "ok",
        "items": rng.randint(1, 12),
        "namespace": ctx["namespace"],
    },
    "engineConfig": lambda rng, ctx: {"pipelineRef": "remediation-pipeline"},
    "default": lambda rng, ctx: "1",
    "detectedLabels": lambda rng, ctx: {"hpaEnabled": True},
}

# Optional fields of nested models that real producers fill (unlisted nested models: 60%).
NESTED_OPTIONAL: dict[str, dict[str, float]] = {
    "ErrorDetails": {"stack_trace": 0.3},
    "MetricDeltas": {
        "cpu_before": 0.8,
        "cpu_after": 0.8,
        "memory_before": 0.8,
        "memory_after": 0.8,
        "latency_p95_before_ms": 0.5,
        "latency_p95_after_ms": 0.5,
        "error_rate_before": 0.5,
        "error_rate_after": 0.5,
    },
    "DetectedLabels": {"hpaEnabled": 0.8, "pdbProtected": 0.8, "gitOpsManaged": 0.5},
    "IncidentResponseData": {
        "selectedWorkflow": 1.0,
        "isActionable": 0.8,
        "needsHumanReview": 0.8,
        "warnings": 0.2,
        "alternativeWorkflows": 0.4,
    },
    "RootCauseAnalysis": {"remediationTarget": 1.0, "causalChain": 0.8, "reasoning": 0.5},
    "RemediationWorkflowContentPayload": {"maintainers": 1.0, "dependencies": 0.5},
    "RemediationWorkflowContentParameter": {"pattern": 0.3},
    "WorkflowCatalogUpdatedFields": {"status": 1.0, "version": 0.5},
    "QueryMetadata": {"min_score": 0.7, "filters": 0.7},
    "WorkflowSearchFilters": {"detectedLabels": 0.5},
}

_QUALIFIED = frozenset(
    key
    for table in (
        CTX_ALIAS,
        STR_VALUES,
        LIST_VALUES,
        DICT_VALUES,
        ANY_VALUES,
    )
    for key in table
    if "." in key
)


def qualified(model: str, field: str) -> str:
    key = f"{model}.{field}"
    return key if key in _QUALIFIED else field
