"""A generic payload builder: walks a generated model once and compiles a fill plan.

Values come, in order, from the caller (``fixed``), from the incident context (the same
namespace, RR name, workflow across one incident), from a table of realistic values by
field name (``fields``), and last from the field's type and constraints.
"""

from __future__ import annotations

import random
import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, RootModel
from pydantic.fields import FieldInfo

from explorer.demo.generator import fields as F
from explorer.demo.generator.values import Ctx, hex_id, pick, rfc3339, uuid4

Filler = Callable[[random.Random, Ctx], Any]
OMIT: Any = object()  # a ``fixed`` value that removes the field


@dataclass(frozen=True, slots=True)
class Slot:
    """What a model declares about one property (used to inject realistic mismatches)."""

    name: str
    kind: str  # str int float bool literal model list dict datetime uuid date any
    required: bool
    nullable: bool
    literals: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    event_type: str | None
    steps: tuple[tuple[str, Filler, float], ...]
    slots: dict[str, Slot]

    def build(
        self, rng: random.Random, ctx: Ctx, fixed: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"event_type": self.event_type} if self.event_type else {}
        rand = rng.random
        for name, fill, chance in self.steps:
            if chance >= 1.0 or rand() < chance:
                out[name] = fill(rng, ctx)
        if fixed:
            for key, value in fixed.items():
                if value is OMIT:
                    out.pop(key, None)
                else:
                    out[key] = value
        return out


def plan_for(model: type[BaseModel], event_type: str, optional: dict[str, float] | None) -> Plan:
    """The plan for one event type; ``optional`` maps optional fields to their chance."""
    return _compile(model, event_type, optional, F.NESTED_OPTIONAL_CHANCE)


@cache
def _nested_plan(model: type[BaseModel]) -> Plan:
    return _compile(model, None, F.NESTED_OPTIONAL.get(model.__name__), F.NESTED_OPTIONAL_CHANCE)


def _compile(
    model: type[BaseModel],
    event_type: str | None,
    optional: dict[str, float] | None,
    default: float,
) -> Plan:
    steps: list[tuple[str, Filler, float]] = []
    slots: dict[str, Slot] = {}
    for name, info in model.model_fields.items():
        alias = info.alias or name
        slot = _slot(alias, info)
        slots[alias] = slot
        if alias == "event_type":
            continue
        if slot.required:
            chance = 1.0
        elif optional is not None:
            chance = optional.get(alias, 0.0)
        else:
            chance = 0.0 if info.deprecated else default
        if chance > 0.0:
            lookup = F.qualified(model.__name__, alias)
            steps.append((alias, _filler(lookup, info.annotation, info.metadata), chance))
    return Plan(event_type, tuple(steps), slots)


def _strip_none(annotation: Any) -> tuple[Any, bool]:
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(annotation) if a is not type(None)]
        nullable = len(args) != len(get_args(annotation))
        return (args[0] if len(args) == 1 else annotation), nullable
    return annotation, False


