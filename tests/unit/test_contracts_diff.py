"""``diff_contracts``, checked against the contract files themselves.

The diff reads the generated models; these tests read the OpenAPI YAML (beside the
checkout, never copied into it) and work out independently what must have changed.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
from functools import cache
from typing import Annotated, Any, Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, create_model

from explorer.core.contracts import (
    CHANGE_KINDS,
    ENVELOPE,
    Change,
    ContractDiff,
    EventTypeChange,
    SchemaDiff,
    diff_contracts,
    shared_models,
)
from explorer.models.registry import CONTRACT_NAMES, Contract, load_contract
from tests.conftest import spec_file

PAIRS = list(itertools.pairwise(CONTRACT_NAMES))
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The kinds the YAML check below derives on its own, for every property at every depth.
CHECKED_KINDS = {"added", "removed", "required", "nullable", "enum"}


@cache
def schemas_of(name: str) -> dict[str, Any]:
    with spec_file(name).open(encoding="utf-8") as f:
        spec = yaml.load(f, Loader=_LOADER)
    return dict(spec["components"]["schemas"])


def mapping_of(name: str) -> dict[str, str]:
    """event type -> payload schema, from the YAML discriminator."""
    event_data = schemas_of(name)["AuditEventRequest"]["properties"]["event_data"]
    return {t: ref.rsplit("/", 1)[1] for t, ref in event_data["discriminator"]["mapping"].items()}


@cache
def diff_of(a: str, b: str) -> ContractDiff:
    return diff_contracts(load_contract(a), load_contract(b))


# -- event types ----------------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b"), [*PAIRS, ("2026-01-24", "main"), ("main", "v1.4.0")])
def test_event_types_are_the_difference_of_the_yaml_mappings(a: str, b: str) -> None:
    old, new = mapping_of(a), mapping_of(b)
    result = diff_of(a, b)
    assert {(e.event_type, e.after) for e in result.event_types_of("added")} == {
        (t, new[t]) for t in new.keys() - old.keys()
    }
    assert {(e.event_type, e.before) for e in result.event_types_of("removed")} == {
        (t, old[t]) for t in old.keys() - new.keys()
    }
    assert {(e.event_type, e.before, e.after) for e in result.event_types_of("remapped")} == {
        (t, old[t], new[t]) for t in old.keys() & new.keys() if old[t] != new[t]
    }


def test_v1_5_7_to_main_event_types() -> None:
    result = diff_of("v1.5.7", "main")
    assert [e.event_type for e in result.event_types_of("removed")] == [
        "aianalysis.aiagent.session_lost"
    ]
    assert [e.event_type for e in result.event_types_of("added")] == [
        "agentsession.admitted.create",
        "agentsession.denied.create",
        "aiagent.secret.accessed",
        "apifrontend.workflow.discovery",
        "datastorage.ratelimit.denied",
        "gateway.config.rejected",
        "gateway.config.reloaded",
    ]
    assert result.event_types_of("remapped") == ()


def test_a_renamed_schema_is_a_remap_and_the_schemas_move() -> None:
    old, new = mapping_of("v1.4.0"), mapping_of("v1.5.7")
    assert old["aiagent.alignment.step"] != new["aiagent.alignment.step"]
    result = diff_of("v1.4.0", "v1.5.7")
    assert EventTypeChange(
        "aiagent.alignment.step", old["aiagent.alignment.step"], new["aiagent.alignment.step"]
    ) in result.event_types_of("remapped")
    assert old["aiagent.alignment.step"] in {s.schema for s in result.schemas_removed}
    assert new["aiagent.alignment.step"] in {s.schema for s in result.schemas_added}


# -- properties, from the YAML --------------------------------------------------------------


def _yaml_object(name: str, contract: str) -> dict[str, Any]:
    """A component schema as one object: AuditEvent's allOf merged, event_data left out."""
    schemas = schemas_of(contract)
    schema = schemas[name]
    parts = [
        schemas[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
        for p in schema.get("allOf", [schema])
    ]
    props: dict[str, Any] = {}
    required: set[str] = set()
    for part in parts:
        props.update(part.get("properties", {}))
        required |= set(part.get("required", []))
    props.pop("event_data", None) if name == ENVELOPE else None
    return {"properties": props, "required": required}


def _resolve(node: dict[str, Any], contract: str, units: frozenset[str]) -> dict[str, Any] | None:
    """The object schema a property holds (itself, its items, a non-shared $ref)."""
    if node.get("type") == "array":
        node = node.get("items", {})
    if "allOf" in node and len(node["allOf"]) == 1:
        node = node["allOf"][0]
    if "$ref" in node:
        target = node["$ref"].rsplit("/", 1)[1]
        return None if target in units else schemas_of(contract)[target]
    return node if "properties" in node else None


def yaml_facts(
    name: str, contract: str, units: frozenset[str]
) -> dict[str, tuple[bool, bool, frozenset[Any]]]:
    """path -> (required, nullable, enum values), walking inline objects like the diff does."""
    facts: dict[str, tuple[bool, bool, frozenset[Any]]] = {}

    def walk(obj: dict[str, Any], prefix: str) -> None:
        required = set(obj.get("required", []))
        for key, prop in (obj.get("properties") or {}).items():
            path = prefix + key
            enum = prop.get("enum") or prop.get("items", {}).get("enum") or []
            facts[path] = (key in required, bool(prop.get("nullable")), frozenset(enum) - {None})
            inner = _resolve(prop, contract, units)
            if inner is not None:
                walk(inner, path + ("[]." if prop.get("type") == "array" else "."))

    walk(_yaml_object(name, contract), "")
    mapped = frozenset(t for t, schema in mapping_of(contract).items() if schema == name)
    if mapped:  # the discriminator: a payload says which of its event types it is
        facts["event_type"] = (True, False, mapped)
    return facts


def expected_changes(name: str, a: str, b: str, units: frozenset[str]) -> set[tuple[Any, ...]]:
    old, new = yaml_facts(name, a, units), yaml_facts(name, b, units)

    def parent_in(path: str, paths: set[str]) -> bool:
        head = path.rsplit(".", 1)[0].removesuffix("[]")
        return "." in path and head in paths

    gone, born = old.keys() - new.keys(), new.keys() - old.keys()
    found: set[tuple[Any, ...]] = {(p, "added") for p in born if not parent_in(p, born)}
    found |= {(p, "removed") for p in gone if not parent_in(p, gone)}
    for path in old.keys() & new.keys():
        (req_a, null_a, enum_a), (req_b, null_b, enum_b) = old[path], new[path]
        if req_a != req_b:
            found.add((path, "required", req_a, req_b))
        if null_a != null_b:
            found.add((path, "nullable", null_a, null_b))
        if enum_a != enum_b:
            found.add((path, "enum", frozenset(enum_a - enum_b), frozenset(enum_b - enum_a)))
    return found


def reported(schema: SchemaDiff | None) -> set[tuple[Any, ...]]:
    found: set[tuple[Any, ...]] = set()
    for c in schema.changes if schema is not None else ():
        if c.kind in ("added", "removed"):
            found.add((c.path, c.kind))
        elif c.kind == "enum":
            assert isinstance(c.before, tuple) and isinstance(c.after, tuple)
            found.add((c.path, c.kind, frozenset(c.before), frozenset(c.after)))
        elif c.kind in CHECKED_KINDS:
            found.add((c.path, c.kind, c.before, c.after))
    return found


def check_against_yaml(result: ContractDiff, a: str, b: str, units: frozenset[str]) -> int:
    """Every schema both sides have: the YAML's changes are exactly the diff's. Returns how many."""
    changed = {s.schema: s for s in result.schemas_changed}
    names = ({ENVELOPE} | set(mapping_of(a).values()) | units) & set(schemas_of(a))
    names &= set(mapping_of(b).values()) | {ENVELOPE} | units
    names &= set(schemas_of(b))
    for name in sorted(names):
        assert reported(changed.get(name)) == expected_changes(name, a, b, units), name
    return len(names)


def units_of(a: str, b: str) -> frozenset[str]:
    shared = set(shared_models(load_contract(a))) | set(shared_models(load_contract(b)))
    return frozenset(shared | set(mapping_of(a).values()) | set(mapping_of(b).values()))


@pytest.mark.parametrize(("a", "b"), [*PAIRS, ("main", "2026-01-24")])
def test_property_changes_match_the_yaml(a: str, b: str) -> None:
    result = diff_of(a, b)
    assert check_against_yaml(result, a, b, units_of(a, b)) > 20
    assert {c.kind for s in result.schemas_changed for c in s.changes} <= set(CHANGE_KINDS)


def test_payload_schemas_only_one_side_has_are_added_or_removed() -> None:
    for a, b in PAIRS:
        result = diff_of(a, b)
        old, new = set(mapping_of(a).values()), set(mapping_of(b).values())
        added = {s.schema for s in result.schemas_added}
        removed = {s.schema for s in result.schemas_removed}
        assert (new - old) - set(schemas_of(a)) <= added
        assert (old - new) - set(schemas_of(b)) <= removed
        assert added <= set(schemas_of(b)) and removed <= set(schemas_of(a))


def test_v1_5_7_to_main_properties() -> None:
    """cluster_name became cluster_id; isActionable and reasoning_text are new in main."""
    old, new = schemas_of("v1.5.7"), schemas_of("main")
    request_old, request_new = (s["AuditEventRequest"]["properties"] for s in (old, new))
    assert "cluster_name" in request_old and "cluster_name" not in request_new
    assert "cluster_id" in request_new and "cluster_id" not in request_old
    ird = new["IncidentResponseData"]["properties"]["isActionable"]
    assert "isActionable" not in old["IncidentResponseData"]["properties"]
    assert "reasoning_text" not in old["LLMResponsePayload"]["properties"]
    assert "reasoning_text" in new["LLMResponsePayload"]["properties"]

    changed = {s.schema: s for s in diff_of("v1.5.7", "main").schemas_changed}
    envelope = changed[ENVELOPE].changes
    assert Change("cluster_id", "added", None, "string, optional, nullable") in envelope
    assert Change("cluster_name", "removed", "string, optional, nullable", None) in envelope
    nullable = ", nullable" if ird.get("nullable") else ""
    assert Change("isActionable", "added", None, f"boolean, optional{nullable}") in (
        changed["IncidentResponseData"].changes
    )
    assert changed["IncidentResponseData"].used_by == (
        "AIAgentRCACompletePayload.response_data",
        "AIAgentResponsePayload.response_data",
    )
    assert Change("reasoning_text", "added", None, "string, optional") in (
        changed["LLMResponsePayload"].changes
    )
    assert changed["LLMResponsePayload"].used_by == ("aiagent.llm.response",)


def test_nested_properties_are_reported_by_path() -> None:
    old = schemas_of("v1.5.7")["IncidentResponseData"]["properties"]["rootCauseAnalysis"]
    new = schemas_of("main")["IncidentResponseData"]["properties"]["rootCauseAnalysis"]
    born = sorted(new["properties"].keys() - old["properties"].keys())
    assert born
    changed = {s.schema: s for s in diff_of("v1.5.7", "main").schemas_changed}
    paths = [c.path for c in changed["IncidentResponseData"].changes if c.kind == "added"]
    assert [p for p in paths if p.startswith("rootCauseAnalysis.")] == [
        f"rootCauseAnalysis.{p}" for p in born
    ]


# -- symmetry -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_a_contract_against_itself_is_empty(name: str) -> None:
    result = diff_contracts(load_contract(name), load_contract(name))
    assert result.is_empty
    assert result.as_dict()["schemas"] == {"added": [], "removed": [], "changed": []}


_MIRROR = {"added": "removed", "removed": "added"}


def mirrored(result: ContractDiff) -> dict[str, Any]:
    """What ``diff B A`` must say, given ``diff A B``: before and after swapped."""

    def changes(s: SchemaDiff) -> set[tuple[Any, ...]]:
        return {
            (c.path, _MIRROR.get(c.kind, c.kind), c.constraint, c.after, c.before)
            for c in s.changes
        }

    return {
        "event_types": {(e.event_type, e.after, e.before) for e in result.event_types},
        "added": {(s.schema, s.used_by) for s in result.schemas_removed},
        "removed": {(s.schema, s.used_by) for s in result.schemas_added},
        "changed": {s.schema: (s.used_by, changes(s)) for s in result.schemas_changed},
    }


def as_sets(result: ContractDiff) -> dict[str, Any]:
    return {
        "event_types": {(e.event_type, e.before, e.after) for e in result.event_types},
        "added": {(s.schema, s.used_by) for s in result.schemas_added},
        "removed": {(s.schema, s.used_by) for s in result.schemas_removed},
        "changed": {
            s.schema: (
                s.used_by,
                {(c.path, c.kind, c.constraint, c.before, c.after) for c in s.changes},
            )
            for s in result.schemas_changed
        },
    }


@pytest.mark.parametrize(("a", "b"), [*PAIRS, ("2026-01-24", "main")])
def test_diff_b_a_mirrors_diff_a_b(a: str, b: str) -> None:
    assert as_sets(diff_of(b, a)) == mirrored(diff_of(a, b))


# -- the checks fail when they should -------------------------------------------------------


def rebuilt(
    model: type[BaseModel], /, drop: tuple[str, ...] = (), **fields: Any
) -> type[BaseModel]:
    """``model`` again under its own name, without ``drop``, with ``fields`` replaced."""
    config = fields.pop("__config__", None) or model.model_config
    kept: dict[str, Any] = {
        n: (f.annotation, f) for n, f in model.model_fields.items() if n not in drop
    }
    kept.update(fields)
    return create_model(model.__name__, __config__=config, **kept)


def with_payload(contract: Contract, **models: type[BaseModel]) -> Contract:
    """A copy of ``contract`` with some payload schemas (by name) replaced."""
    fake = copy.copy(contract)
    fake.registry = {
        t: dataclasses.replace(i, model=models.get(i.schema, i.model))
        for t, i in contract.registry.items()
    }
    fake.payload_schemas = {**contract.payload_schemas, **models}
    return fake


def test_a_hand_modified_model_shows_every_kind_of_change() -> None:
    main = load_contract("main")
    original = main.payload_schemas["LLMResponsePayload"]
    changed = rebuilt(
        original,
        drop=("reasoning_text",),
        analysis_preview=(int | None, ...),
        __config__=ConfigDict(extra="forbid"),
    )
    result = diff_contracts(main, with_payload(main, LLMResponsePayload=changed))
    assert [s.schema for s in result.schemas_changed] == ["LLMResponsePayload"]
    assert result.schemas_changed[0].changes == (
        Change("", "additional_properties", "allow", "forbid"),
        Change("analysis_preview", "nullable", False, True),
        Change("analysis_preview", "type", "string", "integer"),
        Change("reasoning_text", "removed", "string, optional", None),
    )


def test_constraints_enum_and_required_changes_are_reported() -> None:
    main = load_contract("main")
    original = main.payload_schemas["LLMRequestPayload"]
    changed = rebuilt(
        original,
        prompt_length=(Annotated[int, Field(ge=1, le=9223372036854775807)], ...),
        model=(Literal["a", "b"], ...),
        max_tokens=(Annotated[int, Field(ge=0, le=9223372036854775807)], ...),
    )
    changes = diff_contracts(main, with_payload(main, LLMRequestPayload=changed))
    assert changes.schemas_changed[0].changes == (
        Change("max_tokens", "required", False, True),
        Change("model", "enum", (), ("a", "b")),
        Change("prompt_length", "constraint", 0, 1, constraint="ge"),
    )


def test_the_yaml_check_catches_a_diff_that_misses_a_property() -> None:
    """A contract whose IncidentResponseData lacks isActionable no longer matches the YAML."""
    main = load_contract("main")
    users = ("AIAgentResponsePayload", "AIAgentRCACompletePayload")
    response = main.payload_schemas[users[0]].model_fields["response_data"].annotation
    assert isinstance(response, type) and issubclass(response, BaseModel)
    trimmed = rebuilt(response, drop=("isActionable",))
    fake = with_payload(
        main,
        **{n: rebuilt(main.payload_schemas[n], response_data=(trimmed, ...)) for n in users},
    )
    units = units_of("v1.5.7", "main")
    check_against_yaml(diff_of("v1.5.7", "main"), "v1.5.7", "main", units)
    with pytest.raises(AssertionError, match="IncidentResponseData"):
        check_against_yaml(diff_contracts(load_contract("v1.5.7"), fake), "v1.5.7", "main", units)
