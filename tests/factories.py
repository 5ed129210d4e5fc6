"""Valid events for tests, built from the contract (``tests/contract.py``), not the models.

Built from the YAML, an event can show the models wrong: one built from the models would
only show that they agree with themselves. Without ../shared the tests that build events
are skipped.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel

from explorer.models.registry import DEFAULT_CONTRACT
from tests.contract import TIMESTAMP, spec, valid_event, value

__all__ = ["TIMESTAMP", "event", "minimal"]

# Envelope values the tests read back (all within the contract's constraints and enums).
ENVELOPE: dict[str, Any] = {
    "version": "1.0",
    "event_timestamp": TIMESTAMP,
    "event_category": "gateway",
    "event_action": "received",
    "event_outcome": "success",
    "correlation_id": "rr-payment-api-01",
}


def minimal(schema: str | type[BaseModel], contract: str = DEFAULT_CONTRACT) -> dict[str, Any]:
    """Only the required properties of a schema of ``contract``, from the contract.

    ``schema`` is an event type, a schema name or a model (its class name is the schema's
    name); a payload gets its discriminator.
    """
    source = spec(contract)
    name = schema if isinstance(schema, str) else schema.__name__
    if name in source.mapping:
        data = value(source.payload_of(name), full=False)
        data[source.discriminator] = name
        return data
    if name in source.mapping.values():
        return value(source.payload(name), full=False)
    return value(source.component(name), full=False)


def event(event_type: str = "gateway.signal.received", **envelope: Any) -> dict[str, Any]:
    """A valid event of ``event_type`` under the default contract: the required envelope
    properties (a fresh ``event_id`` too) and the required payload properties."""
    built = valid_event(DEFAULT_CONTRACT, event_type, full=False)
    return {"event_id": str(uuid.uuid4()), **built, **ENVELOPE, **envelope}


def unversioned_cache(path: Path) -> None:
    """A cache as an early build wrote it: an events table, no meta table."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE events (event_id VARCHAR PRIMARY KEY, payload JSON)")
    con.execute("INSERT INTO events VALUES ('old-1', '{}')")
    con.close()
