"""Minimal valid events for tests, built from the generated models (independent of the demo)."""

from __future__ import annotations

import types
import typing
import uuid
from datetime import date, datetime
from typing import Any

import annotated_types
from pydantic import AwareDatetime, BaseModel

from explorer.models.registry import REGISTRY

TIMESTAMP = "2026-11-20T10:00:00Z"


def value_for(annotation: Any, metadata: list[Any]) -> Any:
    """A value that satisfies ``annotation`` and its constraints."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Annotated:
        return value_for(args[0], metadata + list(annotation.__metadata__))
    if origin in (typing.Union, types.UnionType):
        return value_for(args[0], metadata)
    if origin is typing.Literal:
        return args[0]
    if origin is list:
        return [value_for(args[0], [])] if args else []
    if origin is dict:
        return {"k": value_for(args[1], [])} if len(args) == 2 else {}
    if annotation is AwareDatetime or annotation is datetime:
        return TIMESTAMP
    if annotation is date:
        return "2026-11-20"
    if annotation is uuid.UUID:
        return str(uuid.UUID(int=1))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return minimal(annotation)
    low = next((m.ge for m in metadata if isinstance(m, annotated_types.Ge)), None)
    low = (
        low
        if low is not None
        else next((m.gt + 1 for m in metadata if isinstance(m, annotated_types.Gt)), None)
    )
    if annotation is bool:
        return True
    if annotation is int:
        return int(low) if low is not None else 1
    if annotation is float:
        return float(low) if low is not None else 0.5
    if annotation is str:
        pattern = next(
            (getattr(m, "pattern", None) for m in metadata if getattr(m, "pattern", None)), None
        )
        if pattern:
            raise NotImplementedError(f"pattern {pattern}")
        min_len = next((m.min_length for m in metadata if isinstance(m, annotated_types.MinLen)), 1)
        return "x" * max(min_len, 1)
    return "x"


def minimal(model: type[BaseModel]) -> dict[str, Any]:
    """Only the required fields."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.is_required():
            out[info.alias or name] = value_for(info.annotation, list(info.metadata))
    return out


def event(event_type: str = "gateway.signal.received", **envelope: Any) -> dict[str, Any]:
    """A complete, valid event of ``event_type`` (envelope + minimal payload)."""
    model = REGISTRY[event_type].model
    data = minimal(model)
    data["event_type"] = event_type
    base: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "version": "1.0",
        "event_type": event_type,
        "event_timestamp": TIMESTAMP,
        "event_category": "gateway",
        "event_action": "received",
        "event_outcome": "success",
        "correlation_id": "rr-payment-api-01",
        "event_data": data,
    }
    base.update(envelope)
    return base
