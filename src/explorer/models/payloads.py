"""Pydantic models of the DataStorage audit contract. GENERATED: do not edit.

Regenerate with ``python scripts/generate_models.py PATH/TO/data-storage-v1.yaml``
(datamodel-code-generator 0.89.0). Optional properties the contract does not mark
nullable are typed ``T = Field(default=None)``: omitting them is fine, an explicit null
is not.
"""
# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, RootModel


class Pagination(BaseModel):
    model_config = ConfigDict(extra="allow")
    limit: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )
    offset: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )
    total: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )
    has_more: bool = Field(default=None)


class CustomLabels(RootModel[dict[str, list[str]]]):
    root: dict[str, list[str]]


class DetectedLabels(BaseModel):
    model_config = ConfigDict(extra="allow")
    failedDetections: list[
        Literal[
            "gitOpsManaged",
            "gitOpsTool",
            "pdbProtected",
            "hpaEnabled",
            "stateful",
            "helmManaged",
            "networkIsolated",
            "serviceMesh",
            "resourceQuotaConstrained",
            "virtualMachine",
            "liveMigratable",
            "cdiManaged",
            "storageBackend",
        ]
    ] = Field(default=None)
    gitOpsManaged: bool = Field(default=None)
    gitOpsTool: Literal["argocd", "flux", "*"] = Field(default=None)
    pdbProtected: bool = Field(default=None)
    hpaEnabled: bool = Field(default=None)
    stateful: bool = Field(default=None)
    helmManaged: bool = Field(default=None)
    networkIsolated: bool = Field(default=None)
    serviceMesh: Literal["istio", "linkerd", "*"] = Field(default=None)
    resourceQuotaConstrained: bool = Field(default=None)
    virtualMachine: bool = Field(default=None)
    liveMigratable: bool = Field(default=None)
    cdiManaged: bool = Field(default=None)
    storageBackend: Literal["odf-ceph", "lvms", "local", "*"] = Field(default=None)


class QueryFilters(BaseModel):
    model_config = ConfigDict(extra="allow")
    start_time: AwareDatetime = Field(default=None)
    end_time: AwareDatetime = Field(default=None)
    correlation_id: str = Field(default=None)
    event_category: str = Field(default=None)
    offset: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )
    limit: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )


class ExportMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")
    export_timestamp: AwareDatetime
    export_format: Literal["json"]
    query_filters: QueryFilters = Field(default=None)
    total_events: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]
    signature: str
    signature_algorithm: str = Field(default=None)
    certificate_fingerprint: str = Field(default=None)
    exported_by: str = Field(default=None)


class Event(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_id: UUID = Field(default=None)
    version: str = Field(default=None)
    event_type: str = Field(default=None)
    event_timestamp: AwareDatetime = Field(default=None)
    event_category: str = Field(default=None)
    event_action: str = Field(default=None)
    event_outcome: str = Field(default=None)
    correlation_id: str = Field(default=None)
    event_data: dict[str, Any] = Field(default=None)
    event_hash: str = Field(default=None)
    previous_event_hash: str = Field(default=None)
    hash_chain_valid: bool = Field(default=None)
    legal_hold: bool = Field(default=None)


class HashChainVerification(BaseModel):
    model_config = ConfigDict(extra="allow")
    total_events_verified: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]
    valid_chain_events: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]
    broken_chain_events: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]
    chain_integrity_percentage: Annotated[float, Field(ge=0.0, le=100.0)] = Field(default=None)
    verification_timestamp: AwareDatetime
    tampered_event_ids: list[str] = Field(default=None)


class AuditExportResponse(BaseModel):
    model_config = ConfigDict(extra="allow")
    export_metadata: ExportMetadata
    events: list[Event]
    hash_chain_verification: HashChainVerification
    detached_signature: str = Field(default=None)


class ErrorDetails(BaseModel):
    model_config = ConfigDict(extra="allow")
    message: str
    code: str
    component: Literal[
        "gateway",
        "aianalysis",
        "workflowexecution",
        "remediationorchestrator",
        "signalprocessing",
        "authwebhook",
    ]
    retry_possible: bool
    stack_trace: list[str] = Field(default=None)


class TimeoutConfig(BaseModel):
    model_config = ConfigDict(extra="allow")
    global_: Annotated[str, Field(alias="global")] = Field(default=None)
    processing: str = Field(default=None)
    analyzing: str = Field(default=None)
    executing: str = Field(default=None)


class GatewayAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal[
        "gateway.signal.received",
        "gateway.signal.deduplicated",
        "gateway.crd.created",
        "gateway.crd.failed",
    ]
    original_payload: dict[str, Any] = Field(default=None)
    signal_labels: dict[str, str] = Field(default=None)
    signal_annotations: dict[str, str] = Field(default=None)
    signal_type: Literal["alert"]
    signal_name: str
    namespace: str
    fingerprint: str
    severity: str = Field(default=None)
    resource_kind: str = Field(default=None)
    resource_name: str = Field(default=None)
    remediation_request: str = Field(default=None)
    deduplication_status: Literal["new", "duplicate"] = Field(default=None)
    occurrence_count: Annotated[int, Field(ge=-2147483648, le=2147483647)] = Field(default=None)
    error_details: ErrorDetails = Field(default=None)


class RemediationOrchestratorAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal[
        "orchestrator.lifecycle.started",
        "orchestrator.lifecycle.created",
        "orchestrator.lifecycle.completed",
        "orchestrator.lifecycle.failed",
        "orchestrator.lifecycle.verifying_started",
        "orchestrator.lifecycle.verification_completed",
        "orchestrator.lifecycle.verification_timed_out",
        "orchestrator.lifecycle.transitioned",
        "orchestrator.approval.requested",
        "orchestrator.approval.approved",
        "orchestrator.approval.rejected",
        "orchestrator.remediation.manual_review",
        "orchestrator.routing.blocked",
        "remediation.workflow_created",
        "orchestrator.ea.created",
    ]
    rr_name: str
    namespace: str
    outcome: Literal["Success", "Failed", "Pending"] = Field(default=None)
    duration_ms: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )
    failure_phase: Literal["SignalProcessing", "AIAnalysis", "WorkflowExecution", "Approval"] = (
        Field(default=None)
    )
    failure_reason: Literal[
        "Timeout", "ValidationError", "InfrastructureError", "ApprovalRejected", "Unknown"
    ] = Field(default=None)
    error_details: ErrorDetails = Field(default=None)
    from_phase: str = Field(default=None)
    to_phase: str = Field(default=None)
    transition_reason: str = Field(default=None)
    rar_name: str = Field(default=None)
    required_by: AwareDatetime = Field(default=None)
    workflow_id: str = Field(default=None)
    confidence_str: str = Field(default=None)
    decision: Literal["Approved", "Rejected", "Pending"] = Field(default=None)
    approved_by: str = Field(default=None)
    rejected_by: str = Field(default=None)
    rejection_reason: str = Field(default=None)
    message: str = Field(default=None)
    reason: str = Field(default=None)
    sub_reason: str = Field(default=None)
    notification_name: str = Field(default=None)
    timeout_config: TimeoutConfig = Field(default=None)
    pre_remediation_spec_hash: str = Field(default=None)
    target_resource: str = Field(default=None)
    workflow_version: str = Field(default=None)
    action_type: str = Field(default=None)
    signal_type: str = Field(default=None)
    signal_fingerprint: str = Field(default=None)
    crd_outcome: str = Field(default=None)
    ea_name: str = Field(default=None)
    hash_compute_delay: str = Field(default=None)
    alert_check_delay: str = Field(default=None)
    gitops_sync_delay: str = Field(default=None)
    operator_reconcile_delay: str = Field(default=None)
    is_gitops_managed: bool = Field(default=None)
    is_crd: bool = Field(default=None)


class SignalProcessingAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal[
        "signalprocessing.signal.processed",
        "signalprocessing.phase.transition",
        "signalprocessing.classification.decision",
        "signalprocessing.business.classified",
        "signalprocessing.enrichment.completed",
        "signalprocessing.error.occurred",
    ]
    phase: Literal["Pending", "Enriching", "Classifying", "Categorizing", "Completed", "Failed"]
    signal: str
    severity: Literal["critical", "high", "warning", "info", "unknown"] = Field(default=None)
    external_severity: str = Field(default=None)
    normalized_severity: Literal["critical", "high", "warning", "info", "unknown"] = Field(
        default=None
    )
    determination_source: Literal["rego-policy", "fallback", "default"] = Field(default=None)
    policy_hash: Annotated[str, Field(pattern="^[a-f0-9]{64}$")] = Field(default=None)
    environment: Literal["production", "staging", "development"] = Field(default=None)
    environment_source: Literal["rego", "labels", "default"] = Field(default=None)
    priority: Literal["P0", "P1", "P2", "P3", "P4"] = Field(default=None)
    priority_source: Literal["rego", "severity", "default"] = Field(default=None)
    criticality: Literal["critical", "high", "warning", "low"] = Field(default=None)
    sla_requirement: str = Field(default=None)
    has_owner_chain: bool = Field(default=None)
    owner_chain_length: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = (
        Field(default=None)
    )
    degraded_mode: bool = Field(default=None)
    duration_ms: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )
    has_namespace: bool = Field(default=None)
    has_pod: bool = Field(default=None)
    has_deployment: bool = Field(default=None)
    business_unit: str = Field(default=None)
    from_phase: str = Field(default=None)
    to_phase: str = Field(default=None)
    signal_mode: Literal["reactive", "proactive"] = Field(default=None)
    source_signal_name: str = Field(default=None)
    error: str = Field(default=None)


class WorkflowExecutionAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal[
        "workflowexecution.workflow.started",
        "workflowexecution.workflow.completed",
        "workflowexecution.workflow.failed",
        "workflowexecution.selection.completed",
        "workflowexecution.execution.started",
    ]
    workflow_id: str
    workflow_version: str
    workflow_name: str = Field(default=None)
    action_type: str = Field(default=None)
    target_resource: str
    phase: Literal["Pending", "Running", "Completed", "Failed"]
    container_image: str
    execution_name: str
    started_at: AwareDatetime = Field(default=None)
    completed_at: AwareDatetime = Field(default=None)
    duration: str = Field(default=None)
    failure_reason: Literal[
        "OOMKilled",
        "DeadlineExceeded",
        "Forbidden",
        "ImagePullBackOff",
        "ConfigurationError",
        "ResourceExhausted",
        "TaskFailed",
        "UnsupportedEngine",
        "Deduplicated",
        "Unknown",
    ] = Field(default=None)
    failure_message: str = Field(default=None)
    failed_task_name: str = Field(default=None)
    error_details: ErrorDetails = Field(default=None)
    pipelinerun_name: str = Field(default=None)
    parameters: dict[str, str] = Field(default=None)
    retry_count: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )


class NotificationAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["webhook.notification.cancelled", "webhook.notification.acknowledged"]
    notification_id: str = Field(default=None)
    notification_name: str = Field(default=None)
    type: Literal[
        "Escalation", "Simple", "StatusUpdate", "Approval", "ManualReview", "Completion"
    ] = Field(default=None)
    notification_type: Literal[
        "Escalation", "Simple", "StatusUpdate", "Approval", "ManualReview", "Completion"
    ] = Field(default=None)
    priority: Literal["Critical", "High", "Medium", "Low"] = Field(default=None)
    final_status: Literal["Pending", "Sending", "Sent", "Failed", "Cancelled"] = Field(default=None)
    delivery_channels: list[str] = Field(default=None)
    cancelled_by: str = Field(default=None)
    user_uid: str = Field(default=None)
    user_groups: list[str] = Field(default=None)
    action: Literal["notification_cancelled", "notification_acknowledged"] = Field(default=None)


class WorkflowExecutionWebhookAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["workflowexecution.block.cleared"]
    workflow_name: str
    clear_reason: str
    cleared_at: AwareDatetime
    previous_state: Literal["Blocked"]
    new_state: Literal["Running"]


class RemediationApprovalAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["webhook.remediationapprovalrequest.decided"]
    request_name: str
    decision: Literal["Approved", "Rejected"]
    decided_at: AwareDatetime
    decision_message: str
    ai_analysis_ref: str
    delegated_user: str = Field(default=None)
    delegated_via: str = Field(default=None)
    policy_hash: str = Field(default=None)


class RemediationRequestWebhookAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["webhook.remediationrequest.timeout_modified"]
    rr_name: str
    namespace: str
    modified_by: str
    modified_at: AwareDatetime
    old_timeout_config: TimeoutConfig = Field(default=None)
    new_timeout_config: TimeoutConfig = Field(default=None)


class RemediationWorkflowContentLabels(BaseModel):
    model_config = ConfigDict(extra="allow")
    severity: list[str]
    environment: list[str]
    component: list[str]
    priority: str
    cluster: list[str] = Field(default=None)


class RemediationWorkflowContentExecution(BaseModel):
    model_config = ConfigDict(extra="allow")
    engine: str = Field(default=None)
    bundle: str = Field(default=None)
    bundleDigest: str = Field(default=None)
    engineConfig: Any = Field(default=None)
    serviceAccountName: str = Field(default=None)


