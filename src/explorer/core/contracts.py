"""What changed between two contract versions, read from their generated models.

The tool ships no copy of the OpenAPI contract, so the diff compares the pydantic models
generated from it. A *schema* here is the envelope (``AuditEvent`` without
``event_data``), a payload schema that the discriminator maps an event type to, or a model
that several properties share (``IncidentResponseData``). Every other nested model is
walked in place and its properties reported by path (``rootCauseAnalysis.summary``,
``alternativeWorkflows[].workflowId``).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, RootModel

from explorer.models.registry import Contract

ENVELOPE = "AuditEvent"
# Every kind of Change, in the order one property's changes are listed.
CHANGE_KINDS = (
    "added",
    "removed",
    "required",
    "nullable",
    "type",
    "enum",
    "constraint",
    "additional_properties",
)
Value = str | int | float | bool | None | tuple[Any, ...]

_SCALARS = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "UUID": "string(uuid)",
    "AwareDatetime": "string(date-time)",
    "datetime": "string(date-time)",
    "date": "string(date)",
    "Any": "any",
}
# On an array, a length bound counts items.
_ARRAY_NAMES = {"min_length": "min_items", "max_length": "max_items"}


@dataclass(frozen=True, slots=True)
class EventTypeChange:
    """An event type one side maps and the other does not, or maps to another schema."""

    event_type: str
    before: str | None
    after: str | None

    @property
    def kind(self) -> str:
        return "added" if self.before is None else "removed" if self.after is None else "remapped"

    def as_dict(self) -> dict[str, Any]:
        if self.kind == "remapped":
            return {"event_type": self.event_type, "before": self.before, "after": self.after}
        return {"event_type": self.event_type, "schema": self.after or self.before}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference in one property (``path`` ``""`` is the schema object itself).

    ``before``/``after`` hold the value on each side; for ``added``/``removed`` a summary
    ("string, optional, nullable"), for ``enum`` the values only that side allows, for
    ``constraint`` the bound named by ``constraint`` (None where there is none).
    """

    path: str
    kind: str
    before: Value = None
    after: Value = None
    constraint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "constraint": self.constraint,
            "before": _jsonable(self.before),
            "after": _jsonable(self.after),
        }


@dataclass(frozen=True, slots=True)
class SchemaDiff:
    """One schema: what uses it (event types, properties of other schemas) and the changes."""

    schema: str
    used_by: tuple[str, ...]
    changes: tuple[Change, ...] = ()

    def as_dict(self, changes: bool = True) -> dict[str, Any]:
        found = {"schema": self.schema, "used_by": list(self.used_by)}
        return {**found, "changes": [c.as_dict() for c in self.changes]} if changes else found


@dataclass(frozen=True, slots=True)
class ContractDiff:
    """Contract ``before`` against contract ``after``; each part sorted, the envelope first."""

    before: str
    after: str
    event_types: tuple[EventTypeChange, ...]
    schemas_added: tuple[SchemaDiff, ...]
    schemas_removed: tuple[SchemaDiff, ...]
    schemas_changed: tuple[SchemaDiff, ...]

    @property
    def is_empty(self) -> bool:
        return not (
            self.event_types or self.schemas_added or self.schemas_removed or self.schemas_changed
        )

    def event_types_of(self, kind: str) -> tuple[EventTypeChange, ...]:
        return tuple(e for e in self.event_types if e.kind == kind)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with stable keys: the two names, event types, schemas."""
        kinds = ("added", "removed", "remapped")
        return {
            "before": self.before,
            "after": self.after,
            "event_types": {k: [e.as_dict() for e in self.event_types_of(k)] for k in kinds},
            "schemas": {
                "added": [s.as_dict(changes=False) for s in self.schemas_added],
                "removed": [s.as_dict(changes=False) for s in self.schemas_removed],
                "changed": [s.as_dict() for s in self.schemas_changed],
            },
        }


# -- model facts ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Property:
    json_type: str
    required: bool
    nullable: bool
    enum: frozenset[Any]
    constraints: dict[str, Any]
    extra: str | None  # an inline object's additional-properties rule
    parent: str | None  # the path of the inline object holding it

    def summary(self) -> str:
        parts = [self.json_type, "required" if self.required else "optional"]
        return ", ".join(parts + (["nullable"] if self.nullable else []))


@dataclass(slots=True)
class _Schema:
    extra: str
    properties: dict[str, _Property] = field(default_factory=dict)
    used_by: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class _Shape:
    json_type: str
    nullable: bool = False
    enum: frozenset[Any] = frozenset()
    model: type[BaseModel] | None = None  # an inline object to walk into
    array: bool = False


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _roots(contract: Contract) -> dict[str, type[BaseModel]]:
    roots: dict[str, type[BaseModel]] = {ENVELOPE: contract.envelope}
    roots.update(contract.payload_schemas)
    return roots


def _fields(name: str, model: type[BaseModel]) -> Iterator[tuple[str, Any]]:
    """(property name, field info) of a model; the envelope's event_data is not its own."""
    for attr, info in model.model_fields.items():
        key = info.alias or attr
        if not (name == ENVELOPE and key == "event_data"):
            yield key, info


