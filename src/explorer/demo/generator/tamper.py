"""The hash chain per correlation ID, and the realistic mismatches injected into a few events."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping
from typing import Any, get_args

import orjson
from pydantic import BaseModel

from explorer.demo.generator.catalog import meta
from explorer.demo.generator.values import hex_id, pick
from explorer.models.registry import load_contract, service_of

HASH_ALGORITHM = "sha256-unkeyed"
# Fields outside the hashed content: the chain itself and the mutable legal hold.
UNHASHED = frozenset(
    {
        "event_hash",
        "previous_event_hash",
        "hash_algorithm",
        "legal_hold",
        "legal_hold_reason",
        "legal_hold_placed_by",
        "legal_hold_placed_at",
    }
)


def event_hash(event: Mapping[str, Any], previous: str | None) -> str:
    """sha256 hex of the previous hash followed by the event's canonical JSON (sorted keys),
    without the chain and legal-hold fields."""
    body = {key: value for key, value in event.items() if key not in UNHASHED}
    return _digest(body, previous)


def _digest(body: Mapping[str, Any], previous: str | None) -> str:
    digest = hashlib.sha256((previous or "").encode())
    digest.update(orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


def seal(events: list[dict[str, Any]], rng: random.Random, broken: int | None) -> None:
    """Chain ``events`` (already in time order); at index ``broken`` the link points nowhere."""
    previous: str | None = None
    for index, event in enumerate(events):
        if index == broken:
            previous = hex_id(rng, 64)
        current = _digest(event, previous)
        event["event_hash"] = current
        event["previous_event_hash"] = previous
        event["hash_algorithm"] = HASH_ALGORITHM
        event["legal_hold"] = False
        previous = current


KINDS: tuple[tuple[str, float], ...] = (
    ("missing_discriminator", 0.18),
    ("renamed_field", 0.15),
    ("new_enum_value", 0.15),
    ("undeclared_field", 0.25),
    ("unknown_type", 0.09),
    ("wrong_type", 0.10),
    ("null_field", 0.08),
    ("older_release", 0.12),
)
_KIND_NAMES = tuple(name for name, _ in KINDS)
_KIND_WEIGHTS = tuple(weight for _, weight in KINDS)

_RENAMES = {
    "signal_name": "alert_name",
    "rr_name": "remediation_request_name",
    "workflow_id": "workflowID",
    "session_id": "sessionId",
    "incident_id": "incidentID",
    "namespace": "target_namespace",
    "notification_id": "notificationId",
    "action_type": "actionType",
}
_NEW_ENUM = {
    "phase": "Suspended",
    "outcome": "PartialSuccess",
    "decision": "Deferred",
    "severity": "fatal",
    "signal_type": "kubernetes-event",
    "component": "slo",
    "failure_reason": "QuotaExceeded",
    "deduplication_status": "suppressed",
    "persona": "auditor",
    "auth_method": "mtls",
    "action": "patch",
    "environment": "qa",
    "priority": "P5",
}
_NEW_TYPES = {
    "gateway": "gateway.signal.throttled",
    "orchestrator": "orchestrator.lifecycle.paused",
    "aiagent": "aiagent.llm.stream_chunk",
    "aianalysis": "aianalysis.cache.hit",
    "workflowexecution": "workflowexecution.step.retried",
    "notification": "notification.message.bounced",
    "effectiveness": "effectiveness.slo.assessed",
    "signalprocessing": "signalprocessing.signal.suppressed",
    "apifrontend": "apifrontend.session.resumed",
}
_DRIFT: tuple[tuple[str, Callable[[random.Random], Any]], ...] = (
    ("trace_id", lambda rng: hex_id(rng, 32)),
    ("producer_version", lambda rng: pick(rng, ("v1.7.0-rc.1", "v1.7.0", "v1.8.0-dev"))),
    ("tenant_id", lambda rng: pick(rng, ("acme-prod", "acme-eu"))),
    ("retry_budget", lambda rng: rng.randint(1, 5)),
)


def inject(rng: random.Random, events: list[dict[str, Any]], rate: float) -> list[str | None]:
    """Turn about ``rate`` of ``events`` into realistic mismatches; returns each event's kind."""
    kinds: list[str | None] = [None] * len(events)
    if rate <= 0.0:
        return kinds
    for index, event in enumerate(events):
        if rng.random() < rate:
            wanted = rng.choices(_KIND_NAMES, _KIND_WEIGHTS)[0]
            kinds[index] = _apply(rng, event, wanted)
    return kinds


