-- name: approval-decisions
-- description: Approval decisions (approved, rejected, automatic) and who made them
-- param: since time default 30d
SELECT
    event_timestamp,
    correlation_id,
    event_type,
    coalesce(
        event_data ->> 'decision',
        CASE event_type
            WHEN 'orchestrator.approval.approved' THEN 'Approved'
            WHEN 'orchestrator.approval.rejected' THEN 'Rejected'
        END
    ) AS decision,
    coalesce(
        event_data ->> 'approved_by',
        event_data ->> 'rejected_by',
        event_data ->> 'delegated_user',
        CASE WHEN TRY_CAST(event_data ->> 'auto_approved' AS BOOLEAN) THEN 'policy (auto-approved)' END,
        actor_id
    ) AS decided_by,
    coalesce(
        event_data ->> 'decision_message',
        event_data ->> 'rejection_reason',
        event_data ->> 'reason',
        event_data ->> 'approval_reason'
    ) AS reason,
    namespace,
    event_id
FROM events
WHERE event_type IN (
        'orchestrator.approval.approved',
        'orchestrator.approval.rejected',
        'webhook.remediationapprovalrequest.decided',
        'aianalysis.approval.decision'
    )
  AND event_timestamp >= $since
ORDER BY event_timestamp DESC, event_id DESC
