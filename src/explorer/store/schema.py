"""The ``events`` table, defined once: its columns (the DDL, the Arrow schema of writes)
and the column lists and fixed SQL the reads derive from them.

The DDL in :mod:`explorer.store.cache` is built from ``COLUMNS``, and so is everything here.
"""

from __future__ import annotations

import pyarrow as pa

# The ``events`` table, in column order: the public contract of docs/ARCHITECTURE.md.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR PRIMARY KEY"),
    ("event_timestamp", "TIMESTAMPTZ NOT NULL"),
    ("event_date", "DATE"),
    ("event_type", "VARCHAR"),
    ("service", "VARCHAR"),
    ("event_category", "VARCHAR"),
    ("event_action", "VARCHAR"),
    ("event_outcome", "VARCHAR"),
    ("version", "VARCHAR"),
    ("actor_type", "VARCHAR"),
    ("actor_id", "VARCHAR"),
    ("actor_ip", "VARCHAR"),
    ("resource_type", "VARCHAR"),
    ("resource_id", "VARCHAR"),
    ("correlation_id", "VARCHAR"),
    ("parent_event_id", "VARCHAR"),
    ("parent_event_date", "TIMESTAMPTZ"),
    ("namespace", "VARCHAR"),
    ("cluster_id", "VARCHAR"),
    ("severity", "VARCHAR"),
    ("duration_ms", "INTEGER"),
    ("error_code", "VARCHAR"),
    ("error_message", "VARCHAR"),
    ("retention_days", "INTEGER"),
    ("is_sensitive", "BOOLEAN"),
    ("event_hash", "VARCHAR"),
    ("previous_event_hash", "VARCHAR"),
    ("hash_algorithm", "VARCHAR"),
    ("legal_hold", "BOOLEAN"),
    ("legal_hold_reason", "VARCHAR"),
    ("legal_hold_placed_by", "VARCHAR"),
    ("legal_hold_placed_at", "TIMESTAMPTZ"),
    ("extra", "JSON"),
    ("event_data", "JSON"),
    ("decode_status", "VARCHAR"),
    ("decode_issues", "JSON"),
    ("source", "VARCHAR"),
    ("fetched_at", "TIMESTAMPTZ"),
    ("decode_fits", "JSON"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)
BATCH_SIZE = 10_000  # rows per transaction: larger batches buy little and cost memory

INT32 = (-(2**31), 2**31 - 1)  # what an INTEGER column holds

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "TIMESTAMPTZ": pa.timestamp("us", tz="UTC"),
    "DATE": pa.date32(),
    "INTEGER": pa.int32(),
    "BOOLEAN": pa.bool_(),
    "JSON": pa.string(),
}
ARROW_SCHEMA = pa.schema([(name, _ARROW_TYPES[sql.split()[0]]) for name, sql in COLUMNS])

# Complete syncs: the newest event per source and filter key (see explorer.ingest.sync).
SYNC_STATE_SQL = (
    "CREATE TABLE IF NOT EXISTS sync_state (source VARCHAR, filter_key VARCHAR,"
    " watermark TIMESTAMPTZ, completed_at TIMESTAMPTZ, PRIMARY KEY (source, filter_key))"
)

# Versions of an event that arrived after the stored one with different content (see
# explorer.store.conflicts): kept, never applied. ``received`` is the event as it arrived,
# ``paths`` the envelope properties and payload paths (``event_data.x``) that differ.
CONFLICTS_SQL = (
    "CREATE TABLE IF NOT EXISTS event_conflicts (event_id VARCHAR NOT NULL,"
    " received JSON NOT NULL, source VARCHAR, seen_at TIMESTAMPTZ NOT NULL,"
    " paths VARCHAR[] NOT NULL)"
)

# The events that have a version kept in event_conflicts (fixed SQL, the filter conflict:).
CONFLICT_SQL = "event_id IN (SELECT event_id FROM event_conflicts)"

# The columns that hold the event as received; the others are the cache's own. Two
# versions of an event are compared on these (see explorer.store.conflicts).
_BOOKKEEPING = frozenset(
    {"service", "decode_status", "decode_issues", "source", "fetched_at", "decode_fits"}
)
# The server's current state of an event, not what its producer wrote: placing or releasing
# a legal hold changes these on the server, and is no conflict (the holds themselves come
# from the legal-hold list, explorer.store.evidence).
STATE_COLUMNS = frozenset(
    {"legal_hold", "legal_hold_reason", "legal_hold_placed_by", "legal_hold_placed_at"}
)
CONTENT_COLUMNS: tuple[str, ...] = tuple(
    n for n in COLUMN_NAMES if n not in _BOOKKEEPING and n not in STATE_COLUMNS
)

# The columns DuckDB returns as JSON text; reads hand them out parsed.
JSON_COLUMNS = frozenset(name for name, sql in COLUMNS if sql.split()[0] == "JSON")

# Exports: every column but fetched_at in table order, then source, decode_*, whether the
# event has a version kept in event_conflicts (``conflict``), event_data.
_EXPORT_HIDDEN = frozenset({"fetched_at"})
_EXPORT_LAST = ("source", "decode_", "event_data")


def _export_rank(name: str) -> int:
    return next((i for i, prefix in enumerate(_EXPORT_LAST, 1) if name.startswith(prefix)), 0)


_EXPORTED = sorted((name for name in COLUMN_NAMES if name not in _EXPORT_HIDDEN), key=_export_rank)
EXPORT_COLUMNS = ", ".join(
    [*_EXPORTED[:-1], f"({CONFLICT_SQL}) AS conflict", _EXPORTED[-1]]  # event_data last
)

# The contracts an event fits: the list decoding stored for a non-ok event, the cache's
# own contract (meta) for an ok one. Fixed SQL; values are parameters.
CACHE_CONTRACT_SQL = "(SELECT value FROM meta WHERE key = 'contract')"
FITS_OK_SQL = "coalesce(json_extract_string(decode_fits, '$.ok[*]'), [])"
FITS_SQL = (
    f"CASE WHEN decode_fits IS NULL THEN [{CACHE_CONTRACT_SQL}] "
    f"ELSE list_concat({FITS_OK_SQL}, "
    "coalesce(json_extract_string(decode_fits, '$.drift[*]'), [])) END"
)
