"""The generated models are faithful to the contracts: checked against the YAML itself.

Nothing here goes through ``scripts/generate_models.py`` or learns the contract from the
models: ``tests/contract.py`` reads the YAML, the models are read through pydantic's own
JSON Schema of them, and the events come from the contract.

- completeness: every property of every schema an event is made of (the envelope and
  every mapped payload, nested ones included) against its model field, both ways;
- mutation: the completeness check reports a model that lost a property, an enum value
  or its required-ness (and more), and only that;
- behaviour: contract-built events decode ``ok``; each defect derived from the contract
  gets its status, and an issue that names the defective field.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from explorer.models.decode import Status, decode
from explorer.models.registry import CONTRACT_NAMES, DEFAULT_CONTRACT, load_contract
from tests.contract import CONSTRAINT_KEYWORDS, Schema, Spec, spec, valid_event

# -- completeness ------------------------------------------------------------------------

# JSON Schema keywords pydantic writes for field constraints: the contract's own.
BOUNDS = CONSTRAINT_KEYWORDS
NULL = {"type": "null"}


@dataclass(frozen=True)
class Finding:
    path: str  # Schema.property[.property...]; [] = array items, {} = map values
    aspect: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.aspect}: {self.detail}"


class Fidelity:
    """Compares a contract's schemas with the JSON Schema pydantic derives from the models."""

    def __init__(self, source: Spec) -> None:
        self.source = source
        self.payloads = set(source.implicit_mapping.values())
        self.seen: set[str] = set()
        self.defs: dict[str, Any] = {}
        self.findings: list[Finding] = []

    def run(self, module: types.ModuleType) -> list[Finding]:
        for root in self.source.roots():
            model = getattr(module, root, None)
            if model is None:
                self.report(root, "missing", "no model of this schema")
                continue
            node = model.model_json_schema()
            self.defs = {**node.pop("$defs", {}), root: node}
            self.check(self._schema(root), {"$ref": f"#/$defs/{root}"}, root)
        return self.findings

    def _schema(self, name: str) -> Schema:
        return self.source.payload(name) if name in self.payloads else self.source.component(name)

    def report(self, path: str, aspect: str, detail: str) -> None:
        self.findings.append(Finding(path, aspect, detail))

    def check(self, schema: Schema, node: dict[str, Any], path: str) -> None:
        node, nullable = _split_null(node)
        if nullable != schema.nullable:
            self.report(path, "nullable", f"contract {schema.nullable}, model {nullable}")
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            if schema.name is not None:
                if name != schema.name:
                    self.report(path, "schema", f"contract {schema.name}, model {name}")
                    return
                if name in self.seen:
                    return
                self.seen.add(name)
                path = name
                schema = self._schema(name)
            node = self.defs[name]
        if schema.one_of:
            self._one_of(schema, node, path)
            return
        kind = node.get("type")
        if kind != schema.type:
            self.report(path, "type", f"contract {schema.type}, model {kind}")
            return
        enum = node.get("enum", [node["const"]] if "const" in node else None)
        if (schema.enum is None) != (enum is None) or set(schema.enum or ()) != set(enum or ()):
            self.report(path, "enum", f"contract {schema.enum}, model {enum}")
        if kind == "string" and node.get("format") != schema.format:
            self.report(path, "format", f"contract {schema.format}, model {node.get('format')}")
        got = {k: node[k] for k in BOUNDS if k in node}
        if got != schema.bounds():
            self.report(path, "constraints", f"contract {schema.bounds()}, model {got}")
        if kind == "array":
            assert schema.items is not None
            self.check(schema.items, node.get("items", {}), f"{path}[]")
        if kind == "object":
            self._object(schema, node, path)

    def _object(self, schema: Schema, node: dict[str, Any], path: str) -> None:
        extra = node.get("additionalProperties", True)
        if isinstance(schema.additional, Schema):
            if isinstance(extra, dict):
                self.check(schema.additional, extra, f"{path}{{}}")
            else:
                self.report(path, "additional", f"contract typed values, model {extra}")
        elif (schema.additional is False) != (extra is False) or isinstance(extra, dict):
            self.report(path, "additional", f"contract {schema.additional}, model {extra}")
        declared = schema.properties or {}
        fields = node.get("properties", {})
        required = set(node.get("required", ()))
        for name in declared.keys() - fields.keys():
            self.report(f"{path}.{name}", "missing", "declared by the contract, not in the model")
        for name in fields.keys() - declared.keys():
            self.report(f"{path}.{name}", "undeclared", "in the model, not in the contract")
        for name, prop in declared.items():
            if name in fields:
                if prop.required != (name in required):
                    self.report(
                        f"{path}.{name}",
                        "required",
                        f"contract {prop.required}, model {not prop.required}",
                    )
                self.check(prop.schema, fields[name], f"{path}.{name}")

    def _one_of(self, schema: Schema, node: dict[str, Any], path: str) -> None:
        alternatives = {ref["$ref"].rsplit("/", 1)[1] for ref in node.get("oneOf", ())}
        mapping = {
            event_type: ref.rsplit("/", 1)[1]
            for event_type, ref in node.get("discriminator", {}).get("mapping", {}).items()
        }
        if alternatives != set(schema.one_of):
            self.report(
                path, "oneOf", f"contract {sorted(schema.one_of)}, model {sorted(alternatives)}"
            )
        expected = self.source.implicit_mapping
        if mapping != expected:
            diff = set(mapping.items()) ^ set(expected.items())
            self.report(path, "mapping", f"differs in {sorted(diff)[:5]}")


