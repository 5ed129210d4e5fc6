"""Follow DataStorage: one incremental sync per poll, and what a sync leaves behind.

A poll is :func:`explorer.ingest.sync.run_sync` with the same filters each time, so its
watermark makes every poll after the first fetch only what is new (with the usual
overlap, which the cache stores once). The events a poll stored are the rows fetched at
or after its start (an event already stored keeps its row, so it is not "arrived").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from explorer.client.datastorage import ClientSettings, DataStorageClient, EventFilters
from explorer.ingest.sync import Cancel, SyncResult, run_sync
from explorer.store.cache import Cache
from explorer.store.origin import Origin, remember_origin

BACKOFF_CAP = 60.0  # seconds between polls at most, after failures


@dataclass(frozen=True)
class Poll:
    """One poll: the sync's result, and when it began (rows stored by it are at or after)."""

    result: SyncResult
    started: datetime


def poll(
    cache: Cache,
    client: DataStorageClient,
    *,
    source: str,
    since: str | None = None,
    cancel: Cancel | None = None,
) -> Poll:
    """Fetch what is new into ``cache`` (everything since ``since`` on the first poll)."""
    started = datetime.now(UTC)
    result = run_sync(cache, client, EventFilters(since=since), source=source, cancel=cancel)
    return Poll(result, started)


def remember_source(cache: Cache, settings: ClientSettings, source: str) -> None:
    """Keep where ``cache`` is synced from (the URL without credentials, never a token)."""
    cursor = cache.cursor()  # its own: the connection may be busy on another thread
    try:
        remember_origin(cursor, Origin(settings.url, source))
    finally:
        cursor.close()


def backoff(interval: float, failures: int) -> float:
    """Seconds to the next poll: the interval, doubled per failure in a row up to
    ``BACKOFF_CAP`` (never below the interval)."""
    if failures == 0:
        return interval
    return max(interval, min(BACKOFF_CAP, interval * 2.0 ** min(failures, 16)))
