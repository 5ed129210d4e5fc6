"""What the cache writes: batches of rows for the ``events`` table.

A :class:`RowBatch` holds rows converted in Python (see :mod:`explorer.ingest.rows`), as
column lists or an Arrow table. A :class:`SpooledBatch` holds event lines spooled to
NDJSON files by the bulk lane (see :mod:`explorer.ingest.lanes`), which DuckDB's own
``read_json`` turns into rows, in C++ and on every core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from explorer.store.encode import replace_surrogates
from explorer.store.schema import ARROW_SCHEMA, COLUMN_NAMES, COLUMNS

if TYPE_CHECKING:  # workers import this module: they need no DuckDB
    import duckdb

MAX_OBJECT = 16 * 2**20  # read_json's object limit (its default; its buffers grow with it)


@dataclass
class RowBatch:
    """Column lists for the ``events`` table, in input order (an event_id may repeat:
    the cache keeps the first version).

    ``rejected`` holds ``(index, reason)`` for the inputs that could not be stored;
    ``statuses`` the decode status of every stored input, in input order.
    """

    columns: dict[str, list[Any]] = field(default_factory=lambda: {n: [] for n in COLUMN_NAMES})
    rejected: list[tuple[int, str]] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    table: pa.Table | None = None

    def __len__(self) -> int:
        if self.table is not None:
            return int(self.table.num_rows)
        return len(self.columns["event_id"])

    def freeze(self) -> RowBatch:
        """Convert to Arrow now (in a worker process): an Arrow table pickles as buffers,
        far cheaper to send back than lists of Python objects."""
        self.table = self.to_arrow()
        self.columns = {}
        return self

    @classmethod
    def merged(cls, batches: Sequence[RowBatch]) -> RowBatch:
        """One batch of the rows of ``batches``, in order."""
        tables = [batch.to_arrow() for batch in batches if len(batch)]
        table = pa.concat_tables(tables) if tables else ARROW_SCHEMA.empty_table()
        return cls(columns={}, table=table)

    def to_arrow(self) -> pa.Table:
        if self.table is not None:
            return self.table
        try:
            return pa.Table.from_pydict(self.columns, schema=ARROW_SCHEMA)
        except (UnicodeEncodeError, pa.ArrowException):
            return pa.Table.from_pydict(_valid_utf8(self.columns), schema=ARROW_SCHEMA)


def _valid_utf8(columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Lone surrogates (valid in JSON escapes, not in UTF-8) become U+FFFD."""

    def fix(value: Any) -> Any:
        return replace_surrogates(value) if isinstance(value, str) else value

    return {name: [fix(v) for v in values] for name, values in columns.items()}


# -- reading spooled lines -------------------------------------------------------------------

_DERIVED = frozenset(
    {"service", "extra", "decode_status", "decode_issues", "source", "fetched_at", "decode_fits"}
)
_READ_COLUMNS = {name: sql.split()[0] for name, sql in COLUMNS if name not in _DERIVED}
_READ_COLUMNS["event_data"] = "VARCHAR"  # a string holding the payload's JSON text


@dataclass(frozen=True)
class SpooledBatch:
    """Spooled event lines (see :func:`explorer.ingest.lanes.bulk_text`) in NDJSON files,
    read into rows by DuckDB.

    Shaped like a :class:`RowBatch` for ``Cache.write_many``: every event_id at most
    once, nothing rejected.
    """

    paths: Sequence[str]
    count: int
    source: str
    fetched_at: datetime
    rejected: tuple[tuple[int, str], ...] = ()

    def __len__(self) -> int:
        return self.count

    def relation(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
        """The rows, in the ``events`` column order (the values are expressions' constants,
        never SQL text)."""
        import duckdb

        lines = con.read_json(
            list(self.paths),
            format="newline_delimited",
            columns=_READ_COLUMNS,
            maximum_object_size=MAX_OBJECT,
        )
        derived = {
            "service": duckdb.SQLExpression("split_part(event_type, '.', 1)"),
            "extra": duckdb.SQLExpression("NULL::JSON"),
            "decode_status": duckdb.ConstantExpression("ok"),
            "decode_issues": duckdb.SQLExpression("'[]'::JSON"),
            "source": duckdb.ConstantExpression(self.source),
            "fetched_at": duckdb.ConstantExpression(self.fetched_at),
            "decode_fits": duckdb.SQLExpression("NULL::JSON"),
        }
        columns = [
            derived[name].alias(name) if name in derived else duckdb.ColumnExpression(name)
            for name, _ in COLUMNS
        ]
        return lines.select(*columns)


Batch = RowBatch | SpooledBatch