def _kind(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Literal:
        return "literal"
    if origin is list:
        return "list"
    if origin is dict:
        return "dict"
    if annotation is AwareDatetime:
        return "datetime"
    if isinstance(annotation, type):
        if issubclass(annotation, RootModel):
            return "dict"
        if issubclass(annotation, BaseModel):
            return "model"
        if issubclass(annotation, datetime):
            return "datetime"
        for kind, base in (("bool", bool), ("int", int), ("float", float), ("str", str)):
            if issubclass(annotation, base):
                return kind
        if issubclass(annotation, UUID):
            return "uuid"
        if issubclass(annotation, date):
            return "date"
    return "any"


def _slot(name: str, info: FieldInfo) -> Slot:
    annotation, nullable = _strip_none(info.annotation)
    kind = _kind(annotation)
    literals = get_args(annotation) if kind == "literal" else ()
    return Slot(name, kind, info.is_required(), nullable, literals)


def _bounds(metadata: list[Any]) -> tuple[float | None, float | None, int | None, str | None]:
    low = high = None
    max_len = None
    pattern = None
    for item in metadata:
        low = _attr(item, "ge", low)
        high = _attr(item, "le", high)
        max_len = _attr(item, "max_length", max_len)
        pattern = _attr(item, "pattern", pattern)
    return low, high, max_len, pattern


def _attr(item: Any, attr: str, current: Any) -> Any:
    value = getattr(item, attr, None)
    return current if value is None else value


def _filler(name: str, annotation: Any, metadata: list[Any]) -> Filler:
    annotation, _ = _strip_none(annotation)
    kind = _kind(annotation)
    key = F.CTX_ALIAS.get(name, name)
    low, high, max_len, pattern = _bounds(metadata)
    if kind == "literal":
        return _literal(key, get_args(annotation))
    if kind == "model":
        plan = _nested_plan(annotation)
        return lambda rng, ctx: plan.build(rng, ctx)
    if kind == "list":
        return _list(name, get_args(annotation)[0])
    if kind == "dict":
        return _dict(name, annotation)
    if kind == "any":
        return F.ANY_VALUES.get(name, F.text_of("note"))
    base = _base(name, kind, low, high, pattern)
    if max_len is not None:
        inner, limit = base, int(max_len)
        base = lambda rng, ctx: inner(rng, ctx)[:limit]  # noqa: E731
    return _from_ctx(key, kind, base)


def _from_ctx(key: str, kind: str, base: Filler) -> Filler:
    want: type = {"int": int, "float": float, "bool": bool}.get(kind, str)

    def fill(rng: random.Random, ctx: Ctx) -> Any:
        value = ctx.get(key)
        if value.__class__ is want:
            return value
        return base(rng, ctx)

    return fill


def _base(
    name: str, kind: str, low: float | None, high: float | None, pattern: str | None
) -> Filler:
    if kind == "str":
        if pattern == "^[a-f0-9]{64}$":
            return lambda rng, ctx: hex_id(rng, 64)
        return F.STR_VALUES.get(name) or F.text_of(name)
    if kind == "int":
        lo, hi = F.INT_RANGES.get(name, (0, 50))
        lo = max(lo, int(low)) if low is not None else lo
        hi = min(hi, int(high)) if high is not None else hi
        return lambda rng, ctx: rng.randint(lo, hi)
    if kind == "float":
        flo, fhi = F.FLOAT_RANGES.get(name, (0.0, 1.0))
        flo = max(flo, float(low)) if low is not None else flo
        fhi = min(fhi, float(high)) if high is not None else fhi
        return lambda rng, ctx: round(flo + (fhi - flo) * rng.random(), 3)
    if kind == "bool":
        chance = F.BOOL_CHANCE.get(name, 0.5)
        return lambda rng, ctx: rng.random() < chance
    if kind == "datetime":
        before, after = F.DATETIME_OFFSETS.get(name, (0, 0))
        return lambda rng, ctx: rfc3339(ctx["_now"] + rng.randint(before, after))
    if kind == "date":
        return lambda rng, ctx: rfc3339(ctx["_now"])[:10]
    return lambda rng, ctx: uuid4(rng)  # uuid


def _literal(key: str, choices: tuple[Any, ...]) -> Filler:
    allowed = frozenset(choices)

    def fill(rng: random.Random, ctx: Ctx) -> Any:
        value = ctx.get(key)
        if value is not None and value.__class__ is str and value in allowed:
            return value
        return pick(rng, choices)

    return fill


def _list(name: str, item: Any) -> Filler:
    named = F.LIST_VALUES.get(name)
    if named is not None:
        return named
    item, _ = _strip_none(item)
    kind = _kind(item)
    if kind == "literal":
        choices = get_args(item)
        return lambda rng, ctx: rng.sample(choices, 1 + int(rng.random() * min(2, len(choices))))
    inner = _filler(name, item, [])
    return lambda rng, ctx: [inner(rng, ctx) for _ in range(1 + int(rng.random() * 2))]


def _dict(name: str, annotation: Any) -> Filler:
    named = F.DICT_VALUES.get(name)
    if named is not None:
        return named
    if isinstance(annotation, type) and issubclass(annotation, RootModel):
        annotation = annotation.model_fields["root"].annotation
    value_type = get_args(annotation)[1] if get_args(annotation) else Any
    if get_origin(value_type) is list:
        return lambda rng, ctx: {"team": [ctx["team"]], "tier": [pick(rng, ("gold", "silver"))]}
    return lambda rng, ctx: {"team": ctx["team"], "managed-by": "kubernaut"}
