"""Cache files for the TUI, browse and stats tests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from explorer.client.files import Record
from explorer.demo.generator import DEMO_END, generate
from explorer.ingest.importer import import_records
from explorer.store.cache import Cache
from explorer.store.schema import COLUMNS, CONFLICTS_SQL
from tests import factories

# The real schema of ``events`` (from the column list every cache is made from) and the
# cache's meta table; used by the synthetic large caches that would be slow to import.
EVENTS_DDL = (
    "CREATE TABLE IF NOT EXISTS events ("
    + ", ".join(f"{name} {sql}" for name, sql in COLUMNS)
    + ");\n"
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);\n"
    "INSERT OR REPLACE INTO meta VALUES ('contract', 'main');\n" + CONFLICTS_SQL
)

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
    """A real cache file (schema from ``Cache``) filled with ``synthetic`` rows."""
    with Cache.open(path, notify=lambda _m: None) as cache:
        synthetic(cache.connection, count)
    return path


# -- real caches, through the import path -----------------------------------------------------

FIXED_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HOSTILE_ID = "00000000-0000-4000-8000-00000000bad1"
HOSTILE_MARKUP = "[reverse]x[/reverse][link=http://evil]y[/link]"
HOSTILE_ESCAPE = "\x1b]0;pwned\x07\x1b[31mred\x1b[0m\u202egnp.exe"


def hostile_event() -> dict[str, Any]:
    """A valid event whose strings carry markup, ANSI/OSC escapes and a bidi override."""
    event = factories.event("gateway.signal.received")
    event.update(
        event_id=HOSTILE_ID,
        event_timestamp="2026-11-20T11:59:59Z",
        correlation_id="rr-hostile-" + HOSTILE_MARKUP,
        error_message=HOSTILE_ESCAPE,
        event_outcome="failure",
    )
    event["event_data"]["surprise"] = HOSTILE_MARKUP + HOSTILE_ESCAPE
    return event


def demo_cache(path: Path, count: int = 400, *, hostile: bool = True) -> Path:
    """Seeded demo events with a fixed end (and one hostile event), imported like a user's."""
    events = [item.event for item in generate(count, 7, end=DEMO_END)]
    if hostile:
        events.append(hostile_event())
    records = (Record(f"item {i}", None, e) for i, e in enumerate(events))
    with Cache.open(path, notify=lambda _m: None) as cache:
        import_records(cache, records, source="demo")
        cache.connection.execute("UPDATE events SET fetched_at = ?", [FIXED_NOW])
    return path
