-- name: events-per-hour
-- description: Events per service per hour, with failures and decode problems
-- param: since time default 24h
-- param: until time default now
SELECT
    date_trunc('hour', event_timestamp) AS hour,
    service,
    count(*) AS events,
    count(*) FILTER (WHERE event_outcome = 'failure') AS failures,
    count(*) FILTER (WHERE decode_status <> 'ok') AS decode_problems
FROM events
WHERE event_timestamp >= $since AND event_timestamp < $until
GROUP BY ALL
ORDER BY hour DESC, service