OLDER_RELEASE = "v1.5.7"


def _keep_declared(data: Any, model: type[BaseModel]) -> None:
    """Drop from ``data`` (in place, nested objects too) what ``model`` does not declare."""
    if not isinstance(data, dict):
        return
    fields = {f.alias or name: f for name, f in model.model_fields.items()}
    for key in [key for key in data if key not in fields]:
        del data[key]
    for key, value in data.items():
        inner = _model_of(fields[key].annotation)
        if inner is not None:
            for item in value if isinstance(value, list) else [value]:
                _keep_declared(item, inner)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model an annotation holds (through ``| None``, list and Annotated), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _older_release(rng: random.Random, event: dict[str, Any]) -> bool:
    """What a producer still on v1.5.7 sends: ``cluster_name`` where main says
    ``cluster_id``, only the payload properties v1.5.7 declares (so no ``signal_name``
    in ``apifrontend.rr.created``, which main requires), and AI agent sessions reported
    lost (a type main retired). False for a type v1.5.7 does not have."""
    info = load_contract(OLDER_RELEASE).registry.get(event["event_type"])
    if info is None:
        return False
    if "cluster_id" in event:
        event["cluster_name"] = event.pop("cluster_id")
    _keep_declared(event["event_data"], info.model)
    if event["event_type"].startswith("aianalysis.aiagent."):
        lost = "aianalysis.aiagent.session_lost"
        event.update(event_type=lost, event_action="session_lost", event_outcome="failure")
        event["event_data"] = {
            "event_type": lost,
            "endpoint": f"/api/v1/incident/session/{hex_id(rng, 12)}",
            "http_status_code": 404,
            "duration_ms": rng.randint(5, 3000),
        }
    return True


def _apply(rng: random.Random, event: dict[str, Any], kind: str) -> str:
    if kind == "older_release" and _older_release(rng, event):
        return kind
    data: dict[str, Any] = event["event_data"]
    slots = meta(event["event_type"]).plan.slots
    if kind == "missing_discriminator":
        del data["event_type"]
        event["version"] = "0.9"  # an old producer
        return kind
    if kind == "unknown_type":
        service = service_of(event["event_type"])
        new = _NEW_TYPES.get(service, f"{service}.event.observed")
        event["event_type"] = data["event_type"] = new
        event["event_action"] = new.rsplit(".", 1)[-1]
        return kind
    present = [slot for name, slot in slots.items() if name in data and name != "event_type"]
    if kind == "renamed_field":
        names = [slot.name for slot in present if slot.required]
        if names:
            preferred = [name for name in names if name in _RENAMES] or names
            name = pick(rng, preferred)
            data[_RENAMES.get(name) or _camel(name)] = data.pop(name)
            return kind
    elif kind == "new_enum_value":
        literals = [slot for slot in present if slot.kind == "literal"]
        if literals:
            slot = pick(rng, literals)
            value = _NEW_ENUM.get(slot.name, f"{data[slot.name]}V2")
            data[slot.name] = value if value not in slot.literals else f"{value}V2"
            return kind
    elif kind == "wrong_type":
        numbers = [slot.name for slot in present if slot.kind in ("int", "float", "bool")]
        if numbers:
            name = pick(rng, numbers)
            data[name] = str(data[name]).lower()
            return kind
    elif kind == "null_field":
        nullable = [
            slot.name
            for slot in present
            if not slot.required and not slot.nullable and slot.kind != "any"
        ]
        if nullable:
            data[pick(rng, nullable)] = None
            return kind
    key, value = pick(rng, _DRIFT)
    data[key] = value(rng)
    return "undeclared_field"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest) if rest else name + "_value"