class RemediationWorkflowContentResourceDependency(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str


class RemediationWorkflowContentMaintainer(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    email: str


class RemediationWorkflowContentParameter(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    type: str
    required: bool
    enum: list[str] = Field(default=None)
    pattern: str = Field(default=None)
    minimum: float = Field(default=None)
    maximum: float = Field(default=None)
    default: Any = Field(default=None)
    dependsOn: list[str] = Field(default=None)


class AuthwebhookWorkflowRegistrationFailedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["authwebhook.workflow.registration_failed"]
    workflow_name: str
    namespace: str = Field(default=None)
    reason: Literal["DependencyMissing", "DataStorageError", "ValidationFailed"]
    message: str


class HealthChecks(BaseModel):
    model_config = ConfigDict(extra="allow")
    pod_running: bool = Field(default=None)
    readiness_pass: bool = Field(default=None)
    total_replicas: Annotated[int, Field(ge=-2147483648, le=2147483647)] = Field(default=None)
    ready_replicas: Annotated[int, Field(ge=-2147483648, le=2147483647)] = Field(default=None)
    restart_delta: Annotated[int, Field(ge=-2147483648, le=2147483647)] = Field(default=None)
    crash_loops: bool = Field(default=None)
    oom_killed: bool = Field(default=None)
    pending_count: Annotated[int, Field(ge=-2147483648, le=2147483647)] = Field(default=None)


class MetricDeltas(BaseModel):
    model_config = ConfigDict(extra="allow")
    cpu_before: float | None = None
    cpu_after: float | None = None
    memory_before: float | None = None
    memory_after: float | None = None
    latency_p95_before_ms: float | None = None
    latency_p95_after_ms: float | None = None
    error_rate_before: float | None = None
    error_rate_after: float | None = None
    throughput_before_rps: float | None = None
    throughput_after_rps: float | None = None
    node_not_ready_before: float | None = None
    node_not_ready_after: float | None = None
    node_memory_pressure_before: float | None = None
    node_memory_pressure_after: float | None = None
    node_disk_pressure_before: float | None = None
    node_disk_pressure_after: float | None = None
    pv_phase_failed_before: float | None = None
    pv_phase_failed_after: float | None = None
    pv_phase_pending_before: float | None = None
    pv_phase_pending_after: float | None = None
    pv_usage_ratio_before: float | None = None
    pv_usage_ratio_after: float | None = None


class AlertResolution(BaseModel):
    model_config = ConfigDict(extra="allow")
    alert_resolved: bool = Field(default=None)
    active_count: Annotated[int, Field(ge=-2147483648, le=2147483647)] = Field(default=None)
    resolution_time_seconds: float | None = None


class EffectivenessAssessmentAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal[
        "effectiveness.health.assessed",
        "effectiveness.hash.computed",
        "effectiveness.alert.assessed",
        "effectiveness.metrics.assessed",
        "effectiveness.assessment.scheduled",
        "effectiveness.assessment.completed",
        "effectiveness.alert_decay.detected",
    ]
    correlation_id: str
    namespace: str
    ea_name: str = Field(default=None)
    component: Literal[
        "health", "alert", "alert_decay", "metrics", "hash", "scheduled", "completed"
    ]
    assessed: bool = Field(default=None)
    score: float | None = None
    details: str = Field(default=None)
    reason: str = Field(default=None)
    signal_name: str = Field(default=None)
    components_assessed: list[str] = Field(default=None)
    completed_at: AwareDatetime = Field(default=None)
    assessment_duration_seconds: float | None = None
    validity_deadline: AwareDatetime = Field(default=None)
    prometheus_check_after: AwareDatetime = Field(default=None)
    alertmanager_check_after: AwareDatetime = Field(default=None)
    hash_compute_after: AwareDatetime = Field(default=None)
    hash_compute_delay: str = Field(default=None)
    alert_check_delay: str = Field(default=None)
    gitops_sync_delay: Annotated[str, Field(deprecated=True)] = Field(default=None)
    operator_reconcile_delay: Annotated[str, Field(deprecated=True)] = Field(default=None)
    total_propagation_delay: Annotated[str, Field(deprecated=True)] = Field(default=None)
    validity_window: str = Field(default=None)
    stabilization_window: str = Field(default=None)
    pre_remediation_spec_hash: str = Field(default=None)
    post_remediation_spec_hash: str = Field(default=None)
    hash_match: bool = Field(default=None)
    health_checks: HealthChecks = Field(default=None)
    metric_deltas: MetricDeltas = Field(default=None)
    alert_resolution: AlertResolution = Field(default=None)


class WorkflowCatalogCreatedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    workflow_id: UUID
    workflow_name: str
    version: str
    schema_version: str = Field(default=None)
    status: Literal["Active", "Disabled", "Archived"]
    is_latest_version: bool
    execution_engine: str
    name: str
    labels: dict[str, Any] = Field(default=None)
    event_type: Literal["datastorage.workflow.created"]


class WorkflowCatalogUpdatedFields(BaseModel):
    model_config = ConfigDict(extra="allow")
    status: str = Field(default=None)
    disabled_by: str = Field(default=None)
    disabled_reason: str = Field(default=None)
    version: str = Field(default=None)


class ScoringV1Audit(BaseModel):
    model_config = ConfigDict(extra="allow")
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]


class SearchExecutionMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")
    duration_ms: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]


class AIAnalysisPhaseTransitionPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    old_phase: str
    new_phase: str
    event_type: Literal["aianalysis.phase.transition"]


class AIAnalysisAIAgentCallPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    endpoint: str
    http_status_code: Annotated[int, Field(ge=-2147483648, le=2147483647)]
    duration_ms: Annotated[int, Field(ge=-2147483648, le=2147483647)]
    event_type: Literal[
        "aianalysis.aiagent.call", "aianalysis.aiagent.submit", "aianalysis.aiagent.result"
    ]


class AIAnalysisApprovalDecisionPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    approval_required: bool
    approval_reason: str
    auto_approved: bool
    decision: str
    reason: str
    environment: str
    confidence: float = Field(default=None)
    workflow_id: str = Field(default=None)
    event_type: Literal["aianalysis.approval.decision"]


class AIAnalysisRegoEvaluationPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    outcome: str
    degraded: bool
    duration_ms: Annotated[int, Field(ge=-2147483648, le=2147483647)]
    reason: str
    policy_hash: str = Field(default=None)
    event_type: Literal["aianalysis.rego.evaluation"]


class AIAnalysisErrorPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    phase: str
    error_message: str
    event_type: Literal["aianalysis.error.occurred"]


class ProviderResponseSummary(BaseModel):
    model_config = ConfigDict(extra="allow")
    incident_id: str
    analysis_preview: str
    selected_workflow_id: str = Field(default=None)
    needs_human_review: bool
    warnings_count: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]


class NotificationMessageSentPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    notification_id: str
    channel: str
    subject: str
    body: str
    priority: str
    type: str
    metadata: dict[str, str] = Field(default=None)
    event_type: Literal["notification.message.sent"]


class NotificationMessageFailedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    notification_id: str
    channel: str
    subject: str
    body: str
    priority: str
    error_type: str
    error: str = Field(default=None)
    metadata: dict[str, str] = Field(default=None)
    event_type: Literal["notification.message.failed"]


class NotificationMessageAcknowledgedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    notification_id: str
    subject: str
    priority: str
    metadata: dict[str, str] = Field(default=None)
    event_type: Literal["notification.message.acknowledged"]


class NotificationMessageEscalatedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    notification_id: str
    subject: str
    priority: str
    reason: str
    metadata: dict[str, str] = Field(default=None)
    event_type: Literal["notification.message.escalated"]


class AIAgentResponseFailedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.response.failed"]
    event_id: str
    incident_id: str
    error_message: str
    phase: str
    duration_seconds: float = Field(default=None)


class AIAgentEnrichmentCompletedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.enrichment.completed"]
    event_id: str
    incident_id: str
    root_owner_kind: str
    root_owner_name: str
    root_owner_namespace: str = Field(default=None)
    owner_chain_length: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]
    detected_labels_summary: dict[str, Any] | None = None
    failed_detections: list[str] | None = None
    remediation_history_fetched: bool


class AIAgentEnrichmentFailedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.enrichment.failed"]
    event_id: str
    incident_id: str
    reason: str
    detail: str
    affected_resource_kind: str
    affected_resource_name: str
    affected_resource_namespace: str = Field(default=None)


class RemediationTarget(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str = Field(default=None)
    name: str = Field(default=None)
    namespace: str = Field(default=None)


class DueDiligence(BaseModel):
    model_config = ConfigDict(extra="allow")
    causalCompleteness: str = Field(default=None)
    targetAccuracy: str = Field(default=None)
    evidenceSufficiency: str = Field(default=None)
    alternativeHypotheses: str = Field(default=None)
    scopeCompleteness: str = Field(default=None)
    proportionality: str = Field(default=None)
    regressionAwareness: str = Field(default=None)
    confidenceCalibration: str = Field(default=None)


class RootCauseAnalysis(BaseModel):
    model_config = ConfigDict(extra="allow")
    severity: Literal["critical", "high", "warning", "info", "unknown"]
    contributingFactors: list[str]
    remediationTarget: RemediationTarget = Field(default=None)
    causalChain: list[str] = Field(default=None)
    dueDiligence: DueDiligence = Field(default=None)
    reasoning: str = Field(default=None)
    reasoningRedacted: bool = Field(default=None)


class SelectedWorkflow(BaseModel):
    model_config = ConfigDict(extra="allow")
    workflowId: str = Field(default=None)
    actionType: str = Field(default=None)
    executionBundle: str = Field(default=None)
    confidence: Annotated[float, Field(ge=0.0, le=1.0)] = Field(default=None)
    parameters: dict[str, Any] = Field(default=None)


class AlternativeWorkflow(BaseModel):
    model_config = ConfigDict(extra="allow")
    workflowId: str = Field(default=None)
    rationale: str = Field(default=None)
    executionBundle: str = Field(default=None)
    confidence: Annotated[float, Field(ge=0.0, le=1.0)] = Field(default=None)


class IncidentResponseData(BaseModel):
    model_config = ConfigDict(extra="allow")
    incidentId: str
    analysis: str
    rootCauseAnalysis: RootCauseAnalysis
    selectedWorkflow: SelectedWorkflow = Field(default=None)
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]
    timestamp: AwareDatetime
    isActionable: bool | None = None
    needsHumanReview: bool = Field(default=None)
    humanReviewReason: Literal[
        "workflow_not_found",
        "image_mismatch",
        "parameter_validation_failed",
        "no_matching_workflows",
        "low_confidence",
        "llm_parsing_error",
        "investigation_inconclusive",
        "rca_incomplete",
        "alignment_check_failed",
        "decision_expired",
    ] = Field(default=None)
    warnings: list[str] = Field(default=None)
    alternativeWorkflows: list[AlternativeWorkflow] = Field(default=None)


class LLMRequestPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.llm.request"]
    event_id: str
    incident_id: str
    model: str
    prompt_length: Annotated[int, Field(ge=0, le=9223372036854775807)]
    prompt_preview: str
    max_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)] = Field(default=None)
    toolsets_enabled: list[str] = Field(default=None)
    mcp_servers: list[str] = Field(default=None)
    retry_outcome: str = Field(default=None)
    ambiguous_kind: str = Field(default=None)
    conflicting_groups: str = Field(default=None)


class LLMResponsePayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.llm.response"]
    event_id: str
    incident_id: str
    has_analysis: bool
    analysis_length: Annotated[int, Field(ge=0, le=9223372036854775807)]
    analysis_preview: str
    analysis_full: str = Field(default=None)
    tokens_used: Annotated[int, Field(ge=0, le=9223372036854775807)] = Field(default=None)
    tool_call_count: Annotated[int, Field(ge=0, le=9223372036854775807)] = Field(default=None)
    reasoning_text: str = Field(default=None)
    reasoning_redacted: bool = Field(default=None)


class LLMToolCallPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.llm.tool_call"]
    event_id: str
    incident_id: str
    tool_call_index: Annotated[int, Field(ge=0, le=9223372036854775807)]
    tool_name: str
    tool_arguments: dict[str, Any] = Field(default=None)
    tool_result: Any
    tool_result_preview: str = Field(default=None)


class WorkflowValidationPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.workflow.validation_attempt"]
    event_id: str
    incident_id: str
    attempt: Annotated[int, Field(ge=1, le=9223372036854775807)]
    max_attempts: Annotated[int, Field(ge=1, le=9223372036854775807)]
    is_valid: bool
    errors: list[str] = Field(default=None)
    validation_errors: str = Field(default=None)
    workflow_id: str = Field(default=None)
    workflow_name: str = Field(default=None)
    human_review_reason: str = Field(default=None)
    is_final_attempt: bool = Field(default=None)


class AIAgentSessionStartedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.session.started"]
    event_id: str
    session_id: str
    incident_id: str = Field(default=None)
    signal_name: str = Field(default=None)
    severity: str = Field(default=None)
    created_by: str = Field(default=None)


class AIAgentSessionCompletedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.session.completed"]
    event_id: str
    session_id: str


class AIAgentSessionFailedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.session.failed"]
    event_id: str
    session_id: str
    error: str = Field(default=None)


class AIAgentSessionCancelledPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.session.cancelled"]
    event_id: str
    session_id: str


class AIAgentSessionSuspendedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.session.suspended"]
    event_id: str
    session_id: str


class AIAgentSessionResumedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.session.resumed"]
    event_id: str
    session_id: str


class AIAgentInteractiveStartedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.interactive.started"]
    event_id: str
    session_id: str


class AIAgentInteractiveCompletedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.interactive.completed"]
    event_id: str
    session_id: str
    reason: str = Field(default=None)


class AIAgentInteractiveK8sCallPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.interactive.k8s_call"]
    event_id: str
    session_id: str
    acting_user: str
    resource: str
    verb: str
    namespace: str = Field(default=None)
    resource_name: str = Field(default=None)
    http_status_code: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = (
        Field(default=None)
    )
    correlation_id: str = Field(default=None)


class AIAgentSecretAccessedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.secret.accessed"]
    event_id: str
    verb: Literal["get", "list"]
    namespace: str = Field(default=None)
    secret_name: str = Field(default=None)
    tool_name: str = Field(default=None)
    outcome_detail: str = Field(default=None)


class AIAgentSessionObservedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.session.observed"]
    event_id: str
    session_id: str
    observer_user: str = Field(default=None)
    session_owner: str = Field(default=None)


class AIAgentSessionAccessDeniedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.session.access_denied"]
    event_id: str
    session_id: str
    endpoint: str
    requesting_user: str
    session_owner: str = Field(default=None)


class AIAgentInvestigationCancelledPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.investigation.cancelled"]
    event_id: str
    session_id: str = Field(default=None)
    cancelled_phase: str
    cancelled_at_turn: Annotated[int, Field(ge=0, le=9223372036854775807)]
    total_prompt_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)] = Field(default=None)
    total_completion_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)] = Field(
        default=None
    )
    total_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)] = Field(default=None)
    accumulated_messages: str = Field(default=None)


class AIAgentAlignmentStepPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.alignment.step"]
    event_id: str
    step_index: Annotated[int, Field(ge=0, le=9223372036854775807)]
    step_kind: str
    tool: str = Field(default=None)
    explanation: str


class AIAgentAlignmentVerdictPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.alignment.verdict"]
    event_id: str
    result: str
    flagged: Annotated[int, Field(ge=0, le=9223372036854775807)]
    total: Annotated[int, Field(ge=0, le=9223372036854775807)]
    shadow_prompt_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)] = Field(default=None)
    shadow_completion_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)] = Field(
        default=None
    )
    shadow_total_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)] = Field(default=None)


class ShadowLLMRequestPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.shadow.llm.request"]
    event_id: str
    incident_id: str
    step_index: Annotated[int, Field(ge=0, le=9223372036854775807)]
    step_kind: str
    prompt_length: Annotated[int, Field(ge=0, le=9223372036854775807)]


class ShadowLLMResponsePayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.shadow.llm.response"]
    event_id: str
    incident_id: str
    step_index: Annotated[int, Field(ge=0, le=9223372036854775807)]
    step_kind: str
    prompt_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)]
    completion_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)]
    total_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)]
    attempt: Annotated[int, Field(ge=1, le=9223372036854775807)] = Field(default=None)
    evaluation_result: Literal["success", "malformed_response", "missing_field"] = Field(
        default=None
    )


class ActionTypeDescriptionPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    what: str
    when_to_use: str
    when_not_to_use: str = Field(default=None)
    preconditions: str = Field(default=None)


class ActionTypeCatalogCreatedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["datastorage.actiontype.created"]
    action_type: str
    registered_by: str
    was_reenabled: bool


class ActionTypeCatalogUpdatedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["datastorage.actiontype.updated"]
    action_type: str
    old_description: ActionTypeDescriptionPayload
    new_description: ActionTypeDescriptionPayload
    updated_by: str
    updated_fields: list[str]


class ActionTypeCatalogDisabledPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["datastorage.actiontype.disabled"]
    action_type: str
    disabled_by: str
    disabled_at: AwareDatetime


class ActionTypeCatalogReenabledPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["datastorage.actiontype.reenabled"]
    action_type: str
    reenabled_by: str
    previous_state: Literal["Disabled"]
    disabled_at: AwareDatetime
    disabled_by: str


class ActionTypeCatalogDisableDeniedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["datastorage.actiontype.disable_denied"]
    action_type: str
    denied_reason: str
    dependent_workflow_count: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]
    dependent_workflows: list[str]
    requested_by: str


class ActionTypeWebhookAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal[
        "actiontype.admitted.create",
        "actiontype.admitted.update",
        "actiontype.admitted.delete",
        "actiontype.denied.create",
        "actiontype.denied.update",
        "actiontype.denied.delete",
    ]
    action_type_name: str
    crd_name: str
    crd_namespace: str
    action: Literal["create", "update", "delete", "denied"]
    previously_existed: bool = Field(default=None)
    catalog_status: str = Field(default=None)
    denial_reason: str = Field(default=None)
    denial_operation: str = Field(default=None)


class AgentSessionWebhookAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["agentsession.admitted.create", "agentsession.denied.create"]
    crd_name: str
    crd_namespace: str
    action: Literal["create", "denied"]
    remediation_request_ref: str = Field(default=None)
    denial_reason: str = Field(default=None)


class ApifrontendTriageStartedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.triage.started"]
    session_id: str
    persona: Literal["sre", "orchestrator", "cicd", "dashboard", "audit", "approver"]
    model_name: str = Field(default=None)
    query_length: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )


class ApifrontendTriageCompletedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.triage.completed"]
    session_id: str
    triage_outcome: Literal["rr_created", "no_issue_found", "escalated", "error"]
    triage_duration_ms: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]
    tokens_input: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )
    tokens_output: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )
    tools_called: list[str] = Field(default=None)
    tools_call_count: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = (
        Field(default=None)
    )


class ApifrontendRRCreatedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.rr.created"]
    session_id: str
    rr_name: str
    rr_namespace: str
    target_kind: str
    target_name: str
    fingerprint: str
    signal_name: str
    signal_source: str = Field(default=None)


class ApifrontendRRDeduplicatedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.rr.deduplicated"]
    session_id: str
    fingerprint: str
    existing_rr_name: str
    existing_rr_namespace: str = Field(default=None)
    lease_holder: str = Field(default=None)


class ApifrontendSessionCreatedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.session.created"]
    session_id: str
    a2a_task_id: str
    rr_ref: str = Field(default=None)
    join_mode: Literal["start", "takeover"]
    user_identity: str
    user_groups: list[str] = Field(default=None)


class ApifrontendSessionCompletedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.session.completed"]
    session_id: str
    terminal_phase: Literal["Completed", "Cancelled", "Failed"]
    total_duration_ms: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]
    total_tokens_input: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = (
        Field(default=None)
    )
    total_tokens_output: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = (
        Field(default=None)
    )
    total_tool_calls: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = (
        Field(default=None)
    )
    polls_count: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )
    user_decision: Literal["accept", "reject", "investigate_more", "cancel", "none"] = Field(
        default=None
    )


class ApifrontendKADelegatedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.ka.delegated"]
    session_id: str
    ka_correlation_id: str
    delegation_type: Literal["autonomous", "interactive"]
    rr_name: str = Field(default=None)
    rr_namespace: str = Field(default=None)


class ApifrontendKAResultReceivedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.ka.result_received"]
    session_id: str
    ka_correlation_id: str
    result_type: Literal[
        "rca_complete",
        "rca_failed",
        "timeout",
        "cancelled",
        "operator_escalation",
        "operator_dismissed",
    ]
    investigation_duration_ms: Annotated[
        int, Field(ge=-9223372036854775808, le=9223372036854775807)
    ] = Field(default=None)
    confidence: float = Field(default=None)
    workflow_candidates_count: Annotated[
        int, Field(ge=-9223372036854775808, le=9223372036854775807)
    ] = Field(default=None)


class ApifrontendUserDecisionPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.user.decision"]
    session_id: str
    decision: Literal["accept", "reject", "investigate_more", "cancel"]
    workflow_id: str = Field(default=None)
    time_to_decision_ms: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = (
        Field(default=None)
    )
    rr_name: str = Field(default=None)


class ApifrontendAuthAccessDeniedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.auth.access_denied"]
    session_id: str = Field(default=None)
    tool_name: str
    user_role: str
    required_roles: list[str]
    endpoint: Literal["a2a", "mcp"]
    reason: str = Field(default=None)


class ApifrontendToolExecutedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.tool.executed"]
    session_id: str
    tool_name: str
    execution_duration_ms: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]
    tool_outcome: Literal["success", "failure", "timeout", "denied"]
    error_code: str = Field(default=None)
    target_resource: str = Field(default=None)
    target_namespace: str = Field(default=None)
    target_kind: str = Field(default=None)


class ApifrontendWorkflowDiscoveryPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.workflow.discovery"]
    rr_id: str
    workflow_count: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]


class ApifrontendAuthSuccessPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.auth.success"]
    auth_method: Literal["jwt", "token_review"]
    issuer: str = Field(default=None)
    groups: list[str] = Field(default=None)


class ApifrontendAuthFailurePayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.auth.failure"]
    auth_method: Literal["jwt", "token_review"]
    failure_reason: str


class ApifrontendRatelimitDeniedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.ratelimit.denied"]
    limit_type: str
    limit_value: str = Field(default=None)


class AIAgentRatelimitDeniedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.ratelimit.denied"]
    event_id: str
    source_ip: str = Field(default=None)
    path: str = Field(default=None)
    method: str = Field(default=None)


class GatewayConfigReloadedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["gateway.config.reloaded"]
    component: str
    config_version: str = Field(default=None)


class GatewayConfigRejectedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["gateway.config.rejected"]
    component: str
    rejection_reason: str


class DatastorageRatelimitDeniedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["datastorage.ratelimit.denied"]
    event_id: str
    source_ip: str = Field(default=None)
    path: str = Field(default=None)
    method: str = Field(default=None)


class AIAgentAuthFailurePayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.auth.failure"]
    event_id: str
    source_ip: str = Field(default=None)
    path: str = Field(default=None)
    method: str = Field(default=None)
    reason: str = Field(default=None)


class AIAgentAuthDeniedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.auth.denied"]
    event_id: str
    source_ip: str = Field(default=None)
    path: str = Field(default=None)
    method: str = Field(default=None)
    reason: str = Field(default=None)


class ApifrontendCircuitbreakerTripPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.circuitbreaker.trip"]
    circuit_name: str
    failure_count: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]
    threshold: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )


class ApifrontendImpersonationCreatedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.impersonation.created"]
    target_user: str
    groups: list[str] = Field(default=None)


class ApifrontendJWTDelegationPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.jwt.delegation"]
    target_service: str


class ApifrontendSessionPhaseChangedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.session.phase_changed"]
    session_id: str
    from_phase: str
    to_phase: str


class ApifrontendSessionDeletedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.session.deleted"]
    session_id: str
    reason: str = Field(default=None)


class ApifrontendSessionAutoCancelledPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.session.auto_cancelled"]
    session_id: str
    ttl_seconds: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )


class ApifrontendSessionRetentionDeletedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.session.retention_deleted"]
    session_id: str
    retention_seconds: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = (
        Field(default=None)
    )


class ApifrontendA2ATaskStartedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.a2a.task_started"]
    session_id: str
    task_id: str


class ApifrontendA2ATaskCompletedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.a2a.task_completed"]
    session_id: str
    task_id: str
    duration_ms: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )
    rr_name: str = Field(default=None)
    rr_namespace: str = Field(default=None)


class ApifrontendA2ATaskFailedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.a2a.task_failed"]
    session_id: str
    task_id: str
    error: str
    rr_name: str = Field(default=None)
    rr_namespace: str = Field(default=None)


class ApifrontendMCPToolFailedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.mcp.tool_failed"]
    session_id: str = Field(default=None)
    tool_name: str
    error: str


class ApifrontendMCPSessionInitPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.mcp.session_init"]
    mcp_session_id: str
    protocol_version: str = Field(default=None)


class ApifrontendSeverityTriageCompletedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.severity_triage.completed"]
    severity: str
    source_tier: str
    duration_ms: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)] = Field(
        default=None
    )


class ApifrontendSeverityTriageFailedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.severity_triage.failed"]
    error: str
    failed_tier: str = Field(default=None)


class ApifrontendConfigReloadedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.config.reloaded"]
    config_version: str
    changed_keys: list[str] = Field(default=None)


class ApifrontendConfigRejectedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["apifrontend.config.rejected"]
    rejection_reason: str
    config_version: str = Field(default=None)


class WorkflowSearchFilters(BaseModel):
    model_config = ConfigDict(extra="allow")
    severity: Literal["critical", "high", "warning", "info"]
    component: str
    environment: str
    priority: Literal["P0", "P1", "P2", "P3"]
    customLabels: CustomLabels = Field(default=None)
    detectedLabels: DetectedLabels = Field(default=None)
    status: list[Literal["Active", "Disabled", "Deprecated", "Archived"]] = Field(default=None)


class AIAnalysisAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aianalysis.analysis.completed", "aianalysis.analysis.failed"]
    analysis_name: str
    namespace: str
    phase: Literal["Pending", "Investigating", "Analyzing", "Completed", "Failed"]
    approval_required: bool
    approval_reason: str = Field(default=None)
    degraded_mode: bool
    warnings_count: Annotated[int, Field(ge=-9223372036854775808, le=9223372036854775807)]
    confidence: float = Field(default=None)
    workflow_id: str = Field(default=None)
    reason: str = Field(default=None)
    sub_reason: str = Field(default=None)
    provider_response_summary: ProviderResponseSummary = Field(default=None)
    error_details: ErrorDetails = Field(default=None)


class RemediationWorkflowContentDependencies(BaseModel):
    model_config = ConfigDict(extra="allow")
    secrets: list[RemediationWorkflowContentResourceDependency] = Field(default=None)
    configMaps: list[RemediationWorkflowContentResourceDependency] = Field(default=None)


class WorkflowCatalogUpdatedPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    workflow_id: UUID
    updated_fields: WorkflowCatalogUpdatedFields
    event_type: Literal["datastorage.workflow.updated"]


class QueryMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")
    top_k: Annotated[int, Field(ge=-2147483648, le=2147483647)]
    min_score: float = Field(default=None)
    filters: WorkflowSearchFilters = Field(default=None)


class WorkflowResultAudit(BaseModel):
    model_config = ConfigDict(extra="allow")
    workflow_id: UUID
    rank: Annotated[int, Field(ge=-2147483648, le=2147483647)]
    scoring: ScoringV1Audit
    owner: str = Field(default=None)
    maintainer: str = Field(default=None)
    labels: dict[str, Any] = Field(default=None)


class AIAgentResponsePayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.response.complete"]
    event_id: str
    incident_id: str
    response_data: IncidentResponseData
    total_prompt_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)] = Field(default=None)
    total_completion_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)] = Field(
        default=None
    )


class AIAgentRCACompletePayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal["aiagent.rca.complete"]
    event_id: str
    incident_id: str
    response_data: IncidentResponseData
    total_prompt_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)] = Field(default=None)
    total_completion_tokens: Annotated[int, Field(ge=0, le=9223372036854775807)] = Field(
        default=None
    )


class RemediationWorkflowContentPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    version: str
    actionType: str
    labels: RemediationWorkflowContentLabels
    customLabels: dict[str, str] = Field(default=None)
    detectedLabels: Any = Field(default=None)
    execution: RemediationWorkflowContentExecution
    dependencies: RemediationWorkflowContentDependencies = Field(default=None)
    maintainers: list[RemediationWorkflowContentMaintainer] = Field(default=None)
    parameters: list[RemediationWorkflowContentParameter]
    rollbackParameters: list[RemediationWorkflowContentParameter] = Field(default=None)


class ResultsMetadata(BaseModel):
    model_config = ConfigDict(extra="allow")
    total_found: Annotated[int, Field(ge=-2147483648, le=2147483647)]
    returned: Annotated[int, Field(ge=-2147483648, le=2147483647)]
    workflows: list[WorkflowResultAudit]


class RemediationWorkflowWebhookAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal[
        "remediationworkflow.admitted.create",
        "remediationworkflow.admitted.update",
        "remediationworkflow.admitted.delete",
        "remediationworkflow.admitted.denied",
    ]
    workflow_name: str
    action: Literal["create", "update", "delete", "denied"]
    workflow_id: str = Field(default=None)
    catalog_status: str = Field(default=None)
    denial_reason: str = Field(default=None)
    workflow_content: RemediationWorkflowContentPayload = Field(default=None)
    content_hash: str = Field(default=None)


class WorkflowDiscoveryAuditPayload(BaseModel):
    model_config = ConfigDict(extra="allow")
    event_type: Literal[
        "workflow.catalog.actions_listed",
        "workflow.catalog.workflows_listed",
        "workflow.catalog.workflow_retrieved",
        "workflow.catalog.selection_validated",
    ]
    query: QueryMetadata
    results: ResultsMetadata
    search_metadata: SearchExecutionMetadata


class AuditEventRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    version: Annotated[str, Field(max_length=20, min_length=1)]
    event_type: Annotated[str, Field(max_length=100, min_length=1)]
    event_timestamp: AwareDatetime
    event_category: Annotated[
        Literal[
            "gateway",
            "notification",
            "analysis",
            "aiagent",
            "signalprocessing",
            "workflow",
            "workflowexecution",
            "orchestration",
            "approval",
            "effectiveness",
            "actiontype",
            "apifrontend",
            "security",
            "agentsession",
        ],
        Field(max_length=50, min_length=1),
    ]
    event_action: Annotated[str, Field(max_length=50, min_length=1)]
    event_outcome: Literal["success", "failure", "pending"]
    actor_type: str = Field(default=None)
    actor_id: str = Field(default=None)
    actor_ip: Annotated[str, Field(max_length=45)] = Field(default=None)
    resource_type: str = Field(default=None)
    resource_id: str = Field(default=None)
    correlation_id: Annotated[str, Field(max_length=255, min_length=1)]
    parent_event_id: UUID | None = None
    namespace: str | None = None
    cluster_id: str | None = None
    severity: str | None = None
    duration_ms: Annotated[int | None, Field(ge=-9223372036854775808, le=9223372036854775807)] = (
        None
    )
    parent_event_date: AwareDatetime | None = None
    error_code: str | None = None
    error_message: str | None = None
    retention_days: Annotated[
        int | None, Field(ge=-9223372036854775808, le=9223372036854775807)
    ] = None
    is_sensitive: bool | None = None
    event_data: Annotated[
        GatewayAuditPayload
        | RemediationOrchestratorAuditPayload
        | SignalProcessingAuditPayload
        | AIAnalysisAuditPayload
        | WorkflowExecutionAuditPayload
        | NotificationAuditPayload
        | WorkflowExecutionWebhookAuditPayload
        | RemediationApprovalAuditPayload
        | WorkflowDiscoveryAuditPayload
        | WorkflowCatalogCreatedPayload
        | WorkflowCatalogUpdatedPayload
        | AIAnalysisPhaseTransitionPayload
        | AIAnalysisAIAgentCallPayload
        | AIAnalysisApprovalDecisionPayload
        | AIAnalysisRegoEvaluationPayload
        | AIAnalysisErrorPayload
        | NotificationMessageSentPayload
        | NotificationMessageFailedPayload
        | NotificationMessageAcknowledgedPayload
        | NotificationMessageEscalatedPayload
        | AIAgentResponsePayload
        | AIAgentRCACompletePayload
        | AIAgentResponseFailedPayload
        | AIAgentEnrichmentCompletedPayload
        | AIAgentEnrichmentFailedPayload
        | LLMRequestPayload
        | LLMResponsePayload
        | LLMToolCallPayload
        | WorkflowValidationPayload
        | AIAgentSessionStartedPayload
        | AIAgentSessionCompletedPayload
        | AIAgentSessionFailedPayload
        | AIAgentSessionCancelledPayload
        | AIAgentSessionSuspendedPayload
        | AIAgentSessionResumedPayload
        | AIAgentInteractiveStartedPayload
        | AIAgentInteractiveCompletedPayload
        | AIAgentInteractiveK8sCallPayload
        | AIAgentSecretAccessedPayload
        | AIAgentSessionObservedPayload
        | AIAgentSessionAccessDeniedPayload
        | AIAgentInvestigationCancelledPayload
        | AIAgentAlignmentStepPayload
        | AIAgentAlignmentVerdictPayload
        | ShadowLLMRequestPayload
        | ShadowLLMResponsePayload
        | AIAgentRatelimitDeniedPayload
        | AIAgentAuthFailurePayload
        | AIAgentAuthDeniedPayload
        | RemediationRequestWebhookAuditPayload
        | RemediationWorkflowWebhookAuditPayload
        | AuthwebhookWorkflowRegistrationFailedPayload
        | EffectivenessAssessmentAuditPayload
        | ActionTypeCatalogCreatedPayload
        | ActionTypeCatalogUpdatedPayload
        | ActionTypeCatalogDisabledPayload
        | ActionTypeCatalogReenabledPayload
        | ActionTypeCatalogDisableDeniedPayload
        | ActionTypeWebhookAuditPayload
        | AgentSessionWebhookAuditPayload
        | ApifrontendTriageStartedPayload
        | ApifrontendTriageCompletedPayload
        | ApifrontendRRCreatedPayload
        | ApifrontendRRDeduplicatedPayload
        | ApifrontendSessionCreatedPayload
        | ApifrontendSessionCompletedPayload
        | ApifrontendKADelegatedPayload
        | ApifrontendKAResultReceivedPayload
        | ApifrontendUserDecisionPayload
        | ApifrontendAuthAccessDeniedPayload
        | ApifrontendToolExecutedPayload
        | ApifrontendWorkflowDiscoveryPayload
        | ApifrontendAuthSuccessPayload
        | ApifrontendAuthFailurePayload
        | ApifrontendRatelimitDeniedPayload
        | ApifrontendCircuitbreakerTripPayload
        | ApifrontendImpersonationCreatedPayload
        | ApifrontendJWTDelegationPayload
        | ApifrontendSessionPhaseChangedPayload
        | ApifrontendSessionDeletedPayload
        | ApifrontendSessionAutoCancelledPayload
        | ApifrontendSessionRetentionDeletedPayload
        | ApifrontendA2ATaskStartedPayload
        | ApifrontendA2ATaskCompletedPayload
        | ApifrontendA2ATaskFailedPayload
        | ApifrontendMCPToolFailedPayload
        | ApifrontendMCPSessionInitPayload
        | ApifrontendSeverityTriageCompletedPayload
        | ApifrontendSeverityTriageFailedPayload
        | ApifrontendConfigReloadedPayload
        | ApifrontendConfigRejectedPayload
        | DatastorageRatelimitDeniedPayload
        | GatewayConfigReloadedPayload
        | GatewayConfigRejectedPayload,
        Field(discriminator="event_type"),
    ]


class AuditEvent(AuditEventRequest):
    model_config = ConfigDict(extra="allow")
    event_id: UUID = Field(default=None)
    event_date: date | None = None
    event_hash: str | None = None
    previous_event_hash: str | None = None
    legal_hold: bool | None = None
    legal_hold_reason: str | None = None
    legal_hold_placed_by: str | None = None
    legal_hold_placed_at: AwareDatetime | None = None


class AuditEventsQueryResponse(BaseModel):
    model_config = ConfigDict(extra="allow")
    data: list[AuditEvent] = Field(default=None)
    pagination: Pagination = Field(default=None)


