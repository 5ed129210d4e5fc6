"""The legal-hold list into the cache: read by every complete sync and by ``holds``."""

from __future__ import annotations

from datetime import UTC, datetime

from explorer.client.datastorage import DataStorageClient
from explorer.client.evidence import Hold
from explorer.errors import ClientError
from explorer.store.cache import Cache
from explorer.store.evidence import HoldRow, replace_holds


def store_holds(cache: Cache, source: str, holds: list[Hold]) -> int:
    rows = [
        HoldRow(h.correlation_id, h.events_affected, h.placed_by, h.placed_at, h.reason)
        for h in holds
    ]
    return replace_holds(cache.cursor(), source, rows, datetime.now(UTC))


def sync_holds(cache: Cache, client: DataStorageClient, source: str) -> int | str:
    """Read the legal-hold list (one try: a sync does not wait on it) and store it; the
    number of holds, or why it could not be read."""
    try:
        return store_holds(cache, source, client.legal_holds(tries=1))
    except ClientError as exc:
        return str(exc)
