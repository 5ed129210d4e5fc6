"""The ``events`` table as the reads see it: column lists and fixed SQL derived from it.

The table is defined once, by ``COLUMNS`` in :mod:`explorer.store.rows` (the DDL in
:mod:`explorer.store.cache` is built from it); what is here follows it.
"""

from __future__ import annotations

from explorer.store.rows import COLUMN_NAMES, COLUMNS

# The columns DuckDB returns as JSON text; reads hand them out parsed.
JSON_COLUMNS = frozenset(name for name, sql in COLUMNS if sql.split()[0] == "JSON")

# Exports: every column but fetched_at in table order, then source, decode_*, event_data.
_EXPORT_HIDDEN = frozenset({"fetched_at"})
_EXPORT_LAST = ("source", "decode_", "event_data")


def _export_rank(name: str) -> int:
    return next((i for i, prefix in enumerate(_EXPORT_LAST, 1) if name.startswith(prefix)), 0)


EXPORT_COLUMNS = ", ".join(
    sorted((name for name in COLUMN_NAMES if name not in _EXPORT_HIDDEN), key=_export_rank)
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
