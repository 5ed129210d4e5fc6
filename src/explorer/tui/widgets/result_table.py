"""A bounded query result (an Arrow table) in textual-fastdatatable, as plain text."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from textual_fastdatatable import ArrowBackend, DataTable

from explorer.text import CONTROL_RE2


def safe_table(table: pa.Table) -> pa.Table:
    """Every string column with control characters replaced by ``�``; other types kept."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.replace_substring_regex(column, CONTROL_RE2, "�")
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


class ResultTable(DataTable):
    """Rows of a named query; cell text is never markup."""

    def __init__(self, table: pa.Table, *, id: str | None = None) -> None:
        backend = ArrowBackend(safe_table(table))
        super().__init__(backend=backend, id=id, cursor_type="row", render_markup=False)
