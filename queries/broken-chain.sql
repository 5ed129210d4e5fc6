-- name: broken-chain
-- description: Hash-chain links that do not match (previous_event_hash vs the event before it, per correlation ID)
WITH chain AS (
    SELECT
        correlation_id,
        event_id,
        event_timestamp,
        event_type,
        previous_event_hash,
        row_number() OVER w AS position,
        lag(event_id) OVER w AS previous_event_id,
        lag(event_hash) OVER w AS hash_before
    FROM events
    WHERE correlation_id IS NOT NULL
    WINDOW w AS (PARTITION BY correlation_id ORDER BY event_timestamp, event_id)
)
SELECT
    correlation_id,
    position,
    event_timestamp,
    event_id,
    event_type,
    previous_event_hash,
    hash_before,
    previous_event_id
FROM chain
WHERE position > 1
  AND NOT (previous_event_hash IS NULL AND hash_before IS NULL)
  AND previous_event_hash IS DISTINCT FROM hash_before
ORDER BY event_timestamp DESC, event_id DESC
