"""Sync from DataStorage inside the app: a background worker, progress in the header.

The URL, token and TLS settings come from the same place as ``audit-explorer sync``
(``explorer.core.sync.client_settings``: environment, then the config file's source).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from textual.worker import get_current_worker

from explorer.client.datastorage import ClientSettings, DataStorageClient, EventFilters
from explorer.config import ENV_URL, config_path, load_config
from explorer.core.sync import SyncProgress, SyncResult, client_settings, run_sync
from explorer.errors import ClientError, ExplorerError
from explorer.tui.messages import SyncFailed, SyncFinished, SyncProgressed

if TYPE_CHECKING:
    from explorer.tui.app import ExplorerApp

GROUP = "sync"


def start_sync(app: ExplorerApp) -> None:
    """Start a sync unless one runs or no DataStorage URL is configured."""
    if any(w.group == GROUP and w.is_running for w in app.workers):
        app.notify("A sync is already running.", title="Sync", markup=False)
        return
    if (problem := _not_configured()) is not None:
        app.notify(problem, title="Sync", severity="warning", markup=False)
        return
    try:
        settings, source = client_settings()
    except ExplorerError as exc:
        app.notify(str(exc), title="Sync", severity="warning", markup=False)
        return
    app.sub_title = "syncing…"
    app.run_worker(
        lambda: sync_worker(app, settings, source),
        thread=True,
        exclusive=True,
        group=GROUP,
        exit_on_error=False,
        description="Sync failed",
    )


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


def sync_worker(app: ExplorerApp, settings: ClientSettings, source: str) -> None:
    """Runs in a thread: opens the cache for writing if needed, fetches, reports."""
    worker = get_current_worker()
    try:
        cache = app.call_from_thread(app.writable_cache)
        with DataStorageClient(settings) as client:
            result = run_sync(
                cache,
                client,
                EventFilters(),
                source=source,
                progress=lambda p: _progress(app, p),
                cancel=lambda: worker.is_cancelled,
            )
    except (ExplorerError, ClientError) as exc:
        app.post_message(SyncFailed(str(exc)))
        return
    app.post_message(SyncFinished(summary(result), result.complete))


def _progress(app: ExplorerApp, progress: SyncProgress) -> None:
    app.post_message(SyncProgressed(progress.fetched))


def summary(result: SyncResult) -> str:
    """One line: what the sync stored, and why it stopped early if it did."""
    text = f"{result.fetched:,} events fetched, {result.new:,} new, {result.updated:,} updated"
    if result.rejected:
        text += f", {result.rejected:,} rejected"
    if not result.complete and result.stopped:
        text += f"; stopped: {result.stopped}"
    return text
