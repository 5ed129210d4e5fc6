"""Read a DataStorage contract (OpenAPI 3.0 YAML) directly, and build events from it.

Independent of ``scripts/generate_models.py`` and of the generated models on purpose: the
tests that use this module check the models against the contract, so they must not learn
the contract from the models (or from the code that made them).

Only facts are read (names, types, enums, constraints, nullability, the discriminator
mapping); the contract files stay beside the checkout and are never copied into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import pytest
import yaml

from tests.conftest import SPEC_FILES

TIMESTAMP = "2026-11-20T10:00:00Z"
DATE = "2026-11-20"
UUID = "00000000-0000-0000-0000-000000000001"
JSON_TYPES = ("string", "integer", "number", "boolean", "array", "object")
# A Go client holds an int32 in 32 bits and an int64 (or a plain integer) in 64: the
# models bound integers without explicit bounds to these ranges.
INT_RANGES = {"int32": 2**31, "int64": 2**63, None: 2**63}
# Values for the patterns the contracts use; an unknown pattern fails loudly.
PATTERN_VALUES = {
    "^[a-f0-9]{64}$": "ab" * 32,
    "^https://kubernaut\\.ai/problems/.+": "https://kubernaut.ai/problems/x",
}
FORMAT_VALUES = {
    "date-time": TIMESTAMP,
    "date": DATE,
    "uuid": UUID,
    "uri": "https://example.com/x",
    "email": "sre@example.com",
}
_PREFIX = "#/components/schemas/"
# The constraint keywords of OpenAPI 3.0 schemas (pydantic's JSON Schema uses the same).
CONSTRAINT_KEYWORDS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
)


@dataclass(frozen=True)
class Schema:
    """One schema with ``$ref`` and ``allOf`` resolved.

    ``type`` None means any JSON value. ``properties`` is None unless the schema is an
    object that declares properties. ``additional`` is the additional-properties rule:
    True (open), False (closed) or the schema of the values. ``one_of`` names the
    alternatives of the (only) ``oneOf``, the envelope's ``event_data``.
    """

    type: str | None = None
    name: str | None = None  # the component schema it is, when it is one
    nullable: bool = False
    format: str | None = None
    enum: tuple[Any, ...] | None = None
    constraints: dict[str, Any] = field(default_factory=dict)  # OpenAPI keywords, as written
    items: Schema | None = None
    properties: dict[str, Prop] | None = None
    additional: bool | Schema = True
    one_of: tuple[str, ...] = ()

    def bounds(self) -> dict[str, Any]:
        """The constraints in JSON Schema 2020-12 terms (what pydantic reports).

        OpenAPI 3.0's boolean ``exclusiveMinimum`` becomes a number, and an integer
        without explicit bounds gets its format's range.
        """
        out = dict(self.constraints)
        for side in ("Minimum", "Maximum"):
            if out.pop(f"exclusive{side}", False) is True:
                out[f"exclusive{side}"] = out.pop(side.lower())
        if self.type == "integer" and self.format in INT_RANGES:
            bound = INT_RANGES[self.format]
            if "exclusiveMinimum" not in out:
                out.setdefault("minimum", -bound)
            if "exclusiveMaximum" not in out:
                out.setdefault("maximum", bound - 1)
        return out


@dataclass(frozen=True)
class Prop:
    name: str
    required: bool
    schema: Schema


class Spec:
    """One contract version, read from its YAML file."""

    def __init__(self, name: str) -> None:
        path = SPEC_FILES[name]
        if not path.exists():
            pytest.skip(f"contract not found at {path}", allow_module_level=True)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        self.name = name
        self.raw: dict[str, Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        self.components: dict[str, Any] = self.raw["components"]["schemas"]
        self._resolved: dict[str, Schema] = {}
        self._resolving: set[str] = set()
        event_data = self.components["AuditEventRequest"]["properties"]["event_data"]
        self.discriminator: str = event_data["discriminator"]["propertyName"]
        # event type -> payload schema name, in the contract's order
        self.mapping: dict[str, str] = {
            event_type: _ref_name(ref)
            for event_type, ref in event_data["discriminator"]["mapping"].items()
        }
        # The payload schemas event_data may be (its oneOf), mapped or not.
        self.alternatives = tuple(_ref_name(alt["$ref"]) for alt in event_data["oneOf"])

    def __repr__(self) -> str:
        return f"Spec({self.name!r})"

    @property
    def envelope(self) -> Schema:
        """``AuditEvent``: the request envelope plus what the service adds."""
        return self.component("AuditEvent")

    def component(self, name: str) -> Schema:
        """The component schema ``name``, resolved (once)."""
        found = self._resolved.get(name)
        if found is None:
            if name in self._resolving:
                raise ValueError(f"{self.name}: recursive schema {name} is not supported")
            self._resolving.add(name)
            found = replace(self.resolve(self.components[name]), name=name)
            self._resolving.discard(name)
            self._resolved[name] = found
        return found

    def payload(self, schema_name: str) -> Schema:
        """A mapped payload schema with its discriminator property.

        The discriminator obliges every alternative to carry ``event_type`` (OpenAPI
        3.0, Discriminator Object); where a schema does not declare it, it is the string
        naming one of the event types mapped (explicitly or implicitly) to that schema.
        """
        schema = self.component(schema_name)
        assert schema.properties is not None, schema_name
        if self.discriminator in schema.properties:
            return schema
        mapped = tuple(t for t, s in self.implicit_mapping.items() if s == schema_name)
        implied = Prop(self.discriminator, True, Schema(type="string", enum=mapped))
        return replace(schema, properties={**schema.properties, self.discriminator: implied})

    def payload_of(self, event_type: str) -> Schema:
        return self.payload(self.mapping[event_type])

    def resolve(self, node: dict[str, Any]) -> Schema:
        if "$ref" in node:  # OpenAPI 3.0: a $ref's siblings are ignored
            return self.component(_ref_name(node["$ref"]))
        if "allOf" in node:
            return self._all_of(node)
        kind = node.get("type")
        assert kind is None or kind in JSON_TYPES, node
        props = node.get("properties")
        if kind is None and props is not None:
            kind = "object"
        required = set(node.get("required", ()))
        additional = node.get("additionalProperties", True)
        enum = node.get("enum")
        return Schema(
            type=kind,
            nullable=bool(node.get("nullable", False)),
            format=node.get("format"),
            enum=tuple(enum) if enum is not None else None,
            constraints={k: node[k] for k in CONSTRAINT_KEYWORDS if k in node},
            items=self.resolve(node["items"]) if "items" in node else None,
            properties=(
                {n: Prop(n, n in required, self.resolve(p)) for n, p in props.items()}
                if props is not None
                else None
            ),
            additional=self.resolve(additional) if isinstance(additional, dict) else additional,
            one_of=tuple(_ref_name(alt["$ref"]) for alt in node.get("oneOf", ())),
        )

    def _all_of(self, node: dict[str, Any]) -> Schema:
        """Merge ``allOf``: properties of all parts, required by any, closed by any."""
        own = self.resolve({k: v for k, v in node.items() if k != "allOf"})
        parts = [self.resolve(part) for part in node["allOf"]]
        if len(parts) == 1 and own.properties is None:
            # ``allOf: [$ref]`` only wraps a reference (to give it siblings).
            return replace(parts[0], nullable=parts[0].nullable or own.nullable)
        props: dict[str, Prop] = {}
        for part in [*parts, own]:
            for name, prop in (part.properties or {}).items():
                before = props.get(name)
                props[name] = replace(
                    prop, required=prop.required or bool(before and before.required)
                )
        closed = any(part.additional is False for part in [*parts, own])
        return Schema(type="object", nullable=own.nullable, properties=props, additional=not closed)

    @property
    def implicit_mapping(self) -> dict[str, str]:
        """The mapping with OpenAPI's implicit entries: an unmapped alternative's own name."""
        mapped = set(self.mapping.values())
        unmapped = {name: name for name in self.alternatives if name not in mapped}
        return {**self.mapping, **unmapped}

    def roots(self) -> list[str]:
        """The component schemas an event is made of: the envelope and every payload."""
        return ["AuditEvent", *dict.fromkeys([*self.alternatives, *self.mapping.values()])]


@cache
def spec(name: str) -> Spec:
    """Contract ``name``, parsed once per test session (skips when ../shared is absent)."""
    return Spec(name)


def _ref_name(ref: str) -> str:
    assert ref.startswith(_PREFIX), ref
    return ref.removeprefix(_PREFIX)


# -- building events ---------------------------------------------------------------------


def valid_event(contract: str, event_type: str, *, full: bool = True) -> dict[str, Any]:
    """An event of ``event_type`` built from contract ``contract``'s schemas alone.

    ``full``: every declared property, at every level; otherwise the required ones only.
    Every value meets its schema's type, format, enum and constraints.
    """
    source = spec(contract)
    envelope = source.envelope
    assert envelope.properties is not None
    event = {
        name: value(prop.schema, full=full)
        for name, prop in envelope.properties.items()
        if name != "event_data" and (full or prop.required)
    }
    event["event_type"] = event_type
    event["event_data"] = payload(contract, event_type, full=full)
    return event


def payload(contract: str, event_type: str, *, full: bool = True) -> dict[str, Any]:
    """The ``event_data`` of ``event_type``, its discriminator set."""
    source = spec(contract)
    data = value(source.payload_of(event_type), full=full)
    data[source.discriminator] = event_type
    return data


def value(schema: Schema, *, full: bool = True) -> Any:
    """A value of ``schema`` (never null): the first enum value, or one within bounds."""
    if schema.enum is not None:
        return schema.enum[0]
    if schema.type == "object" or schema.properties is not None:
        return _object(schema, full)
    if schema.type == "array":
        return _array(schema, full)
    if schema.type == "string":
        return _string(schema)
    if schema.type == "integer":
        return _number(schema, 1)
    if schema.type == "number":
        return float(_number(schema, 0.5))
    if schema.type == "boolean":
        return True
    if schema.type is None and not schema.one_of:
        return "x"  # any JSON value
    raise NotImplementedError(f"no value for {schema}")


def _object(schema: Schema, full: bool) -> dict[str, Any]:
    if schema.properties is not None:
        return {
            name: value(prop.schema, full=full)
            for name, prop in schema.properties.items()
            if full or prop.required
        }
    if isinstance(schema.additional, Schema):
        return {"k": value(schema.additional, full=full)}
    return {"k": "x"} if schema.additional else {}


def _array(schema: Schema, full: bool) -> list[Any]:
    assert schema.items is not None, schema
    count = max(schema.constraints.get("minItems", 0), 1)
    count = min(count, schema.constraints.get("maxItems", count))
    return [value(schema.items, full=full)] * count


def _string(schema: Schema) -> str:
    limits = schema.constraints
    pattern = limits.get("pattern")
    if pattern is not None:
        if pattern not in PATTERN_VALUES:
            raise NotImplementedError(f"no value for the pattern {pattern!r}: add one")
        text = PATTERN_VALUES[pattern]
        assert re.search(pattern, text), pattern
    elif schema.format is not None:
        if schema.format not in FORMAT_VALUES:
            raise NotImplementedError(f"no value for the format {schema.format!r}: add one")
        text = FORMAT_VALUES[schema.format]
    else:
        text = "x" * max(limits.get("minLength", 1), 1)
    assert limits.get("minLength", 0) <= len(text) <= limits.get("maxLength", len(text)), schema
    return text


def _number(schema: Schema, preferred: float) -> Any:
    """``preferred`` moved into the schema's bounds (format ranges included)."""
    bounds = schema.bounds()
    low, high = bounds.get("minimum"), bounds.get("maximum")
    step = 1 if schema.type == "integer" else 0.5
    if "exclusiveMinimum" in bounds:
        low = bounds["exclusiveMinimum"] + step
    if "exclusiveMaximum" in bounds:
        high = bounds["exclusiveMaximum"] - step
    number = preferred
    if low is not None:
        number = max(number, low)
    if high is not None:
        number = min(number, high)
    return int(number) if schema.type == "integer" else number