def shared_models(contract: Contract) -> dict[str, type[BaseModel]]:
    """Models reachable from the envelope and payloads that two or more properties use."""
    users: dict[str, set[str]] = defaultdict(set)
    found: dict[str, type[BaseModel]] = {}
    todo = list(_roots(contract).items())
    seen: set[str] = set()
    while todo:
        name, model = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for key, info in _fields(name, model):
            for sub in _models_in(info.annotation):
                users[sub.__name__].add(f"{name}.{key}")
                found[sub.__name__] = sub
                todo.append((sub.__name__, sub))
    return {n: found[n] for n, where in users.items() if len(where) > 1}


def _shape(annotation: Any, units: frozenset[str]) -> _Shape:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _shape(args[0], units)
    if origin in (typing.Union, types.UnionType):
        kept = [a for a in args if a is not type(None)]
        inner = (
            _shape(kept[0], units)
            if len(kept) == 1
            else _Shape(" | ".join(sorted(_shape(a, units).json_type for a in kept)))
        )
        return dataclasses.replace(inner, nullable=len(kept) < len(args) or inner.nullable)
    if origin is Literal:
        kinds = sorted({_SCALARS.get(type(a).__name__, type(a).__name__) for a in args})
        return _Shape(" | ".join(kinds), enum=frozenset(args))
    if origin in (list, tuple, set, frozenset):
        item = _shape(args[0] if args else Any, units)
        return _Shape(f"array<{item.json_type}>", enum=item.enum, model=item.model, array=True)
    if origin is dict:
        value = _shape(args[1] if len(args) > 1 else Any, units)
        return _Shape(f"object<{value.json_type}>")
    if isinstance(annotation, type) and issubclass(annotation, RootModel):
        return _shape(annotation.model_fields["root"].annotation, units)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation.__name__ in units:
            return _Shape(annotation.__name__)
        return _Shape("object", model=annotation)
    if annotation is Any:
        return _Shape("any")
    name = getattr(annotation, "__name__", str(annotation))
    return _Shape(_SCALARS.get(name, name))


def _constraints(metadata: list[Any], array: bool) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if dataclasses.is_dataclass(item):
            values = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
        else:
            values = dict(getattr(item, "__dict__", {}))
        for key, value in values.items():
            if value is not None:
                found[_ARRAY_NAMES.get(key, key) if array else key] = value
    return found


def _extra(model: type[BaseModel]) -> str:
    return str(model.model_config.get("extra") or "ignore")


def _walk(
    name: str,
    model: type[BaseModel],
    ctx: _Walk,
    prefix: str = "",
    parent: str | None = None,
    stack: tuple[type[BaseModel], ...] = (),
) -> None:
    """Record the properties of ``model`` (inline objects by path) under schema ``name``."""
    schema = ctx.schemas[name]
    for key, info in _fields(name, model):
        path = prefix + key
        shape = _shape(info.annotation, ctx.units)
        inline = shape.model if shape.model is not None and shape.model not in stack else None
        schema.properties[path] = _Property(
            json_type=shape.json_type,
            required=info.is_required(),
            nullable=shape.nullable,
            enum=shape.enum,
            constraints=_constraints(info.metadata, shape.array),
            extra=_extra(inline) if inline is not None else None,
            parent=parent,
        )
        for sub in _models_in(info.annotation):
            if sub.__name__ in ctx.units:
                ctx.visit(sub.__name__, sub, f"{name}.{path}")
        if inline is not None:
            nested = path + ("[]." if shape.array else ".")
            _walk(name, inline, ctx, nested, path, (*stack, model))


