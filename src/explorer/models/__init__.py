"""Pydantic models of the audit contract versions, the event-type registry and decoding."""

from explorer.models.decode import Decoded, Issue, IssueKind, Status, decode
from explorer.models.registry import (
    CONTRACT_NAMES,
    DEFAULT_CONTRACT,
    REGISTRY,
    Contract,
    ContractInfo,
    EventTypeInfo,
    contract_info,
    load_contract,
    service_of,
)

__all__ = [
    "CONTRACT_NAMES",
    "DEFAULT_CONTRACT",
    "REGISTRY",
    "Contract",
    "ContractInfo",
    "Decoded",
    "EventTypeInfo",
    "Issue",
    "IssueKind",
    "Status",
    "contract_info",
    "decode",
    "load_contract",
    "service_of",
]
