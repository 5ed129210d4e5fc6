"""Pydantic models of the audit contract, the event-type registry and decoding."""

from explorer.models.decode import Decoded, Issue, IssueKind, Status, decode
from explorer.models.envelope import Envelope
from explorer.models.registry import REGISTRY, EventTypeInfo, service_of

__all__ = [
    "REGISTRY",
    "Decoded",
    "Envelope",
    "EventTypeInfo",
    "Issue",
    "IssueKind",
    "Status",
    "decode",
    "service_of",
]
