-- name: slowest-workflows
-- description: The slowest workflow executions (completed or failed), slowest first
-- param: since time default 30d
-- param: limit int default 20
SELECT *
FROM (
    SELECT
        event_timestamp AS finished,
        correlation_id,
        event_data ->> 'workflow_id' AS workflow_id,
        event_data ->> 'execution_name' AS execution,
        event_data ->> 'phase' AS phase,
        round(coalesce(
            epoch(
                TRY_CAST(event_data ->> 'completed_at' AS TIMESTAMPTZ)
                - TRY_CAST(event_data ->> 'started_at' AS TIMESTAMPTZ)
            ),
            duration_ms / 1000.0
        ), 3) AS duration_s,
        event_data ->> 'duration' AS reported_duration,
        event_data ->> 'failure_reason' AS failure_reason,
        event_id
    FROM events
    WHERE event_type IN ('workflowexecution.workflow.completed', 'workflowexecution.workflow.failed')
      AND event_timestamp >= $since
)
WHERE duration_s IS NOT NULL
ORDER BY duration_s DESC, event_id
LIMIT $limit