def _split_null(node: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """``anyOf: [X, null]`` -> (X with the node's other keywords, True)."""
    options = node.get("anyOf")
    if not options or NULL not in options:
        return node, False
    rest = [option for option in options if option != NULL]
    assert len(rest) == 1, node
    outer = {k: v for k, v in node.items() if k not in ("anyOf", "default", "title")}
    return {**outer, **rest[0]}, True


# Where a contract contradicts itself the models follow one side: listed here, not hidden.
# v1.4.0 and v1.5.7 list RemediationApprovalDecisionPayload in event_data's oneOf but map
# no event type to it, so OpenAPI maps it implicitly by its own name, a value its own
# event_type enum forbids; the model takes the discriminator's side. No event type decodes
# to it (the registry holds the explicit mapping only).
KNOWN = {
    name: [("RemediationApprovalDecisionPayload.event_type", "enum")]
    for name in ("v1.4.0", "v1.5.7")
}


def _closure(source: Spec) -> set[str]:
    """The component schemas reachable from the envelope and its payloads, by ``$ref``."""
    found: set[str] = set()
    todo = ["AuditEvent", *source.alternatives]
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(_refs(source.components[name]))
    return found


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"].rsplit("/", 1)[1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_models_declare_what_the_contract_declares(name: str) -> None:
    source, contract = spec(name), load_contract(name)
    checker = Fidelity(source)
    found = checker.run(contract.module)
    assert [(f.path, f.aspect) for f in found] == KNOWN.get(name, []), "\n".join(map(str, found))
    # Every reachable schema was compared (AuditEventRequest as part of AuditEvent: allOf),
    assert checker.seen | {"AuditEventRequest"} == _closure(source)
    # and each event type decodes with the model compared for its schema.
    for event_type, info in contract.registry.items():
        assert info.model is getattr(contract.module, source.mapping[event_type]), event_type


Edit = tuple[str, str, str]  # class, text in it (once), replacement


@contextmanager
def mutated(contract: str, *edits: Edit) -> Iterator[types.ModuleType]:
    """The generated module of ``contract``, re-executed with ``edits`` made to its source."""
    module = load_contract(contract).module
    assert module.__file__ is not None
    text = Path(module.__file__).read_text(encoding="utf-8")
    for cls, old, new in edits:
        start = text.index(f"\nclass {cls}(")
        end = text.find("\nclass ", start + 1)
        block = text[start:end]
        assert block.count(old) == 1, f"{old!r} is not once in {cls}"
        text = text[:start] + block.replace(old, new) + text[end:]
    copy = types.ModuleType(f"_mutated_{module.__name__.rsplit('.', 1)[1]}")
    sys.modules[copy.__name__] = copy  # pydantic resolves annotations through sys.modules
    try:
        exec(compile(text, copy.__name__, "exec"), copy.__dict__)
        yield copy
    finally:
        del sys.modules[copy.__name__]


def findings_of(*edits: Edit) -> list[tuple[str, str]]:
    with mutated(DEFAULT_CONTRACT, *edits) as module:
        return [(f.path, f.aspect) for f in Fidelity(spec(DEFAULT_CONTRACT)).run(module)]


RCA = "IncidentResponseData.rootCauseAnalysis"
SUMMARY = "    summary: str\n"


def test_a_removed_property_is_reported() -> None:
    assert findings_of(("RootCauseAnalysis", SUMMARY, "")) == [(f"{RCA}.summary", "missing")]


def test_a_changed_enum_is_reported() -> None:
    edit = ("RootCauseAnalysis", '"info", "unknown"]', '"info"]')
    assert findings_of(edit) == [(f"{RCA}.severity", "enum")]


def test_a_flipped_required_ness_is_reported() -> None:
    edit = ("RootCauseAnalysis", SUMMARY, "    summary: str = Field(default=None)\n")
    assert findings_of(edit) == [(f"{RCA}.summary", "required")]


def test_each_other_kind_of_difference_is_reported_once() -> None:
    optional = "    processing: str = Field(default=None)\n"
    edits = [
        (
            "RootCauseAnalysis",
            "reasoning: str = Field(default=None)",
            "reasoning: str | None = None",
        ),
        ("RootCauseAnalysis", 'extra="forbid"', 'extra="allow"'),
        ("IncidentResponseData", "le=1.0)]\n", "le=2.0)]\n"),
        ("IncidentResponseData", "    analysis: str\n", "    analysis: int\n"),
        ("TimeoutConfig", optional, optional + "    surplus: str = Field(default=None)\n"),
        ("SignalProcessingAuditPayload", "{64}$", "{40}$"),
    ]
    assert sorted(findings_of(*edits)) == [
        ("IncidentResponseData.analysis", "type"),
        ("IncidentResponseData.confidence", "constraints"),
        (RCA, "additional"),
        (f"{RCA}.reasoning", "nullable"),
        ("SignalProcessingAuditPayload.policy_hash", "constraints"),
        ("TimeoutConfig.surplus", "undeclared"),
    ]


# -- behaviour ---------------------------------------------------------------------------

WRONG_TYPE = {
    "string": 12345,
    "integer": "x",
    "number": "x",
    "boolean": "x",
    "array": "x",
    "object": "x",
}
UNDECLARED = "zz_not_in_the_contract"


@dataclass(frozen=True)
class Case:
    what: str
    event: dict[str, Any]
    status: Status
    kind: str | None = None  # the issue kind expected at ``path``
    path: str = ""


def _violation(schema: Schema) -> Any:
    """A value of the right type that breaks one of ``schema``'s constraints (or None)."""
    bounds = schema.bounds()
    if "pattern" in bounds:
        return "!" * max(bounds.get("minLength", 1), 1)
    if bounds.get("minLength", 0) > 0:
        return ""
    if "maxLength" in bounds:
        return "x" * (bounds["maxLength"] + 1)
    if bounds.get("minItems", 0) > 0:
        return []
    if "maximum" in bounds:
        return bounds["maximum"] + 1
    if "minimum" in bounds:
        return bounds["minimum"] - 1
    if "exclusiveMaximum" in bounds:
        return bounds["exclusiveMaximum"]
    if "exclusiveMinimum" in bounds:
        return bounds["exclusiveMinimum"]
    return None


def _pick(items: list[Any], seed: int) -> Any:
    """One of ``items``, varying with ``seed`` so event types sharing a schema differ."""
    return items[seed % len(items)] if items else None


Keys = list[str | int]  # from the event's root to an object in it


def _at(event: dict[str, Any], target: Keys) -> Any:
    obj: Any = event
    for key in target:
        obj = obj[key]
    return obj


def property_cases(
    schema: Schema, base: dict[str, Any], target: Keys, prefix: str, seed: int, skip: set[str]
) -> Iterator[Case]:
    """One defect of each kind among the properties of the object at ``target`` in ``base``."""
    assert schema.properties is not None
    props = [p for n, p in schema.properties.items() if n not in skip]

    def case(what: str, name: str, new: Any, status: Status, kind: str | None) -> Case:
        event = deepcopy(base)
        if new is _DROP:
            del _at(event, target)[name]
        else:
            _at(event, target)[name] = new
        return Case(what, event, status, kind, prefix + name if kind else "")

    typed = [p for p in props if p.schema.type is not None]
    plain = [p for p in typed if p.schema.enum is None]
    if prop := _pick([p for p in props if p.required], seed):
        yield case("dropped", prop.name, _DROP, Status.INVALID, "missing")
    if prop := _pick(plain, seed):
        yield case("wrong type", prop.name, WRONG_TYPE[prop.schema.type], Status.INVALID, "type")
    if prop := _pick([p for p in typed if p.schema.enum is not None], seed):
        yield case("outside enum", prop.name, "zz-undeclared", Status.INVALID, "enum")
    if prop := _pick([p for p in plain if _violation(p.schema) is not None], seed):
        yield case("constraint", prop.name, _violation(prop.schema), Status.INVALID, "constraint")
    if prop := _pick([p for p in typed if not p.schema.nullable], seed):
        yield case("null", prop.name, None, Status.INVALID, "null")
    if prop := _pick([p for p in props if p.schema.nullable], seed):
        yield case("null where nullable", prop.name, None, Status.OK, None)


_DROP: Any = object()


def undeclared(schema: Schema, base: dict[str, Any], target: Keys, prefix: str) -> Case:
    """An undeclared property: drift, or invalid where the object is closed."""
    event = deepcopy(base)
    _at(event, target)[UNDECLARED] = "x"
    status = Status.INVALID if schema.additional is False else Status.DRIFT
    return Case("undeclared", event, status, "unexpected_field", prefix + UNDECLARED)


def objects(
    schema: Schema, data: Any, target: Keys, prefix: str
) -> Iterator[tuple[Schema, Keys, str]]:
    """The objects with declared properties nested in ``data``, an instance of ``schema``."""
    for name, prop in (schema.properties or {}).items():
        inner, keys, path, value = prop.schema, [*target, name], prefix + name, data.get(name)
        if inner.items is not None and isinstance(value, list) and value:
            inner, keys, path, value = inner.items, [*keys, 0], f"{path}[0]", value[0]
        if inner.properties is not None and isinstance(value, dict):
            yield inner, keys, f"{path}."
            yield from objects(inner, value, keys, f"{path}.")


def cases(name: str, event_type: str, seed: int) -> Iterator[Case]:
    """The event of ``event_type`` built from the contract, and defects derived from it.

    Defects go into the payload and into one of its nested objects (which one varies with
    ``seed``); every closed nested object also gets an undeclared property.
    """
    source = spec(name)
    base = valid_event(name, event_type, full=True)
    schema = source.payload_of(event_type)
    yield Case("full", base, Status.OK)
    yield Case("required only", valid_event(name, event_type, full=False), Status.OK)
    top = ["event_data"]
    yield from property_cases(schema, base, top, "event_data.", seed, {source.discriminator})
    yield undeclared(schema, base, top, "event_data.")
    nested = list(objects(schema, base["event_data"], top, "event_data."))
    chosen = _pick(nested, seed)
    for inner, keys, prefix in nested:
        if (inner, keys, prefix) == chosen:
            yield from property_cases(inner, base, keys, prefix, seed, set())
        if (inner, keys, prefix) == chosen or inner.additional is False:
            yield undeclared(inner, base, keys, prefix)
    path = f"event_data.{source.discriminator}"
    removed = deepcopy(base)
    del removed["event_data"][source.discriminator]
    yield Case("no discriminator", removed, Status.MISMATCH, "discriminator", path)
    other = deepcopy(base)
    other["event_data"][source.discriminator] = _pick(
        [t for t in source.mapping if t != event_type], seed
    )
    yield Case("other discriminator", other, Status.MISMATCH, "discriminator", path)


def failures(name: str, case: Case) -> str | None:
    decoded = decode(case.event, contract=load_contract(name))
    found = [(i.kind, i.path) for i in decoded.issues]
    if decoded.status is not case.status:
        return f"{case.what}: {decoded.status} {found}, expected {case.status} at {case.path}"
    if case.kind is None and found:
        return f"{case.what}: unexpected issues {found}"
    if case.kind is not None and (case.kind, case.path) not in found:
        return f"{case.what}: no {case.kind} issue at {case.path}: {found}"
    return None


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_contract_built_events_decode_and_each_defect_is_named(name: str) -> None:
    source = spec(name)
    failed = [
        f"{event_type}: {failure}"
        for seed, event_type in enumerate(source.mapping)
        for case in cases(name, event_type, seed)
        if (failure := failures(name, case)) is not None
    ]
    assert not failed, "\n".join(failed[:40])


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_envelope_defects_are_named(name: str) -> None:
    source = spec(name)
    envelope = source.envelope
    base = valid_event(name, next(iter(source.mapping)), full=True)
    skip = {"event_type", "event_data"}
    every = {
        (case.what, case.path): case
        for seed in range(len(envelope.properties or ()))
        for case in property_cases(envelope, base, [], "", seed, skip)
    }
    failed = [f for case in every.values() if (f := failures(name, case)) is not None]
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_an_event_type_the_contract_does_not_map_is_unknown(name: str) -> None:
    source = spec(name)
    others = sorted({t for n in CONTRACT_NAMES for t in spec(n).mapping} - set(source.mapping))
    foreign = others[0] if others else "gateway.signal.throttled"
    event = valid_event(name, next(iter(source.mapping)))
    event["event_type"] = event["event_data"][source.discriminator] = foreign
    case = Case("unknown", event, Status.UNKNOWN, "unknown_type", "event_type")
    assert failures(name, case) is None, failures(name, case)


def test_null_on_a_non_nullable_enum_property_is_a_null_issue() -> None:
    event = valid_event("main", "gateway.signal.received")
    event["event_data"]["signal_type"] = None
    case = Case("null", event, Status.INVALID, "null", "event_data.signal_type")
    assert failures("main", case) is None, failures("main", case)


# -- the known facts of the contracts' README ----------------------------------------------


def test_an_rca_needs_its_summary_under_main() -> None:
    event = valid_event("main", "aiagent.rca.complete", full=False)
    rca = event["event_data"]["response_data"]["rootCauseAnalysis"]
    assert "summary" in rca
    assert decode(event, contract=load_contract("main")).status is Status.OK
    del rca["summary"]
    decoded = decode(event, contract=load_contract("main"))
    assert decoded.status is Status.INVALID
    assert [(i.kind, i.path) for i in decoded.issues] == [
        ("missing", "event_data.response_data.rootCauseAnalysis.summary")
    ]


def test_the_mapped_event_type_counts() -> None:
    counts = {name: len(spec(name).mapping) for name in CONTRACT_NAMES}
    assert counts == {"2026-01-24": 47, "v1.4.0": 90, "v1.5.7": 136, "v1.6.0-rc4": 140, "main": 142}
    assert len(set(spec("main").mapping.values())) == 94


MAIN_ONLY = {
    "agentsession.admitted.create",
    "agentsession.denied.create",
    "aiagent.secret.accessed",
    "apifrontend.workflow.discovery",
    "datastorage.ratelimit.denied",
    "gateway.config.rejected",
    "gateway.config.reloaded",
}


@pytest.mark.parametrize(
    ("event_type", "fits", "unknown_in"),
    [
        ("aianalysis.aiagent.session_lost", "v1.5.7", "main"),
        *((t, "main", "v1.5.7") for t in sorted(MAIN_ONLY)),
    ],
)
def test_types_one_version_maps_and_the_other_does_not(
    event_type: str, fits: str, unknown_in: str
) -> None:
    event = valid_event(fits, event_type)
    assert decode(event, contract=load_contract(fits)).status is Status.OK
    decoded = decode(event, contract=load_contract(unknown_in))
    assert decoded.status is Status.UNKNOWN
    assert ("unknown_type", "event_type") in [(i.kind, i.path) for i in decoded.issues]


def test_main_adds_exactly_these_types_over_v1_5_7() -> None:
    main, v157 = set(spec("main").mapping), set(spec("v1.5.7").mapping)
    assert main - v157 == MAIN_ONLY
    assert v157 - main == {"aianalysis.aiagent.session_lost"}


def test_the_oldest_contract_still_has_the_pre_rename_types() -> None:
    renamed = {t for t in spec("2026-01-24").mapping if "holmesgpt" in t or t.startswith("llm_")}
    assert renamed == {
        "aianalysis.holmesgpt.call",
        "holmesgpt.response.complete",
        "llm_request",
        "llm_response",
        "llm_tool_call",
    }
    for event_type in sorted(renamed):
        event = valid_event("2026-01-24", event_type)
        assert decode(event, contract=load_contract("2026-01-24")).status is Status.OK
        assert decode(event, contract=load_contract("main")).status is Status.UNKNOWN
