"""The contract versions the tool ships, and per contract: event type -> payload model.

Each version is one generated module in :mod:`explorer.models.contracts`, imported the
first time it is used, so that start-up and ``validate`` on the default contract pay for
one module only. :data:`REGISTRY` and friends are the default contract's.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache, cached_property
from types import ModuleType
from typing import Any

from pydantic import BaseModel, create_model

from explorer.errors import ContractError
from explorer.models.contracts import catalog


@dataclass(frozen=True, slots=True)
class EventTypeInfo:
    event_type: str
    service: str
    schema: str
    model: type[BaseModel]


@dataclass(frozen=True, slots=True)
class ContractInfo:
    """What the catalog says of one version, without importing its models."""

    name: str
    module: str
    upstream: str
    date: str
    event_types: int
    payload_schemas: int


CONTRACTS: dict[str, ContractInfo] = {
    str(entry["name"]): ContractInfo(**entry)  # type: ignore[arg-type]
    for entry in catalog.CONTRACTS
}
DEFAULT_CONTRACT: str = catalog.DEFAULT
CONTRACT_NAMES: tuple[str, ...] = tuple(CONTRACTS)

# Envelope properties renamed between versions: today's name -> the older one. The cache
# has one column per property under today's name, so every version reads alike.
ENVELOPE_RENAMES: dict[str, str] = {"cluster_id": "cluster_name"}


def service_of(event_type: str) -> str:
    """The producing service: the event type's first dot-separated segment."""
    return event_type.split(".", 1)[0]


def contract_info(name: str) -> ContractInfo:
    """The catalog entry of ``name``; a one-line error naming the shipped ones otherwise."""
    info = CONTRACTS.get(name)
    if info is None:
        known = ", ".join(CONTRACT_NAMES)
        shown = name if len(name) <= 40 else name[:39] + "…"
        raise ContractError(f"unknown contract {shown!r}; the shipped contracts are: {known}")
    return info


class Contract:
    """One contract version's models: the envelope, the payloads, the discriminator map."""

    def __init__(self, info: ContractInfo) -> None:
        self.info = info
        self.name = info.name
        self.module: ModuleType = importlib.import_module(
            f"explorer.models.contracts.{info.module}"
        )
        self.registry: dict[str, EventTypeInfo] = {
            event_type: EventTypeInfo(
                event_type, service_of(event_type), schema, self._model(schema)
            )
            for event_type, schema in self.module.EVENT_TYPE_SCHEMAS.items()
        }
        # Payload schema name -> model, one entry per schema (several types can share one).
        self.payload_schemas: dict[str, type[BaseModel]] = {
            i.schema: i.model for i in self.registry.values()
        }
        self.services: tuple[str, ...] = tuple(sorted({i.service for i in self.registry.values()}))
        self._event_models: dict[str, type[BaseModel]] = {}

    def __repr__(self) -> str:
        return f"Contract({self.name!r})"

    def _model(self, schema: str) -> type[BaseModel]:
        model = getattr(self.module, schema)
        assert isinstance(model, type) and issubclass(model, BaseModel)
        return model

    @cached_property
    def envelope(self) -> type[BaseModel]:
        """Every envelope property of ``AuditEvent``, with ``event_data`` left untyped.

        The payload is decoded separately, against the model of the envelope's own
        ``event_type``, so that a mismatch can be diagnosed instead of rejected.
        Undeclared properties are kept in ``model_extra``.
        """
        return create_model("Envelope", __base__=self.module.AuditEvent, event_data=(Any, None))

    @cached_property
    def envelope_fields(self) -> frozenset[str]:
        """The property names the envelope declares (``event_data`` included)."""
        return frozenset(f.alias or n for n, f in self.envelope.model_fields.items())

    @cached_property
    def model_names(self) -> frozenset[str]:
        """Every generated class name (decoding drops them from error locations)."""
        return frozenset(n for n in dir(self.module) if n[:1].isupper())

    def event_model(self, event_type: str) -> type[BaseModel]:
        """The envelope with ``event_data`` typed as the payload model of ``event_type``."""
        model = self._event_models.get(event_type)
        if model is None:
            info = self.registry[event_type]
            model = create_model(
                f"{info.schema}Event", __base__=self.envelope, event_data=(info.model, ...)
            )
            self._event_models[event_type] = model
        return model


@cache
def load_contract(name: str = DEFAULT_CONTRACT) -> Contract:
    """The models of contract ``name`` (imported once). Raises :class:`ContractError`."""
    return Contract(contract_info(name))


def default_contract() -> Contract:
    return load_contract(DEFAULT_CONTRACT)


_DEFAULT = default_contract()
REGISTRY: dict[str, EventTypeInfo] = _DEFAULT.registry
PAYLOAD_SCHEMAS: dict[str, type[BaseModel]] = _DEFAULT.payload_schemas
SERVICES: tuple[str, ...] = _DEFAULT.services


@cache
def view_name(schema: str) -> str:
    """``AIAgentRCACompletePayload`` -> ``payload_ai_agent_rca_complete``."""
    base = schema.removesuffix("Payload")
    base = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", base)
    base = re.sub(r"([a-z])([A-Z])", r"\1_\2", base)
    return "payload_" + base.lower()
