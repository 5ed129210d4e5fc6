"""One typed SQL view per payload schema, generated from the pydantic models.

``payload_gateway_audit`` has event_id, event_timestamp, correlation_id, event_type and
decode_status, then one column per property ``GatewayAuditPayload`` declares, read from
``event_data``. A value of the wrong JSON type (a string where the schema wants an
integer) reads as NULL rather than failing the query or being coerced. A payload property
whose name is one of the five leading columns (``event_type``, the discriminator, and
``event_id`` or ``correlation_id`` in a few payloads) is called ``data_<name>``.

The SQL text is built from the models and the registry only, never from event data.
"""

from __future__ import annotations

import hashlib
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, NaiveDatetime

from explorer.models.registry import DEFAULT_CONTRACT, load_contract, view_name

LEADING = ("event_id", "event_timestamp", "correlation_id", "event_type", "decode_status")


@dataclass(frozen=True, slots=True)
class ViewColumn:
    name: str  # the view's column
    key: str  # the property in event_data
    sql_type: str


@dataclass(frozen=True, slots=True)
class View:
    name: str
    schema: str
    event_types: tuple[str, ...]
    columns: tuple[ViewColumn, ...]

    def sql(self) -> str:
        return view_sql(self)


def sql_type(annotation: Any) -> str:
    """The SQL type of a model annotation; anything structured is JSON."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return sql_type(args[0]) if len(args) == 1 else "JSON"
    if origin is Literal:
        return _literal_type(args)
    if origin is typing.Annotated:
        return sql_type(args[0])
    if annotation in _MARKERS:
        return _MARKERS[annotation]
    if isinstance(annotation, type):
        for py_type, sql in _SCALARS:
            if issubclass(annotation, py_type):
                return sql
    return "JSON"


# bool before int: bool is an int subclass. AwareDatetime is a datetime subclass.
_SCALARS: tuple[tuple[type, str], ...] = (
    (bool, "BOOLEAN"),
    (int, "BIGINT"),
    (float, "DOUBLE"),
    (str, "VARCHAR"),
    (UUID, "VARCHAR"),
    (datetime, "TIMESTAMPTZ"),
    (date, "DATE"),
)


# pydantic's marker types, which are not subclasses of what they validate.
_MARKERS: dict[Any, str] = {AwareDatetime: "TIMESTAMPTZ", NaiveDatetime: "TIMESTAMP"}


def _literal_type(values: list[Any]) -> str:
    kinds = {sql_type(type(v)) for v in values}
    return kinds.pop() if len(kinds) == 1 else "JSON"


def _columns(model: type[BaseModel]) -> tuple[ViewColumn, ...]:
    columns = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        column = f"data_{key}" if key in LEADING else key
        columns.append(ViewColumn(column, key, sql_type(info.annotation)))
    return tuple(columns)


@cache
def payload_views(contract: str = DEFAULT_CONTRACT) -> tuple[View, ...]:
    """Every payload view of ``contract``, in schema-name order."""
    models = load_contract(contract)
    views = []
    for schema, model in sorted(models.payload_schemas.items()):
        types_ = tuple(sorted(t for t, i in models.registry.items() if i.schema == schema))
        views.append(View(view_name(schema), schema, types_, _columns(model)))
    return tuple(views)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Which JSON types (duckdb's json_type) a column accepts.
_ACCEPTS = {
    "VARCHAR": ("VARCHAR",),
    "BIGINT": ("BIGINT", "UBIGINT"),
    "DOUBLE": ("BIGINT", "UBIGINT", "DOUBLE"),
    "BOOLEAN": ("BOOLEAN",),
    "TIMESTAMPTZ": ("VARCHAR",),
    "TIMESTAMP": ("VARCHAR",),
    "DATE": ("VARCHAR",),
}


def _extract(column: ViewColumn, index: int) -> str:
    value = f"_v[{index}]"
    if column.sql_type == "JSON":
        return value
    accepted = ", ".join(_literal(t) for t in _ACCEPTS[column.sql_type])
    text = f"{value} ->> '$'"
    if column.sql_type != "VARCHAR":
        text = f"TRY_CAST({text} AS {column.sql_type})"
    return f"CASE WHEN json_type({value}) IN ({accepted}) THEN {text} END"


def view_sql(view: View) -> str:
    """The view reads every property with one parse of ``event_data`` per row (a list of
    paths), which makes ``SELECT *`` several times faster than one parse per column."""
    items = [_quote(name) for name in LEADING]
    items += [f"{_extract(c, i)} AS {_quote(c.name)}" for i, c in enumerate(view.columns, 1)]
    paths = ", ".join(_literal("$." + _quote(c.key)) for c in view.columns)
    types_ = ", ".join(_literal(t) for t in view.event_types)
    return "\n".join(
        [
            f"CREATE OR REPLACE VIEW {_quote(view.name)} AS SELECT",
            ",\n".join(f"  {item}" for item in items),
            f"FROM (SELECT *, json_extract(event_data, [{paths}]) AS _v FROM events",  # noqa: S608
            f"      WHERE event_type IN ({types_}))",
        ]
    )


@cache
def views_digest(contract: str = DEFAULT_CONTRACT) -> str:
    """Changes whenever any view's definition does (a new contract, a new mapping)."""
    text = "\n;\n".join(view.sql() for view in payload_views(contract))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
