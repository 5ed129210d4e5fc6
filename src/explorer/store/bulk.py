"""The bulk lane: events DuckDB can turn into rows by itself.

Most events in a large import decode ``ok`` and carry nothing unusual. For those,
building rows in Python (the :mod:`explorer.store.rows` path) costs several times what
validating them does. :func:`bulk_text` recognises such an event from its JSON text and
returns the line to spool: a batch of those is written to an NDJSON spool file, and
DuckDB's own ``read_json`` reads the file into the ``events`` columns
(:class:`SpooledBatch`), in C++ and on every core.

An event takes this lane only if every column would come out exactly as the Python
path writes it:

- ``decode`` would say ``ok`` with no issue: it validates strictly against a twin of the
  event's model that refuses undeclared properties at every level (so no drift), and the
  payload's discriminator equals the envelope's ``event_type``;
- no envelope property goes to ``extra``: nothing undeclared (``hash_algorithm``, which
  the server adds, has its column), every date-time in plain RFC 3339 (which DuckDB and
  Python read alike), every INTEGER within 32 bits;
- no key is written twice in one object (``decode`` calls that ``invalid``; DuckDB
  would keep the first value, Python the last), and no integer beyond 64 bits (orjson
  would read it as a float). Checking costs one ``orjson.dumps`` for canonical text.

Anything else returns None and goes the Python way. In the spooled line ``event_data``
is a JSON string holding the payload as orjson writes it, which is what the Python lane
stores: DuckDB reads a string instead of parsing and rendering the payload again (its
rendering of numbers differs from orjson's: ``2.7e+20`` against ``270000000000000000000.0``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import orjson
from pydantic_core import SchemaValidator, ValidationError

from explorer.jsontext import duplicate_keys, may_hold_big_integer
from explorer.models.registry import DEFAULT_CONTRACT, ENVELOPE_RENAMES, load_contract
from explorer.store.rows import COLUMNS, INT32

if TYPE_CHECKING:  # workers import this module: they need no DuckDB
    import duckdb

# Plain RFC 3339: upper-case T and Z, at most microseconds, a numeric offset or Z.
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
# The envelope's typed columns whose values need more than pydantic's type check.
_OWN = frozenset({"fetched_at"})  # set by the cache, not read from the event
_STAMPS = tuple(n for n, sql in COLUMNS if sql.startswith("TIMESTAMPTZ") and n not in _OWN)
_DATES = tuple(n for n, sql in COLUMNS if sql == "DATE")
_INTEGERS = tuple(n for n, sql in COLUMNS if sql == "INTEGER")
_OLDER_NAMES = frozenset(ENVELOPE_RENAMES.values())
_MAX_OBJECT = 16 * 2**20  # read_json's object limit (its default; its buffers grow with it)
_MAX_TEXT = _MAX_OBJECT // 2  # longer events take the Python lane


def bulk_text(line: bytes, contract: str = DEFAULT_CONTRACT) -> tuple[str, bytes] | None:
    """``(event_id, spool line)`` if DuckDB can store this line by itself, else None."""
    if len(line) > _MAX_TEXT or may_hold_big_integer(line):
        return None
    try:
        event = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if type(event) is not dict:
        return None
    event_type = event.get("event_type")
    data = event.get("event_data")
    if type(data) is not dict or data.get("event_type") != event_type:
        return None
    validator = strict_validator(event_type, contract) if type(event_type) is str else None
    event_id = event.get("event_id")
    if validator is None or type(event_id) is not str or not _fits_columns(event):
        return None
    if not _OLDER_NAMES.isdisjoint(event):
        return None  # an older contract's name for a column: the Python lane normalises it
    try:
        validator.validate_json(line, strict=True)
        if duplicate_keys(line, event):
            return None
        # orjson refuses to write nesting beyond 255 levels (it reads 1024): not spooled
        event["event_data"] = orjson.dumps(data).decode()
        return event_id, orjson.dumps(event)
    except (orjson.JSONEncodeError, ValidationError, ValueError, RecursionError):
        return None


def _fits_columns(event: dict[str, Any]) -> bool:
    for name in _STAMPS:
        value = event.get(name)
        if (
            value is not None
            and (
                type(value) is not str
                or not _STAMP.fullmatch(value)
                # In UTC, year 1 or 9999 with an offset can leave Python's range (Python
                # rejects the event; DuckDB would store it).
                or not "0001" < value[:4] < "9999"
            )
        ):
            return False
    for name in _DATES:
        value = event.get(name)
        if value is not None and (type(value) is not str or not _DATE.fullmatch(value)):
            return False
    low, high = INT32
    for name in _INTEGERS:
        value = event.get(name)
        if value is not None and (type(value) is not int or not low <= value <= high):
            return False
    return True


@cache
def strict_validator(event_type: str, contract: str = DEFAULT_CONTRACT) -> SchemaValidator | None:
    """The event model of ``event_type``, refusing undeclared properties at every level
    but the envelope's ``hash_algorithm``; None for a type the contract does not map."""
    models = load_contract(contract)
    if event_type not in models.registry:
        return None
    schema = _forbidding(models.event_model(event_type).__pydantic_core_schema__, {})
    nullable_text = {"type": "nullable", "schema": {"type": "str"}}
    envelope = schema["schema"] if schema["type"] == "definitions" else schema
    envelope["schema"]["fields"]["hash_algorithm"] = {
        "type": "model-field",
        "schema": {"type": "default", "schema": nullable_text, "default": None},
    }
    return SchemaValidator(schema)


def _forbidding(node: Any, stand_ins: dict[type, type]) -> Any:
    """A copy of a core schema whose models refuse extra properties.

    Each model class is replaced by a bare stand-in: pydantic-core would otherwise reuse
    the class's own (permissive) validator. Nothing reads the validated objects.
    """
    if isinstance(node, list):
        return [_forbidding(item, stand_ins) for item in node]
    if not isinstance(node, dict):
        return node
    copy = {key: _forbidding(value, stand_ins) for key, value in node.items()}
    if copy.get("type") == "model-fields":
        copy["extra_behavior"] = "forbid"
    elif copy.get("type") == "model":
        cls = node["cls"]
        copy["cls"] = stand_ins.setdefault(cls, type(cls.__name__, (), {}))
        copy["config"] = {**copy.get("config", {}), "extra_fields_behavior": "forbid"}
    return copy


# -- reading spooled lines -------------------------------------------------------------------

_DERIVED = frozenset(
    {"service", "extra", "decode_status", "decode_issues", "source", "fetched_at", "decode_fits"}
)
_READ_COLUMNS = {name: sql.split()[0] for name, sql in COLUMNS if name not in _DERIVED}
_READ_COLUMNS["event_data"] = "VARCHAR"  # a string holding the payload's JSON text


@dataclass(frozen=True)
class SpooledBatch:
    """Spooled event lines (see :func:`bulk_text`) in NDJSON files, read into rows by DuckDB.

    Shaped like a :class:`~explorer.store.rows.RowBatch` for ``Cache.write_many``:
    every event_id at most once, nothing rejected.
    """

    paths: Sequence[str]
    count: int
    source: str
    fetched_at: datetime
    duplicates: int = 0
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
            maximum_object_size=_MAX_OBJECT,
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
