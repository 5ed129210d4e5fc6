"""What every read of the cache shares: the cursor it takes and its errors as StoreError.

Core's use cases hold a :data:`Cursor` (one per worker thread) and pass it to the store's
reads; only the store knows it is DuckDB. A DuckDB error becomes a :class:`StoreError`
where it occurs, its message one line a person can act on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeAlias

import duckdb

from explorer.errors import StoreError
from explorer.text import clean

Cursor: TypeAlias = duckdb.DuckDBPyConnection  # a connection or a cursor of one


def first_line(exc: BaseException) -> str:
    """The first line of an error message (DuckDB's run to several), controls escaped."""
    line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return clean(line)  # error messages can quote data (a value DuckDB could not convert)


@contextmanager
def store_errors(what: str) -> Iterator[None]:
    """Turn a DuckDB error inside the block into ``StoreError("<what>: <first line>")``."""
    try:
        yield
    except duckdb.Error as exc:
        raise StoreError(f"{what}: {first_line(exc)}") from None
