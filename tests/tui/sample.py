"""Cache files for the TUI, browse and stats tests."""

from __future__ import annotations

from pathlib import Path

import duckdb

# The documented schema of ``events`` (docs/ARCHITECTURE.md); used until a test needs the
# real importer, and by the synthetic large caches that would be slow to import.
EVENTS_DDL = """
CREATE TABLE IF NOT EXISTS events (
    event_id VARCHAR PRIMARY KEY, event_timestamp TIMESTAMPTZ NOT NULL, event_date DATE,
    event_type VARCHAR, service VARCHAR, event_category VARCHAR, event_action VARCHAR,
    event_outcome VARCHAR, version VARCHAR, actor_type VARCHAR, actor_id VARCHAR,
    actor_ip VARCHAR, resource_type VARCHAR, resource_id VARCHAR, correlation_id VARCHAR,
    parent_event_id VARCHAR, parent_event_date TIMESTAMPTZ, namespace VARCHAR,
    cluster_id VARCHAR, severity VARCHAR, duration_ms INTEGER, error_code VARCHAR,
    error_message VARCHAR, retention_days INTEGER, is_sensitive BOOLEAN, event_hash VARCHAR,
    previous_event_hash VARCHAR, hash_algorithm VARCHAR, legal_hold BOOLEAN,
    legal_hold_reason VARCHAR, legal_hold_placed_by VARCHAR, legal_hold_placed_at TIMESTAMPTZ,
    extra JSON, event_data JSON, decode_status VARCHAR, decode_issues JSON, source VARCHAR,
    fetched_at TIMESTAMPTZ
)
"""

SERVICES = ("gateway", "orchestrator", "aianalysis", "workflowexecution")
STATUSES = ("ok", "ok", "ok", "drift", "invalid", "ok", "discriminator_mismatch", "ok")


def synthetic(conn: duckdb.DuckDBPyConnection, count: int) -> None:
    """``count`` events, one second apart, with a few timestamps shared (ties on the key)."""
    conn.execute(EVENTS_DDL)
    conn.execute(
        """
        INSERT INTO events (event_id, event_timestamp, event_date, event_type, service,
            event_outcome, correlation_id, event_data, decode_status, decode_issues)
        SELECT printf('ev-%08d', i),
               TIMESTAMPTZ '2026-11-20 10:00:00+00' - to_seconds(i // 3),
               DATE '2026-11-20',
               list_extract(?, 1 + i % 4) || '.thing.done',
               list_extract(?, 1 + i % 4),
               CASE WHEN i % 5 = 0 THEN 'failure' ELSE 'success' END,
               printf('rr-%05d', i // 10),
               json_object('event_type', 'x', 'n', i),
               list_extract(?, 1 + i % 8),
               CASE WHEN list_extract(?, 1 + i % 8) = 'ok' THEN '[]'::JSON
                    ELSE json_array(json_object('kind', 'type', 'path', 'event_data.n',
                                                'message', 'expected string, got integer'))
               END
        FROM range(?) t(i)
        """,
        [list(SERVICES), list(SERVICES), list(STATUSES), list(STATUSES), count],
    )


def synthetic_file(path: Path, count: int) -> Path:
    with duckdb.connect(str(path)) as conn:
        synthetic(conn, count)
    return path