# event type -> payload schema name (the contract's discriminator mapping)
EVENT_TYPE_SCHEMAS: dict[str, str] = {
    "gateway.signal.received": "GatewayAuditPayload",
    "gateway.signal.deduplicated": "GatewayAuditPayload",
    "gateway.crd.created": "GatewayAuditPayload",
    "gateway.crd.failed": "GatewayAuditPayload",
    "orchestrator.lifecycle.started": "RemediationOrchestratorAuditPayload",
    "orchestrator.lifecycle.created": "RemediationOrchestratorAuditPayload",
    "orchestrator.lifecycle.completed": "RemediationOrchestratorAuditPayload",
    "orchestrator.lifecycle.failed": "RemediationOrchestratorAuditPayload",
    "orchestrator.lifecycle.verifying_started": "RemediationOrchestratorAuditPayload",
    "orchestrator.lifecycle.verification_completed": "RemediationOrchestratorAuditPayload",
    "orchestrator.lifecycle.verification_timed_out": "RemediationOrchestratorAuditPayload",
    "orchestrator.lifecycle.transitioned": "RemediationOrchestratorAuditPayload",
    "orchestrator.approval.requested": "RemediationOrchestratorAuditPayload",
    "orchestrator.approval.approved": "RemediationOrchestratorAuditPayload",
    "orchestrator.approval.rejected": "RemediationOrchestratorAuditPayload",
    "signalprocessing.signal.processed": "SignalProcessingAuditPayload",
    "signalprocessing.phase.transition": "SignalProcessingAuditPayload",
    "signalprocessing.classification.decision": "SignalProcessingAuditPayload",
    "signalprocessing.business.classified": "SignalProcessingAuditPayload",
    "signalprocessing.enrichment.completed": "SignalProcessingAuditPayload",
    "signalprocessing.error.occurred": "SignalProcessingAuditPayload",
    "aianalysis.analysis.completed": "AIAnalysisAuditPayload",
    "aianalysis.analysis.failed": "AIAnalysisAuditPayload",
    "workflowexecution.workflow.started": "WorkflowExecutionAuditPayload",
    "workflowexecution.workflow.completed": "WorkflowExecutionAuditPayload",
    "workflowexecution.workflow.failed": "WorkflowExecutionAuditPayload",
    "workflowexecution.selection.completed": "WorkflowExecutionAuditPayload",
    "workflowexecution.execution.started": "WorkflowExecutionAuditPayload",
    "orchestrator.remediation.manual_review": "RemediationOrchestratorAuditPayload",
    "orchestrator.routing.blocked": "RemediationOrchestratorAuditPayload",
    "remediation.workflow_created": "RemediationOrchestratorAuditPayload",
    "orchestrator.ea.created": "RemediationOrchestratorAuditPayload",
    "webhook.notification.cancelled": "NotificationAuditPayload",
    "webhook.notification.acknowledged": "NotificationAuditPayload",
    "workflowexecution.block.cleared": "WorkflowExecutionWebhookAuditPayload",
    "webhook.remediationapprovalrequest.decided": "RemediationApprovalAuditPayload",
    "webhook.remediationrequest.timeout_modified": "RemediationRequestWebhookAuditPayload",
    "remediationworkflow.admitted.create": "RemediationWorkflowWebhookAuditPayload",
    "remediationworkflow.admitted.update": "RemediationWorkflowWebhookAuditPayload",
    "remediationworkflow.admitted.delete": "RemediationWorkflowWebhookAuditPayload",
    "remediationworkflow.admitted.denied": "RemediationWorkflowWebhookAuditPayload",
    "authwebhook.workflow.registration_failed": "AuthwebhookWorkflowRegistrationFailedPayload",
    "workflow.catalog.actions_listed": "WorkflowDiscoveryAuditPayload",
    "workflow.catalog.workflows_listed": "WorkflowDiscoveryAuditPayload",
    "workflow.catalog.workflow_retrieved": "WorkflowDiscoveryAuditPayload",
    "workflow.catalog.selection_validated": "WorkflowDiscoveryAuditPayload",
    "datastorage.workflow.created": "WorkflowCatalogCreatedPayload",
    "datastorage.workflow.updated": "WorkflowCatalogUpdatedPayload",
    "aianalysis.phase.transition": "AIAnalysisPhaseTransitionPayload",
    "aianalysis.aiagent.call": "AIAnalysisAIAgentCallPayload",
    "aianalysis.aiagent.submit": "AIAnalysisAIAgentCallPayload",
    "aianalysis.aiagent.result": "AIAnalysisAIAgentCallPayload",
    "aianalysis.approval.decision": "AIAnalysisApprovalDecisionPayload",
    "aianalysis.rego.evaluation": "AIAnalysisRegoEvaluationPayload",
    "aianalysis.error.occurred": "AIAnalysisErrorPayload",
    "notification.message.sent": "NotificationMessageSentPayload",
    "notification.message.failed": "NotificationMessageFailedPayload",
    "notification.message.acknowledged": "NotificationMessageAcknowledgedPayload",
    "notification.message.escalated": "NotificationMessageEscalatedPayload",
    "aiagent.response.complete": "AIAgentResponsePayload",
    "aiagent.rca.complete": "AIAgentRCACompletePayload",
    "aiagent.response.failed": "AIAgentResponseFailedPayload",
    "aiagent.enrichment.completed": "AIAgentEnrichmentCompletedPayload",
    "aiagent.enrichment.failed": "AIAgentEnrichmentFailedPayload",
    "aiagent.llm.request": "LLMRequestPayload",
    "aiagent.llm.response": "LLMResponsePayload",
    "aiagent.llm.tool_call": "LLMToolCallPayload",
    "aiagent.workflow.validation_attempt": "WorkflowValidationPayload",
    "aiagent.session.started": "AIAgentSessionStartedPayload",
    "aiagent.session.completed": "AIAgentSessionCompletedPayload",
    "aiagent.session.failed": "AIAgentSessionFailedPayload",
    "aiagent.session.cancelled": "AIAgentSessionCancelledPayload",
    "aiagent.session.suspended": "AIAgentSessionSuspendedPayload",
    "aiagent.session.resumed": "AIAgentSessionResumedPayload",
    "aiagent.interactive.started": "AIAgentInteractiveStartedPayload",
    "aiagent.interactive.completed": "AIAgentInteractiveCompletedPayload",
    "aiagent.interactive.k8s_call": "AIAgentInteractiveK8sCallPayload",
    "aiagent.secret.accessed": "AIAgentSecretAccessedPayload",
    "aiagent.session.observed": "AIAgentSessionObservedPayload",
    "aiagent.session.access_denied": "AIAgentSessionAccessDeniedPayload",
    "aiagent.investigation.cancelled": "AIAgentInvestigationCancelledPayload",
    "aiagent.alignment.step": "AIAgentAlignmentStepPayload",
    "aiagent.alignment.verdict": "AIAgentAlignmentVerdictPayload",
    "aiagent.shadow.llm.request": "ShadowLLMRequestPayload",
    "aiagent.shadow.llm.response": "ShadowLLMResponsePayload",
    "aiagent.ratelimit.denied": "AIAgentRatelimitDeniedPayload",
    "aiagent.auth.failure": "AIAgentAuthFailurePayload",
    "aiagent.auth.denied": "AIAgentAuthDeniedPayload",
    "datastorage.ratelimit.denied": "DatastorageRatelimitDeniedPayload",
    "gateway.config.reloaded": "GatewayConfigReloadedPayload",
    "gateway.config.rejected": "GatewayConfigRejectedPayload",
    "effectiveness.health.assessed": "EffectivenessAssessmentAuditPayload",
    "effectiveness.hash.computed": "EffectivenessAssessmentAuditPayload",
    "effectiveness.alert.assessed": "EffectivenessAssessmentAuditPayload",
    "effectiveness.metrics.assessed": "EffectivenessAssessmentAuditPayload",
    "effectiveness.assessment.scheduled": "EffectivenessAssessmentAuditPayload",
    "effectiveness.assessment.completed": "EffectivenessAssessmentAuditPayload",
    "effectiveness.alert_decay.detected": "EffectivenessAssessmentAuditPayload",
    "datastorage.actiontype.created": "ActionTypeCatalogCreatedPayload",
    "datastorage.actiontype.updated": "ActionTypeCatalogUpdatedPayload",
    "datastorage.actiontype.disabled": "ActionTypeCatalogDisabledPayload",
    "datastorage.actiontype.reenabled": "ActionTypeCatalogReenabledPayload",
    "datastorage.actiontype.disable_denied": "ActionTypeCatalogDisableDeniedPayload",
    "actiontype.admitted.create": "ActionTypeWebhookAuditPayload",
    "actiontype.admitted.update": "ActionTypeWebhookAuditPayload",
    "actiontype.admitted.delete": "ActionTypeWebhookAuditPayload",
    "actiontype.denied.create": "ActionTypeWebhookAuditPayload",
    "actiontype.denied.update": "ActionTypeWebhookAuditPayload",
    "actiontype.denied.delete": "ActionTypeWebhookAuditPayload",
    "agentsession.admitted.create": "AgentSessionWebhookAuditPayload",
    "agentsession.denied.create": "AgentSessionWebhookAuditPayload",
    "apifrontend.triage.started": "ApifrontendTriageStartedPayload",
    "apifrontend.triage.completed": "ApifrontendTriageCompletedPayload",
    "apifrontend.rr.created": "ApifrontendRRCreatedPayload",
    "apifrontend.rr.deduplicated": "ApifrontendRRDeduplicatedPayload",
    "apifrontend.session.created": "ApifrontendSessionCreatedPayload",
    "apifrontend.session.completed": "ApifrontendSessionCompletedPayload",
    "apifrontend.ka.delegated": "ApifrontendKADelegatedPayload",
    "apifrontend.ka.result_received": "ApifrontendKAResultReceivedPayload",
    "apifrontend.user.decision": "ApifrontendUserDecisionPayload",
    "apifrontend.auth.access_denied": "ApifrontendAuthAccessDeniedPayload",
    "apifrontend.tool.executed": "ApifrontendToolExecutedPayload",
    "apifrontend.workflow.discovery": "ApifrontendWorkflowDiscoveryPayload",
    "apifrontend.auth.success": "ApifrontendAuthSuccessPayload",
    "apifrontend.auth.failure": "ApifrontendAuthFailurePayload",
    "apifrontend.ratelimit.denied": "ApifrontendRatelimitDeniedPayload",
    "apifrontend.circuitbreaker.trip": "ApifrontendCircuitbreakerTripPayload",
    "apifrontend.impersonation.created": "ApifrontendImpersonationCreatedPayload",
    "apifrontend.jwt.delegation": "ApifrontendJWTDelegationPayload",
    "apifrontend.session.phase_changed": "ApifrontendSessionPhaseChangedPayload",
    "apifrontend.session.deleted": "ApifrontendSessionDeletedPayload",
    "apifrontend.session.auto_cancelled": "ApifrontendSessionAutoCancelledPayload",
    "apifrontend.session.retention_deleted": "ApifrontendSessionRetentionDeletedPayload",
    "apifrontend.a2a.task_started": "ApifrontendA2ATaskStartedPayload",
    "apifrontend.a2a.task_completed": "ApifrontendA2ATaskCompletedPayload",
    "apifrontend.a2a.task_failed": "ApifrontendA2ATaskFailedPayload",
    "apifrontend.mcp.tool_failed": "ApifrontendMCPToolFailedPayload",
    "apifrontend.mcp.session_init": "ApifrontendMCPSessionInitPayload",
    "apifrontend.severity_triage.completed": "ApifrontendSeverityTriageCompletedPayload",
    "apifrontend.severity_triage.failed": "ApifrontendSeverityTriageFailedPayload",
    "apifrontend.config.reloaded": "ApifrontendConfigReloadedPayload",
    "apifrontend.config.rejected": "ApifrontendConfigRejectedPayload",
}
