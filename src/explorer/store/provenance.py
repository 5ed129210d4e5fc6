"""Where a cache's events came from, for an export's manifest: its file and its sources.

A source is the label events were stored under (a config source's name, a server URL, or
the file they were imported from); ``sync_state`` adds when a sync from it last completed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from explorer.store.connection import Cursor, store_errors

_SOURCES_SQL = """
WITH stored AS (
    SELECT source, count(*) AS events, max(fetched_at) AS last_fetched
    FROM events GROUP BY source
), synced AS (
    SELECT source, max(completed_at) AS last_sync FROM sync_state GROUP BY source
)
SELECT source, coalesce(events, 0), last_fetched, last_sync
FROM stored FULL OUTER JOIN synced USING (source)
ORDER BY source NULLS FIRST
"""


@dataclass(frozen=True)
class SourceRow:
    source: str | None
    events: int
    last_fetched: datetime | None
    last_sync: datetime | None


def source_rows(cur: Cursor) -> list[SourceRow]:
    """Every source the cache holds events from or has synced, with its event count."""
    with store_errors("cannot read the cache's sources"):
        tables = cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        ).fetchall()
        if {("events",), ("sync_state",)} - set(tables):
            return []  # not a cache (a query on a bare connection)
        rows = cur.execute(_SOURCES_SQL).fetchall()
    return [SourceRow(r[0], int(r[1]), r[2], r[3]) for r in rows]


def database_file(cur: Cursor) -> str | None:
    """The file the cursor's database lives in (None in memory)."""
    with store_errors("cannot read the cache's file name"):
        rows = cur.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        ).fetchall()  # fetchall: a result left open blocks the cursor's next query
    return str(rows[0][0]) if rows and rows[0][0] else None
