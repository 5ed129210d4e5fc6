"""The audit event envelope, as the query endpoint returns it."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from explorer.models import payloads


class Envelope(payloads.AuditEvent):
    """Every envelope property of ``AuditEvent``, with ``event_data`` left untyped.

    The payload is decoded separately, against the model of the envelope's own
    ``event_type``, so that a mismatch can be diagnosed instead of rejected.
    Properties the contract does not declare (the server adds ``hash_algorithm``)
    are kept in ``model_extra``.
    """

    model_config = ConfigDict(extra="allow")

    event_data: Any = None


# The fields the envelope declares, in contract order (event_data last).
ENVELOPE_FIELDS: tuple[str, ...] = (
    *(name for name in Envelope.model_fields if name != "event_data"),
    "event_data",
)
