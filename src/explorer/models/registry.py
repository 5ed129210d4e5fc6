"""Event type -> payload model and service, from the contract's discriminator mapping."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel

from explorer.models import payloads


@dataclass(frozen=True, slots=True)
class EventTypeInfo:
    event_type: str
    service: str
    schema: str
    model: type[BaseModel]


def service_of(event_type: str) -> str:
    """The producing service: the event type's first dot-separated segment."""
    return event_type.split(".", 1)[0]


def _model(schema: str) -> type[BaseModel]:
    model = getattr(payloads, schema)
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return model


REGISTRY: dict[str, EventTypeInfo] = {
    event_type: EventTypeInfo(event_type, service_of(event_type), schema, _model(schema))
    for event_type, schema in payloads.EVENT_TYPE_SCHEMAS.items()
}

# Payload schema name -> model, one entry per schema (several types can share one).
PAYLOAD_SCHEMAS: dict[str, type[BaseModel]] = {
    info.schema: info.model for info in REGISTRY.values()
}

SERVICES: tuple[str, ...] = tuple(sorted({info.service for info in REGISTRY.values()}))


@cache
def view_name(schema: str) -> str:
    """``AIAgentRCACompletePayload`` -> ``payload_ai_agent_rca_complete``."""
    base = schema.removesuffix("Payload")
    base = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", base)
    base = re.sub(r"([a-z])([A-Z])", r"\1_\2", base)
    return "payload_" + base.lower()
