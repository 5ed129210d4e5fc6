"""The two lanes of a large import: lines DuckDB stores by itself, and the Python lane.

Most events in a large import decode ``ok`` and carry nothing unusual. For those,
building rows in Python (:func:`prepare_lines`, through :mod:`explorer.ingest.rows`)
costs several times what validating them does. :func:`bulk_text` recognises such an
event from its JSON text and returns the line to spool: a batch of those is written to
an NDJSON spool file, and DuckDB's own ``read_json`` reads the file into the ``events``
columns (:class:`~explorer.store.batches.SpooledBatch`), in C++ and on every core.
:func:`sort_lines` sorts a worker's chunk of lines into the two.

An event takes the bulk lane only if every column would come out exactly as the Python
lane writes it:

- ``decode`` would say ``ok`` with no issue: it validates strictly against a twin of the
  event's model that refuses undeclared properties at every level (so no drift), and the
  payload's discriminator equals the envelope's ``event_type``. The twin is a msgspec
  struct (:mod:`explorer.ingest.fastcheck`, ~5 us against pydantic-core's ~11), which
  may refuse more than pydantic but never less; pydantic still decides every status;
- no envelope property goes to ``extra``: nothing undeclared (``hash_algorithm``, which
  the server adds, has its column), every typed value fits its column by the Python
  lane's own rules (:func:`explorer.ingest.rows.misfits`), and every date and date-time
  is also spelled the way DuckDB reads alike (plain RFC 3339);
- no key is written twice in one object (``decode`` calls that ``invalid``; DuckDB
  would keep the first value, Python the last), and no integer beyond 64 bits (orjson
  would read it as a float). Checking costs one ``orjson.dumps`` for canonical text.

Anything else returns None and goes the Python way. In the spooled line ``event_data``
is a JSON string holding the payload as orjson writes it, which is what the Python lane
stores: DuckDB reads a string instead of parsing and rendering the payload again (its
rendering of numbers differs from orjson's: ``2.7e+20`` against ``270000000000000000000.0``).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property, partial
from typing import Any

import orjson
from msgspec import MsgspecError
from pydantic_core import SchemaValidator, ValidationError

from explorer.client.files import TOO_LONG, Record, parse_line
from explorer.ingest.batch import Prepared, prepare
from explorer.ingest.fastcheck import compiled_check, may_nest_deeply
from explorer.ingest.rows import fits_integer, parse_date, parse_timestamp
from explorer.jsontext import duplicate_keys, may_hold_big_integer
from explorer.models.registry import DEFAULT_CONTRACT, ENVELOPE_RENAMES, load_contract
from explorer.store.batches import MAX_OBJECT
from explorer.store.schema import COLUMNS

Line = tuple[int, bytes | None]  # (line number, text); None for a line too long to read

# What DuckDB reads as Python does (each reads more spellings, differently): plain RFC
# 3339 (upper-case T and Z, at most microseconds, a numeric offset or Z) and plain dates.
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d)")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")
# The envelope's typed columns whose values need more than pydantic's type check.
_OWN = frozenset({"fetched_at"})  # set by the cache, not read from the event
_STAMPS = tuple(n for n, sql in COLUMNS if sql.startswith("TIMESTAMPTZ") and n not in _OWN)
_DATES = tuple(n for n, sql in COLUMNS if sql == "DATE")
_INTEGERS = tuple(n for n, sql in COLUMNS if sql == "INTEGER")
_OLDER_NAMES = frozenset(ENVELOPE_RENAMES.values())
_MAX_TEXT = MAX_OBJECT // 2  # longer events take the Python lane


def bulk_text(
    line: bytes, contract: str = DEFAULT_CONTRACT, *, compiled: bool = True
) -> tuple[str, bytes] | None:
    """``(event_id, spool line)`` if DuckDB can store this line by itself, else None.

    ``compiled``: validate with the msgspec structs of :mod:`explorer.ingest.fastcheck`
    (falling back to the strict pydantic validator for a type they do not cover); False
    validates with the strict pydantic validator only (the reference the tests compare
    with).
    """
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
    if compiled and may_nest_deeply(line):
        compiled = False  # beyond the compiled check's knowledge: the strict validator
    known = type(event_type) is str and event_type in load_contract(contract).registry
    # (only mapped types reach the cached checks: a file cannot grow the cache)
    check = _check(event_type, contract, compiled) if known else None
    event_id = event.get("event_id")
    if check is None or type(event_id) is not str or not _fits_columns(event):
        return None
    if not _OLDER_NAMES.isdisjoint(event):
        return None  # an older contract's name for a column: the Python lane normalises it
    try:
        check(line)
        if duplicate_keys(line, event):
            return None
        # orjson refuses to write nesting beyond 255 levels (it reads 1024): not spooled
        event["event_data"] = orjson.dumps(data).decode()
        return event_id, orjson.dumps(event)
    except (orjson.JSONEncodeError, ValidationError, MsgspecError, ValueError, RecursionError):
        return None


@cache
def _check(event_type: str, contract: str, compiled: bool) -> Callable[[bytes], object] | None:
    """What raises unless a line of ``event_type`` validates strictly; None if unmapped."""
    fast = compiled_check(event_type, contract) if compiled else None
    if fast is not None:
        return fast
    validator = strict_validator(event_type, contract)
    return None if validator is None else partial(validator.validate_json, strict=True)


def _fits_columns(event: dict[str, Any]) -> bool:
    """Every typed value fits its column (the Python lane's rules), spelled plainly."""
    for name in _STAMPS:
        value = event.get(name)
        if value is not None and not (_plain_stamp(value) and parse_timestamp(value) is not None):
            return False
    for name in _DATES:
        value = event.get(name)
        if value is not None and not (_plain_date(value) and parse_date(value) is not None):
            return False
    for name in _INTEGERS:
        value = event.get(name)
        if value is not None and not fits_integer(value):
            return False
    return True


def _plain_stamp(value: Any) -> bool:
    # Not year 1 or 9999 either: with an offset, in UTC, it can leave Python's range
    # (Python rejects the event; DuckDB would store it).
    return type(value) is str and bool(_STAMP.fullmatch(value)) and "0001" < value[:4] < "9999"


def _plain_date(value: Any) -> bool:
    return type(value) is str and bool(_DATE.fullmatch(value))


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


# -- sorting a chunk into the lanes ------------------------------------------------------------


@dataclass
class Sorted:
    """A chunk of lines after a worker sorted it: the events DuckDB can store by itself,
    spooled to an NDJSON file (``ids`` in order), and the rest prepared as rows."""

    spool: str | None
    ids: list[str]
    prepared: Prepared

    @cached_property
    def all_ids(self) -> list[str]:
        """Every event_id the chunk stores, spooled and prepared (read once, in the
        main process)."""
        return self.ids + row_ids(self.prepared)


def row_ids(prepared: Prepared) -> list[str]:
    ids: list[str] = prepared.rows.to_arrow().column("event_id").to_pylist()
    return ids


def sort_lines(
    lines: list[Line],
    source: str,
    fetched_at: datetime,
    prefix: str,
    spool: str,
    contract: str = DEFAULT_CONTRACT,
) -> Sorted:
    """In a worker: spool the lines :func:`bulk_text` takes, prepare the others (decoded
    against ``contract``)."""
    ids: list[str] = []
    texts: list[bytes] = []
    rest: list[Line] = []
    for number, raw in lines:
        found = bulk_text(raw, contract) if raw is not None else None
        if found is None:
            rest.append((number, raw))
        else:
            ids.append(found[0])
            texts.append(found[1])
    prepared = prepare_lines(rest, source, fetched_at, prefix, contract)
    if not texts:
        return Sorted(None, [], prepared)
    taken = set(ids)
    if len(taken) < len(ids) or not taken.isdisjoint(row_ids(prepared)):
        # An event_id repeats within the chunk: all of it the Python way, in input order.
        return Sorted(None, [], prepare_lines(lines, source, fetched_at, prefix, contract))
    try:
        with open(spool, "wb") as out:
            out.write(b"\n".join(texts) + b"\n")
    except OSError:  # no room to spool (a full temporary disk): the Python lane
        with contextlib.suppress(OSError):
            os.remove(spool)
        return Sorted(None, [], prepare_lines(lines, source, fetched_at, prefix, contract))
    prepared.add_stored_ok(len(texts))
    return Sorted(spool, ids, prepared)


def prepare_lines(
    lines: list[Line],
    source: str,
    fetched_at: datetime,
    prefix: str,
    contract: str = DEFAULT_CONTRACT,
) -> Prepared:
    """The Python lane, in a worker: parse, decode and convert a chunk of NDJSON lines,
    rows as Arrow."""
    records: list[Record] = []
    texts: list[bytes | None] = []
    for number, raw in lines:
        text = TOO_LONG if raw is None else raw
        if text is not TOO_LONG and not text.strip():
            continue  # blank lines are not records
        record = parse_line(number, text)
        records.append(record)
        texts.append(exact_text(record, text))
    prepared = prepare(
        records, source=source, fetched_at=fetched_at, prefix=prefix, texts=texts, contract=contract
    )
    prepared.rows.freeze()
    return prepared


def exact_text(record: Record, text: bytes) -> bytes | None:
    """The line, when validating it is the same as validating the parsed value: orjson
    parsed it (no integer beyond 64 bits) into an object."""
    if record.error is not None or not isinstance(record.value, dict):
        return None
    stripped = text.strip()
    if stripped[:1] != b"{":  # a byte-order mark: orjson skips it, pydantic refuses it
        return None
    return None if may_hold_big_integer(stripped) else stripped
