-- name: incident-durations
-- description: How long each incident (correlation ID) lasted, longest first
-- param: since time default 30d
-- param: limit int default 100
SELECT
    correlation_id,
    min(event_timestamp) AS started,
    max(event_timestamp) AS ended,
    round(epoch(max(event_timestamp) - min(event_timestamp)), 3) AS duration_s,
    count(*) AS events,
    count(*) FILTER (WHERE event_outcome = 'failure') AS failures,
    string_agg(DISTINCT service, ', ' ORDER BY service) AS services,
    arg_max(event_type, event_timestamp) AS last_event_type
FROM events
WHERE correlation_id IS NOT NULL
GROUP BY correlation_id
HAVING min(event_timestamp) >= $since
ORDER BY duration_s DESC, correlation_id
LIMIT $limit
