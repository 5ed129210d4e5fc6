"""A compiled check for the bulk lane: msgspec structs built from the contract's models.

:func:`explorer.ingest.lanes.bulk_text` must know, for every line of a large import,
whether ``decode`` would say ``ok`` with no issue. Asking pydantic-core (a strict,
forbid-extra copy of the event model) costs ~11 us an event; a msgspec ``Decoder`` for
a struct of the same shape costs a fraction. pydantic stays the single source of
statuses and diagnostics: this module only answers "certainly ok" or "ask the Python
lane".

The structs are built when first needed, per (contract, event type), by walking the
pydantic-core schema of the event's model: the same schema the strict validator used.
The one rule: **msgspec accepts => pydantic accepts**. Where the two could differ, the
struct is stricter (more lines take the Python lane: slower, never wrong):

- every object refuses unknown fields (``forbid_unknown_fields``), the envelope's
  ``hash_algorithm`` aside, as the strict validator did;
- scalars are msgspec's strict types (no ``"1"`` for 1, no ``true`` for 1, no ``1.0``
  for an int; an int for a float, as pydantic's strict mode);
- an optional property that is not nullable has no ``None`` in its type: an explicit
  ``null`` fails, an omitted one does not;
- date-times are strings matching :data:`AWARE_STAMP`, plain RFC 3339 with a calendar
  date, no leap second and an offset under 24 hours (pydantic also reads ``t``, a space,
  ``+0100``, minutes without seconds... those go the Python way);
- UUIDs are msgspec's: 36 characters with hyphens or 32 without (pydantic also reads
  a URN or braces);
- a number beyond a double fails (pydantic reads ``1e400`` as infinity; orjson refuses
  it before either is asked);
- a pattern is kept only in a form whose meaning is the same for Rust's regex crate
  (pydantic) and Python's ``re.search`` (msgspec): ``^`` + plain characters and classes
  + ``$``, the final ``$`` written ``\\Z`` (Python's ``$`` also matches before a final
  newline);
- pydantic's JSON parser refuses nesting beyond 200 levels, msgspec's goes deeper: a
  line with 128 or more ``[`` and ``{`` (:func:`may_nest_deeply`, counted in strings too)
  is left to the strict validator;
- anything else in a schema (another core-schema type, an unknown constraint, a
  validator function that is not a length check on a literal) makes the whole event
  type fall back to the strict pydantic validator (:func:`supported` says which).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from explorer.models.registry import DEFAULT_CONTRACT, load_contract

# Plain RFC 3339 date-time with an offset, every part in range. Leap years: divisible by
# 4, centuries only by 400. Year 0 does not exist for either parser.
_YEAR = r"(?!0000)\d{4}"
_LEAP = r"(?:\d\d(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
_MONTH_DAY = (
    r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|(?:0[13578]|1[02])-31)"
)
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
AWARE_STAMP = rf"^(?:{_YEAR}-{_MONTH_DAY}|{_LEAP}-02-29)T{_TIME}\Z"
# A pattern both engines read alike: anchored, plain characters, classes of plain
# characters and ranges, counted repetition; no escapes, no alternation, no groups.
_PORTABLE = re.compile(
    r"\^(?:[A-Za-z0-9_\-]|\[[A-Za-z0-9_\-]+\])(?:[A-Za-z0-9_\-]|\[[A-Za-z0-9_\-]+\]|\{\d+(?:,\d*)?\}|[+*?])*\$"
)

Check = Callable[[bytes], object]
# Fewer brackets than this cannot nest 200 deep (pydantic's limit).
_BRACKETS = 128


class Unsupported(Exception):
    """A schema construct this module does not translate (the strict validator decides)."""


@cache
def compiled_check(event_type: str, contract: str = DEFAULT_CONTRACT) -> Check | None:
    """A function raising :class:`msgspec.MsgspecError` unless the line's event certainly
    validates; None if the contract does not map ``event_type`` or the schema holds
    something not translated (:func:`supported`)."""
    struct = event_struct(event_type, contract)
    return None if struct is None else msgspec.json.Decoder(struct).decode


def may_nest_deeply(line: bytes) -> bool:
    """Whether the line might nest deeper than pydantic reads (the compiled check does
    not know that limit)."""
    return line.count(b"[") + line.count(b"{") >= _BRACKETS


def supported(event_type: str, contract: str = DEFAULT_CONTRACT) -> bool:
    return event_struct(event_type, contract) is not None


@cache
def event_struct(event_type: str, contract: str = DEFAULT_CONTRACT) -> Any:
    """The struct of an event of ``event_type`` (envelope and payload), or None."""
    models = load_contract(contract)
    if event_type not in models.registry:
        return None
    # The envelope's schema with event_data typed as the payload: what the event model of
    # decode is, without building that model (~90 kB each) in every worker.
    payload_schema = dict(models.registry[event_type].model.__pydantic_core_schema__)
    envelope_schema = dict(models.envelope.__pydantic_core_schema__)
    try:
        payload = _Builder(_structs(contract)).type_of(payload_schema)
        return _Builder(_structs(contract)).type_of(envelope_schema, payload)
    except Unsupported:
        return None


@cache
def _structs(contract: str) -> dict[str, Any]:
    """The structs built so far for ``contract``, by model reference (payloads share them)."""
    return {}


_KEYS: dict[str, frozenset[str]] = {
    "str": frozenset({"min_length", "max_length", "pattern"}),
    "int": frozenset({"ge", "le"}),
    "float": frozenset({"ge", "le"}),
    "bool": frozenset(),
    "date": frozenset(),
    "uuid": frozenset(),
    "any": frozenset(),
    "literal": frozenset({"expected"}),
    "datetime": frozenset({"tz_constraint", "microseconds_precision"}),
    "nullable": frozenset({"schema"}),
    "list": frozenset({"items_schema"}),
    "dict": frozenset({"keys_schema", "values_schema"}),
}
_IGNORED = frozenset({"type", "metadata", "ref", "serialization"})


class _Builder:
    def __init__(self, structs: dict[str, Any]) -> None:
        self.structs = structs
        self.definitions: dict[str, Any] = {}
        self.building: set[str] = set()

    def type_of(self, node: dict[str, Any], payload: Any = None) -> Any:
        """The msgspec type of a core schema; ``payload``: this is the envelope, and its
        ``event_data`` is required and of that type."""
        kind = node.get("type")
        if kind == "definitions":
            for item in node["definitions"]:
                self.definitions[item["ref"]] = item
            return self.type_of(node["schema"], payload)
        if kind == "definition-ref":
            ref = node["schema_ref"]
            if ref not in self.definitions:
                raise Unsupported(ref)
            return self.type_of(self.definitions[ref])
        if kind == "model":
            return self._model(node, payload)
        if kind == "function-after":
            return self._checked_literal(node)
        allowed = _KEYS.get(str(kind))
        if allowed is None or not set(node) - _IGNORED <= allowed:
            raise Unsupported(str(kind))
        return self._plain(node)

    def _plain(self, node: dict[str, Any]) -> Any:
        kind = node["type"]
        if kind == "str":
            meta: dict[str, Any] = {k: node[k] for k in ("min_length", "max_length") if k in node}
            if "pattern" in node:
                meta["pattern"] = portable_pattern(node["pattern"])
            return Annotated[str, msgspec.Meta(**meta)] if meta else str
        if kind in ("int", "float"):
            bounds = {k: node[k] for k in ("ge", "le") if k in node}
            base = int if kind == "int" else float
            return Annotated[base, msgspec.Meta(**bounds)] if bounds else base
        if kind == "literal":
            return _literal(node["expected"])
        if kind == "datetime":
            if node.get("tz_constraint") != "aware":
                raise Unsupported("datetime without an offset")
            return Annotated[str, msgspec.Meta(pattern=AWARE_STAMP)]
        if kind == "nullable":
            return self.type_of(node["schema"]) | None
        if kind == "list":
            items = self.type_of(node["items_schema"]) if "items_schema" in node else Any
            return list[items]  # type: ignore[valid-type]
        if kind == "dict":
            if "keys_schema" in node and node["keys_schema"].get("type") != "str":
                raise Unsupported("dict keys")
            values = self.type_of(node["values_schema"]) if "values_schema" in node else Any
            return dict[str, values]  # type: ignore[valid-type]
        return {"bool": bool, "date": date, "uuid": UUID, "any": Any}[kind]

    def _checked_literal(self, node: dict[str, Any]) -> Any:
        """A literal with length checks (``Annotated[Literal[...], Field(max_length=)]``):
        the literal's values that pass them."""
        inner, function = node["schema"], node["function"].get("function")
        shortest, longest = 0, None
        while True:
            name = getattr(getattr(function, "func", None), "__name__", "")
            bound = getattr(function, "keywords", {})
            if name == "min_length_validator" and set(bound) == {"min_length"}:
                shortest = max(shortest, bound["min_length"])
            elif name == "max_length_validator" and set(bound) == {"max_length"}:
                longest = (
                    bound["max_length"] if longest is None else min(longest, bound["max_length"])
                )
            else:
                raise Unsupported(f"validator {name or function!r}")
            if inner.get("type") != "function-after":
                break
            inner, function = inner["schema"], inner["function"].get("function")
        if inner.get("type") != "literal" or set(inner) - _IGNORED != {"expected"}:
            raise Unsupported("length check on a non-literal")
        values = inner["expected"]
        if any(
            type(v) is not str or len(v) < shortest or (longest is not None and len(v) > longest)
            for v in values
        ):
            raise Unsupported("literal values failing their own checks")
        return _literal(values)

    def _model(self, node: dict[str, Any], payload: Any) -> Any:
        if node.get("custom_init") or node.get("post_init"):
            raise Unsupported("custom init")
        inner = node["schema"]
        if node.get("root_model"):
            return self.type_of(inner)
        if inner.get("type") != "model-fields" or inner.get("computed_fields"):
            raise Unsupported("model schema")
        ref = node.get("ref") or node["cls"].__qualname__
        key = ref if payload is None else f"{ref}/{payload.__name__}"
        if key in self.structs:
            return self.structs[key]
        if key in self.building:
            raise Unsupported("recursive model")
        self.building.add(key)
        fields: list[tuple[str, Any, Any]] = []
        aliases: set[str] = set()
        for index, (name, field) in enumerate(inner["fields"].items()):
            alias = field.get("validation_alias", name)
            if field.get("type") != "model-field" or type(alias) is not str:
                raise Unsupported("field alias")
            aliases.add(alias)
            schema = field["schema"]
            if payload is not None and alias == "event_data":
                fields.append((f"f{index}", payload, msgspec.field(name=alias)))
                continue
            if schema.get("type") == "default":
                if schema.get("default") is not None or set(schema) - _IGNORED != {
                    "schema",
                    "default",
                }:
                    raise Unsupported("a default other than None")
                fields.append(
                    (
                        f"f{index}",
                        self.type_of(schema["schema"]),
                        msgspec.field(default=None, name=alias),
                    )
                )
            else:
                fields.append((f"f{index}", self.type_of(schema), msgspec.field(name=alias)))
        if payload is not None and "event_data" not in aliases:
            raise Unsupported("an envelope without event_data")
        if (
            payload is not None and "hash_algorithm" not in aliases
        ):  # the server adds it; it has its column
            fields.append(("hash_algorithm", str | None, msgspec.field(default=None)))
        # Required fields first: msgspec wants them before those with defaults.
        fields.sort(key=lambda f: f[2].default is not msgspec.NODEFAULT)
        struct = msgspec.defstruct(
            node["cls"].__name__ if payload is None else f"{payload.__name__}Event",
            fields,
            forbid_unknown_fields=True,
            frozen=True,
        )
        self.building.discard(key)
        self.structs[key] = struct
        return struct


def _literal(values: list[Any]) -> Any:
    if not values or any(type(v) is not str for v in values):
        raise Unsupported("literal of non-strings")
    return Literal[tuple(values)]


def portable_pattern(pattern: str) -> str:
    """``pattern`` for Python's ``re.search``, meaning what it means to Rust's regex;
    :class:`Unsupported` if that is not certain."""
    if not _PORTABLE.fullmatch(pattern):
        raise Unsupported(f"pattern {pattern!r}")
    return pattern[:-1] + r"\Z"
