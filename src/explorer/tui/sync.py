"""Sync and follow DataStorage inside the app: where from, and the workers' bodies.

Where from: what the ``tui`` command's source options said, else ``$AUDIT_EXPLORER_URL``,
else where the cache was last synced from (``explorer.store.origin``: its URL and label,
never a token), else the config file's default source. The token comes as for
``audit-explorer sync`` (``explorer.ingest.sync.client_settings``). The app opens the cache
for writing on its own thread before a worker starts; the worker only fetches into it and
reports with messages. Following is one incremental sync per poll
(``explorer.ingest.follow.poll``), every few seconds, backing off after failures.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from textual.message import Message
from textual.worker import get_current_worker

from explorer.client.datastorage import ClientSettings, DataStorageClient, EventFilters
from explorer.config import ENV_URL, config_path, load_config
from explorer.errors import ExplorerError
from explorer.ingest.follow import backoff, poll, remember_source
from explorer.ingest.sync import SyncProgress, SyncResult, client_settings, run_sync
from explorer.store.cache import Cache
from explorer.store.origin import Origin
from explorer.tui.messages import SyncFailed, SyncFinished, SyncProgressed
from explorer.tui.text import clean, plural

GROUP = "sync"


Remote = tuple[ClientSettings, str]
"""Client settings and the source label events are stored under."""


def sync_settings(origin: Origin | None = None) -> Remote:
    """Where to sync from (see the module); an ``ExplorerError`` that says what to set."""
    if os.environ.get(ENV_URL) or origin is None:
        if (problem := _not_configured()) is not None:
            raise ExplorerError(problem)
        return client_settings()
    try:
        cfg = load_config()
    except ExplorerError:
        cfg = None
    if cfg is not None and origin.source in cfg.sources:
        return client_settings(source=origin.source, config=cfg)
    return client_settings(url=origin.url, source=origin.source)


def _not_configured() -> str | None:
    """Why there is nothing to sync from, said for the app (the CLI's hint names flags)."""
    try:
        cfg = load_config()
    except ExplorerError as exc:
        return str(exc)
    if os.environ.get(ENV_URL) or cfg.default_source in cfg.sources:
        return None
    return (
        f"No DataStorage to sync from: set ${ENV_URL}, add a source and default_source "
        f"to {cfg.path or config_path()}, or start with `audit-explorer tui --url URL`."
    )


def sync_worker(
    cache: Cache,
    settings: ClientSettings,
    source: str,
    post: Callable[[Message], object],
    *,
    remember: bool = True,
) -> None:
    """Runs in a thread: fetches into ``cache`` (already writable) and posts what happened."""
    worker = get_current_worker()

    def progress(done: SyncProgress) -> None:
        post(SyncProgressed(done.fetched, done.expected))

    try:
        if remember:  # not a port-forward's passing URL
            remember_source(cache, settings, source)
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
        f"{plural(result.fetched, 'event')} fetched, {result.new:,} new, "
        f"{result.updated:,} already stored"  # never replaced: see store.conflicts
    )
    if result.conflicts:
        text += f", {result.conflicts:,} arrived again with different content"
    if result.rejected:
        text += f", {result.rejected:,} rejected"
    if not result.complete and result.stopped:
        text += f"; stopped: {result.stopped}"
    return text


# -- follow -----------------------------------------------------------------------------

FOLLOW = "follow"  # the poll worker's name (its group is GROUP: one writer at a time)


@dataclass
class FollowPolled(Message):
    """One poll ended: what it stored (``new``), or why it failed (``error``)."""

    started: datetime
    new: int
    error: str | None


def follow_worker(
    cache: Cache,
    settings: ClientSettings,
    source: str,
    post: Callable[[Message], object],
    *,
    remember: bool = True,
) -> None:
    """Runs in a thread: one poll into ``cache`` (already writable), posted as FollowPolled."""
    worker = get_current_worker()
    started = datetime.now().astimezone()
    try:
        if remember:  # not a port-forward's passing URL
            remember_source(cache, settings, source)
        with DataStorageClient(settings) as client:
            done = poll(cache, client, source=source, cancel=lambda: worker.is_cancelled)
    except ExplorerError as exc:
        post(FollowPolled(started, 0, str(exc)))
        return
    failed = None if done.result.complete else (done.result.stopped or "incomplete")
    post(FollowPolled(done.started, done.result.new, failed))


@dataclass
class Following:
    """Follow's state: on or off, the last poll, failures in a row (for the back-off)."""

    interval: float
    on: bool = False
    failures: int = 0
    last_poll: datetime | None = None
    error: str | None = None

    def polled(self, message: FollowPolled) -> None:
        self.last_poll = message.started.astimezone()
        self.error = message.error
        self.failures = 0 if message.error is None else self.failures + 1

    @property
    def delay(self) -> float:
        """Seconds to the next poll."""
        return backoff(self.interval, self.failures)

    def header(self) -> str:
        """The header's line: following, since when, and the last failure if any."""
        text = "following"
        if self.last_poll is not None:
            text += f" · polled {self.last_poll:%H:%M:%S}"
        if self.error is not None:
            text += f" · poll failed, retry in {self.delay:.0f} s: {clean(self.error, 80)}"
        return text
