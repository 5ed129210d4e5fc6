-- name: payload-mismatches
-- description: Events that do not fit the contract, by service, event type, status and issue kind
-- param: since time default 30d
SELECT
    service,
    event_type,
    decode_status AS status,
    issue ->> 'kind' AS issue_kind,
    count(DISTINCT event_id) AS events,
    count(*) AS issues,
    min(issue ->> 'path') AS example_path,
    max(event_timestamp) AS last_seen
FROM (
    SELECT
        event_id, event_timestamp, service, event_type, decode_status,
        unnest(CAST(coalesce(decode_issues, '[]') AS JSON[])) AS issue
    FROM events
    WHERE decode_status <> 'ok' AND event_timestamp >= $since
)
GROUP BY ALL
ORDER BY events DESC, service, event_type, status, issue_kind
