-- name: failed-remediations
-- description: Remediations that failed in a time window, with the phase and reason
-- param: since time default 7d
-- param: until time default now
SELECT
    event_timestamp,
    correlation_id,
    namespace,
    event_data ->> 'rr_name' AS remediation,
    event_data ->> 'failure_phase' AS failure_phase,
    event_data ->> 'failure_reason' AS failure_reason,
    coalesce(error_message, event_data -> 'error_details' ->> 'message') AS message,
    duration_ms,
    event_id
FROM events
WHERE event_type = 'orchestrator.lifecycle.failed'
  AND event_timestamp >= $since
  AND event_timestamp < $until
ORDER BY event_timestamp DESC, event_id DESC
