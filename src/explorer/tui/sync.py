"""Sync from DataStorage inside the app: the settings, and the worker's body.

The URL, token and TLS settings come from the same place as ``audit-explorer sync``
(``explorer.ingest.sync.client_settings``: environment, then the config file's source).
The app opens the cache for writing on its own thread before the worker starts; the
worker only fetches into it and reports with messages.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from textual.message import Message
from textual.worker import get_current_worker

from explorer.client.datastorage import ClientSettings, DataStorageClient, EventFilters
from explorer.config import ENV_URL, config_path, load_config
from explorer.errors import ExplorerError
from explorer.ingest.sync import SyncProgress, SyncResult, client_settings, run_sync
from explorer.store.cache import Cache
from explorer.tui.messages import SyncFailed, SyncFinished, SyncProgressed
from explorer.tui.text import plural

GROUP = "sync"


def sync_settings() -> tuple[ClientSettings, str]:
    """Where to sync from; an ``ExplorerError`` that says what to set when nowhere."""
    if (problem := _not_configured()) is not None:
        raise ExplorerError(problem)
    return client_settings()


def _not_configured() -> str | None:
    """Why there is nothing to sync from, said for the app (the CLI's hint names flags)."""
    try:
        cfg = load_config()
    except ExplorerError as exc:
        return str(exc)
    if os.environ.get(ENV_URL) or cfg.default_source in cfg.sources:
        return None
    return (
        f"No DataStorage to sync from: set ${ENV_URL}, or add a source and default_source "
        f"to {cfg.path or config_path()}."
    )


def sync_worker(
    cache: Cache, settings: ClientSettings, source: str, post: Callable[[Message], object]
) -> None:
    """Runs in a thread: fetches into ``cache`` (already writable) and posts what happened."""
    worker = get_current_worker()

    def progress(done: SyncProgress) -> None:
        post(SyncProgressed(done.fetched))

    try:
        with DataStorageClient(settings) as client:
            result = run_sync(
                cache,
                client,
                EventFilters(),
                source=source,
                progress=progress,
                cancel=lambda: worker.is_cancelled,
            )
    except ExplorerError as exc:
        post(SyncFailed(str(exc)))
        return
    post(SyncFinished(summary(result), result.complete))


def summary(result: SyncResult) -> str:
    """One line: what the sync stored, and why it stopped early if it did."""
    text = (
        f"{plural(result.fetched, 'event')} fetched, {result.new:,} new, {result.updated:,} updated"
    )
    if result.rejected:
        text += f", {result.rejected:,} rejected"
    if not result.complete and result.stopped:
        text += f"; stopped: {result.stopped}"
    return text
