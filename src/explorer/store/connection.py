"""What every read of the cache shares: the cursor it takes and its errors as StoreError.

Core's use cases hold a :data:`Cursor` (one per worker thread) and pass it to the store's
reads; only the store knows it is DuckDB. A DuckDB error becomes a :class:`StoreError`
where it occurs, its message one line a person can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeAlias

import duckdb

from explorer.errors import StoreError

Cursor: TypeAlias = duckdb.DuckDBPyConnection  # a connection or a cursor of one

# Error messages can quote data (a value DuckDB could not convert): no raw controls.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def first_line(exc: BaseException) -> str:
    """The first line of an error message (DuckDB's run to several), controls escaped."""
    line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], line)


@contextmanager
def store_errors(what: str) -> Iterator[None]:
    """Turn a DuckDB error inside the block into ``StoreError("<what>: <first line>")``."""
    try:
        yield
    except duckdb.Error as exc:
        raise StoreError(f"{what}: {first_line(exc)}") from None
