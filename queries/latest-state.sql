-- name: latest-state
-- description: The latest state of every correlation ID: its last event, outcome and counts
-- param: since time default 30d
SELECT
    correlation_id,
    event_timestamp AS last_seen,
    service AS last_service,
    event_type AS last_event_type,
    event_outcome AS last_outcome,
    decode_status AS last_decode_status,
    events,
    failures,
    first_seen
FROM (
    SELECT
        correlation_id, event_timestamp, service, event_type, event_outcome, decode_status,
        count(*) OVER c AS events,
        count(CASE WHEN event_outcome = 'failure' THEN 1 END) OVER c AS failures,
        min(event_timestamp) OVER c AS first_seen,
        row_number() OVER (
            PARTITION BY correlation_id ORDER BY event_timestamp DESC, event_id DESC
        ) AS newest
    FROM events
    WHERE correlation_id IS NOT NULL
    WINDOW c AS (PARTITION BY correlation_id)
)
WHERE newest = 1 AND event_timestamp >= $since
ORDER BY last_seen DESC, correlation_id
