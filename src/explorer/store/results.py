"""Any SELECT's result as Arrow: streamed in batches (exports) or whole (the TUI's table).

Used by exports and named queries; the SQL comes from code or from the person (a saved
query), and values are always bound as parameters, positional or named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from explorer.store.connection import Cursor, store_errors

BATCH_ROWS = 10_000


@dataclass(frozen=True)
class Rows:
    """A result being streamed: Arrow batches plus the names of its JSON columns."""

    reader: pa.RecordBatchReader
    json_columns: frozenset[str]

    @classmethod
    def from_table(cls, table: pa.Table, json_columns: frozenset[str] = frozenset()) -> Rows:
        return cls(
            pa.RecordBatchReader.from_batches(table.schema, table.to_batches()), json_columns
        )


def stream_rows(cur: Cursor, sql: str, params: Any = None, *, what: str) -> Rows | None:
    """Run ``sql`` with ``params`` (a list or a dict of named values) and stream the result;
    None when the statement returns no rows (DDL, SET). A DuckDB error is
    ``StoreError("<what>: <its first line>")``."""
    with store_errors(what):
        relation = cur.sql(sql, params=params)
        if relation is None:
            return None
        return Rows(relation.to_arrow_reader(BATCH_ROWS), _json_columns(relation))


def result_table(cur: Cursor, sql: str, params: Any = None, *, what: str) -> pa.Table | None:
    """The whole result of ``sql`` (JSON columns as text); None as for :func:`stream_rows`."""
    with store_errors(what):
        relation = cur.sql(sql, params=params)
        return None if relation is None else relation.to_arrow_table()


def _json_columns(relation: duckdb.DuckDBPyRelation) -> frozenset[str]:
    kinds = zip(relation.columns, relation.types, strict=True)
    return frozenset(name for name, kind in kinds if str(kind) == "JSON")