@dataclass(slots=True)
class _Walk:
    units: frozenset[str]
    schemas: dict[str, _Schema] = field(default_factory=dict)

    def visit(self, name: str, model: type[BaseModel], used_by: str | None = None) -> None:
        schema = self.schemas.get(name)
        if schema is None:
            schema = self.schemas[name] = _Schema(_extra(model))
            _walk(name, model, self)
        if used_by is not None:
            schema.used_by.add(used_by)


def _schemas(contract: Contract, units: frozenset[str]) -> dict[str, _Schema]:
    """Every schema reachable in ``contract``, with its properties by path and its users."""
    ctx = _Walk(units)
    for name, model in _roots(contract).items():
        ctx.visit(name, model)
    for event_type, info in contract.registry.items():
        ctx.schemas[info.schema].used_by.add(event_type)
    return ctx.schemas


# -- the diff -------------------------------------------------------------------------------


def diff_contracts(a: Contract, b: Contract) -> ContractDiff:
    """Event types and schemas that differ between ``a`` (before) and ``b`` (after)."""
    units = frozenset(_roots(a)) | frozenset(_roots(b)) | frozenset(shared_models(a))
    units |= frozenset(shared_models(b))
    before, after = _schemas(a, units), _schemas(b, units)
    changed = []
    for name in _ordered(before.keys() & after.keys()):
        changes = tuple(_schema_changes(before[name], after[name]))
        if changes:
            changed.append(SchemaDiff(name, _users(before[name], after[name]), changes))
    return ContractDiff(
        before=a.name,
        after=b.name,
        event_types=_event_types(a, b),
        schemas_added=tuple(
            SchemaDiff(n, _users(after[n])) for n in _ordered(after.keys() - before.keys())
        ),
        schemas_removed=tuple(
            SchemaDiff(n, _users(before[n])) for n in _ordered(before.keys() - after.keys())
        ),
        schemas_changed=tuple(changed),
    )


def _ordered(names: set[str]) -> list[str]:
    """The envelope first, then by name."""
    return sorted(names, key=lambda n: (n != ENVELOPE, n))


def _users(*schemas: _Schema) -> tuple[str, ...]:
    """Event types first (lower case), then the properties of other schemas."""
    return tuple(
        sorted(set().union(*(s.used_by for s in schemas)), key=lambda u: (u[:1].isupper(), u))
    )


def _event_types(a: Contract, b: Contract) -> tuple[EventTypeChange, ...]:
    old = {t: i.schema for t, i in a.registry.items()}
    new = {t: i.schema for t, i in b.registry.items()}
    return tuple(
        EventTypeChange(t, old.get(t), new.get(t))
        for t in sorted(old.keys() | new.keys())
        if old.get(t) != new.get(t)
    )


def _schema_changes(a: _Schema, b: _Schema) -> Iterator[Change]:
    if a.extra != b.extra:
        yield Change("", "additional_properties", a.extra, b.extra)
    gone = a.properties.keys() - b.properties.keys()
    new = b.properties.keys() - a.properties.keys()
    for path in sorted(a.properties.keys() | b.properties.keys()):
        old, now = a.properties.get(path), b.properties.get(path)
        if old is None:
            assert now is not None
            if now.parent not in new:  # a new inline object is listed once, not per property
                yield Change(path, "added", None, now.summary())
        elif now is None:
            if old.parent not in gone:
                yield Change(path, "removed", old.summary(), None)
        else:
            yield from _property_changes(path, old, now)


def _property_changes(path: str, a: _Property, b: _Property) -> Iterator[Change]:
    if a.required != b.required:
        yield Change(path, "required", a.required, b.required)
    if a.nullable != b.nullable:
        yield Change(path, "nullable", a.nullable, b.nullable)
    if a.json_type != b.json_type:
        yield Change(path, "type", a.json_type, b.json_type)
    if a.enum != b.enum:
        yield Change(path, "enum", _sorted(a.enum - b.enum), _sorted(b.enum - a.enum))
    for name in sorted(a.constraints.keys() | b.constraints.keys()):
        old, new = a.constraints.get(name), b.constraints.get(name)
        if old != new:
            yield Change(path, "constraint", old, new, constraint=name)
    if a.extra != b.extra:
        yield Change(path, "additional_properties", a.extra, b.extra)


def _sorted(values: frozenset[Any]) -> tuple[Any, ...]:
    return tuple(sorted(values, key=lambda v: (type(v).__name__, str(v))))


def _jsonable(value: Value) -> Any:
    return list(value) if isinstance(value, tuple) else value
