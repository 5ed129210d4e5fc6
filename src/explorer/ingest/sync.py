"""Sync DataStorage into the cache: decode, upsert page by page, incrementally, safely.

Paging. DataStorage answers newest first with offset paging, so events that arrive during
a sync shift every later offset. This sync pages by time instead: after each page it asks
for ``until = oldest timestamp seen + 1 us`` and skips, by offset, only the events at that
exact timestamp it already has. New events (newer than the cursor) can then never shift
a page, and every event that existed when the sync started is fetched. Whether the server
reads ``until`` as inclusive or exclusive does not matter: the extra microsecond and the
tie skip cover both. The next page is fetched while the current one is decoded and stored.

Trust. A page that repeats the previous one, events newer than the ``until`` asked for, a
negative total, or more pages than the first total allows end the sync in a reported,
non-complete state: a misbehaving server cannot make it loop or claim completeness.

Incremental. A complete sync stores a watermark (its newest event) per source and filter
key in ``sync_state``; the next sync with the same filters asks only for
``since = watermark - overlap``. An interrupted sync stores no watermark, keeps every page
it finished (each upsert commits), and the next sync simply fetches again from the top.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from explorer.client.datastorage import (
    ClientSettings,
    DataStorageClient,
    EventFilters,
    Page,
    base_url,
    format_timestamp,
    parse_timestamp,
    resolve_token,
)
from explorer.config import ENV_TOKEN, ENV_URL, SERVICE_ACCOUNT_TOKEN, Config, load_config
from explorer.errors import ClientError
from explorer.ingest.batch import Prepared, Tally, pack, prepare_events
from explorer.ingest.holds import sync_holds
from explorer.ingest.workers import make_pool, worker_deaths, workers
from explorer.store.cache import Cache, load_watermark, save_watermark
from explorer.store.schema import BATCH_SIZE

OVERLAP = timedelta(minutes=10)
_TICK = timedelta(microseconds=1)
_PAGE_SLACK = 100  # pages allowed beyond twice what the first total implies
PARALLEL_EVENTS = 20_000  # a sync this big decodes in worker processes


@dataclass(frozen=True)
class SyncProgress:
    fetched: int
    pages: int
    expected: int | None  # the server's count, when it gave a sane one


@dataclass
class SyncResult:
    """What a sync did; ``stopped`` says why it is not ``complete`` (one line)."""

    tally: Tally = field(default_factory=Tally)  # what the pages held, and storing them did
    pages: int = 0
    retries: int = 0
    elapsed: float = 0.0
    complete: bool = False
    stopped: str | None = None
    since: str | None = None  # the since actually asked for (after the watermark)
    watermark: datetime | None = None
    holds: int | str | None = None  # legal holds read after a complete sync, or why not

    @property
    def fetched(self) -> int:
        return self.tally.read

    @property
    def new(self) -> int:
        return self.tally.new

    @property
    def updated(self) -> int:
        return self.tally.updated

    @property
    def conflicts(self) -> int:
        return self.tally.conflicts

    @property
    def rejected(self) -> int:
        return self.tally.rejected_count

    @property
    def by_status(self) -> Counter[str]:
        return self.tally.by_status

    @property
    def events_per_s(self) -> float:
        return self.fetched / self.elapsed if self.elapsed > 0 else 0.0


Progress = Callable[[SyncProgress], None]
Cancel = Callable[[], bool]


@dataclass
class _Cursor:
    """Where the next page starts: at or below ``until``, skipping ``skip`` events."""

    until: datetime | None = None
    skip: int = 0
    newest: datetime | None = None
    last_ids: frozenset[str] = frozenset()
    max_pages: int | None = None


def run_sync(
    cache: Cache,
    client: DataStorageClient,
    params: EventFilters,
    *,
    source: str,
    max_events: int | None = None,
    page_size: int = 1000,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    overlap: timedelta = OVERLAP,
    full: bool = False,
) -> SyncResult:
    """Fetch every event matching ``params`` into ``cache``; never raises ClientError.

    A network or server failure, Ctrl-C, ``cancel()`` or ``max_events`` end the sync with
    ``complete=False`` and ``stopped`` set; the pages already stored stay stored.
    """
    started = time.monotonic()
    begun = datetime.now(UTC)
    retries = client.retries
    result = SyncResult()
    key = params.key()
    incremental = params.until is None
    old_mark = None if full or not incremental else load_watermark(cache, source, key)
    # times resolved once, as RFC 3339: every page asks for the same window
    filters = _with_since(params.resolved(begun), old_mark, overlap)
    result.since = filters.since
    try:
        _pages(
            cache,
            client,
            filters,
            result,
            _Options(source, max_events, page_size, progress, cancel),
        )
    except ClientError as exc:
        result.stopped = str(exc)
    except KeyboardInterrupt:
        cache.rollback()  # the half-written page; earlier pages are committed
        result.stopped = "interrupted"
    result.retries = client.retries - retries
    result.elapsed = time.monotonic() - started
    if result.complete and incremental:
        marks = [m for m in (old_mark, result.watermark) if m is not None]
        # Never past the moment the sync began (nor a mark an older version saved).
        result.watermark = min(max(marks), begun) if marks else None
        save_watermark(cache, source, key, result.watermark)
    if result.complete:
        result.holds = sync_holds(cache, client, source)  # the legal-hold list, every sync
    return result


@dataclass(frozen=True)
class _Options:
    source: str
    max_events: int | None
    page_size: int
    progress: Progress | None
    cancel: Cancel | None


def _pages(
    cache: Cache,
    client: DataStorageClient,
    filters: EventFilters,
    result: SyncResult,
    opt: _Options,
) -> None:
    """Fetch, decode and store pages; what was fetched before a failure is stored."""
    store = _Store(cache, result, opt)
    try:
        _loop(client, filters, result, opt, store)
        store.drain()
    except ClientError:
        store.drain()
        raise
    finally:
        store.close()


def _loop(
    client: DataStorageClient,
    filters: EventFilters,
    result: SyncResult,
    opt: _Options,
    store: _Store,
) -> None:
    """Page after page; the next page is fetched while this one is decoded and stored."""
    cursor = _Cursor()
    pending = _next(client, filters, cursor, result, opt, 0)
    while pending is not None:
        page, limit = pending.result()
        result.pages += 1
        if not page.events:
            result.complete = True
            return
        problem = _distrust(page, cursor, result.pages)
        if problem == "repeat":
            result.stopped = "the server sent the same page again; stopped"
            return
        _advance(cursor, page, limit)
        pending = None
        if problem is None and page.has_more:
            store.fetched += len(page.events)
            pending = _next(client, filters, cursor, result, opt, store.fetched)
        store.add(page, cursor.newest)
        if problem is not None:
            result.stopped = problem
        elif not page.has_more:
            result.complete = True


class _Store:
    """Decodes and writes pages in order. A big sync decodes in worker processes (see
    :mod:`explorer.ingest.workers`) ahead of the writes, and commits every ~10 pages (a
    commit costs ~10 ms); a small one decodes here and commits each page."""

    def __init__(self, cache: Cache, result: SyncResult, opt: _Options) -> None:
        self.cache, self.result, self.opt = cache, result, opt
        self.fetched = 0  # events fetched so far, written or not
        self._pool: ProcessPoolExecutor | None = None
        self._pending: deque[tuple[Future[Prepared], Page, datetime | None]] = deque()
        self._ready: list[tuple[Prepared, Page, datetime | None]] = []
        self._tried_pool = False

    def add(self, page: Page, newest: datetime | None) -> None:
        now = datetime.now(UTC)
        if self._pool is None and not self._tried_pool and page.total >= PARALLEL_EVENTS:
            self._pool, self._tried_pool = make_pool(), True
        if self._pool is None:
            prepared = prepare_events(
                page.events, self.opt.source, now, self.cache.contract, page.duplicates
            )
            self._ready.append((prepared, page, newest))
            self._flush()
            return
        job = self._pool.submit(
            prepare_events,
            pack(page.events),
            self.opt.source,
            now,
            self.cache.contract,
            page.duplicates,
        )
        self._pending.append((job, page, newest))
        while len(self._pending) > workers():
            self._collect()

    def drain(self) -> None:
        while self._pending:
            self._collect()
        self._flush()

    def close(self) -> None:
        self._pending.clear()
        self._ready.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)  # at most a page in flight

    def _collect(self) -> None:
        job, page, newest = self._pending.popleft()
        with worker_deaths():
            prepared = job.result()
        self._ready.append((prepared, page, newest))
        if sum(len(prepared.rows) for prepared, _, _ in self._ready) >= BATCH_SIZE:
            self._flush()

    def _flush(self) -> None:
        if not self._ready:
            return
        written = self.cache.write_many([prepared.rows for prepared, _, _ in self._ready])
        result = self.result
        for (prepared, page, newest), stored in zip(self._ready, written, strict=True):
            result.tally.add([prepared], [stored])
            result.watermark = newest
            _report(self.opt.progress, page, result)
        self._ready.clear()


_Fetch = Future[tuple[Page, int]]


def _next(
    client: DataStorageClient,
    filters: EventFilters,
    cursor: _Cursor,
    result: SyncResult,
    opt: _Options,
    fetched: int,
) -> _Fetch | None:
    """Start fetching the page after ``cursor``, unless the sync should stop here."""
    if opt.cancel is not None and opt.cancel():
        result.stopped = "cancelled"
        return None
    limit = opt.page_size
    if opt.max_events is not None:
        limit = min(limit, opt.max_events - fetched)
        if limit <= 0:
            result.stopped = f"stopped after --max-events {opt.max_events}"
            return None
    asked = filters
    if cursor.until is not None:
        after = _just_after(cursor.until)
        asked = replace(filters, until=None if after is None else format_timestamp(after))
    skip = cursor.skip
    return _background(lambda: (client.query_events(asked, limit=limit, offset=skip), limit))


def _background(work: Callable[[], tuple[Page, int]]) -> _Fetch:
    """Run ``work`` in a daemon thread: Ctrl-C never waits for a fetch in flight."""
    future: _Fetch = Future()

    def run() -> None:
        try:
            future.set_result(work())
        except BaseException as exc:  # handed to whoever waits on the future
            future.set_exception(exc)

    threading.Thread(target=run, name="sync-fetch", daemon=True).start()
    return future


def _report(progress: Progress | None, page: Page, result: SyncResult) -> None:
    if progress is not None:
        remaining = max(0, page.total - page.offset - len(page.events))
        progress(SyncProgress(result.fetched, result.pages, result.fetched + remaining))


def _distrust(page: Page, cursor: _Cursor, pages: int) -> str | None:
    """Why this page cannot be trusted, or None."""
    # only a broken server repeats a page exactly: a legit next page always moves on
    ids = _ids(page.events)
    if ids and ids == cursor.last_ids:
        return "repeat"
    if page.total < 0:
        return f"the server's pagination is nonsense (total {page.total}); stopped"
    if cursor.until is not None:
        bound = _just_after(cursor.until)
        if bound is not None and any(t > bound for t in _times(page.events) if t is not None):
            return "the server ignored until (sent newer events than asked); stopped"
    if cursor.max_pages is not None and pages > cursor.max_pages:
        return (
            f"more than {cursor.max_pages} pages, beyond what the server's total implies; stopped"
        )
    return None


def _just_after(moment: datetime) -> datetime | None:
    """One microsecond later; None after the last one of year 9999 (then no bound is the
    same bound: nothing can be later)."""
    try:
        return moment + _TICK
    except OverflowError:
        return None


def _advance(cursor: _Cursor, page: Page, limit: int) -> None:
    times = _times(page.events)
    known = [t for t in times if t is not None]
    if cursor.max_pages is None:
        cursor.max_pages = 2 * math.ceil(page.total / limit) + _PAGE_SLACK
    # The watermark is the newest event that is not dated in the future: one such event
    # would otherwise make every later sync skip what arrives until then.
    plausible = [t for t in known if t <= datetime.now(UTC)]
    if plausible and cursor.newest is None:
        cursor.newest = max(plausible)
    oldest = min(known) if known else None
    if oldest is not None and (cursor.until is None or oldest < cursor.until):
        cursor.until = oldest
        cursor.skip = sum(1 for t in times if t == oldest)
    else:  # a page all at the cursor's timestamp, or with no usable timestamps
        cursor.skip += len(page.events)
    cursor.last_ids = frozenset(_ids(page.events))


def _ids(events: list[Any]) -> set[str]:
    return {
        e["event_id"] for e in events if isinstance(e, dict) and isinstance(e.get("event_id"), str)
    }


def _times(events: list[Any]) -> list[datetime | None]:
    return [
        parse_timestamp(e.get("event_timestamp")) if isinstance(e, dict) else None for e in events
    ]


# -- where to sync from -----------------------------------------------------------------


def client_settings(
    *,
    url: str | None = None,
    source: str | None = None,
    token: str | None = None,
    token_file: Path | None = None,
    user: str | None = None,
    ca_bundle: Path | None = None,
    insecure: bool = False,
    config: Config | None = None,
    env: Mapping[str, str] | None = None,
    service_account: Path = SERVICE_ACCOUNT_TOKEN,
    **tuning: float,
) -> tuple[ClientSettings, str]:
    """Settings and the source label; each value: argument > environment > config source.

    ``source`` names a config source (its url, token file, CA bundle, user) or is just
    the label events are stored under; the label defaults to the URL. ``tuning`` passes
    timeouts and tries through to :class:`ClientSettings`.
    """
    env = os.environ if env is None else env
    config = config or load_config()
    url = url or env.get(ENV_URL)
    # the default source only stands in when no URL was given at all
    conf = config.sources.get(source or ("" if url else config.default_source or ""))
    url = url or (conf.url if conf else None)
    if not url:
        raise ClientError(f"no DataStorage URL: give --url, set ${ENV_URL} or name a --source")
    if token_file is None and not env.get(ENV_TOKEN) and conf is not None:
        token_file = conf.token_file
    own_tls = ca_bundle is not None or insecure
    settings = ClientSettings(
        url=url,
        token=resolve_token(token, token_file, env=env, service_account=service_account),
        user=user or (conf.user if conf else None),
        ca_bundle=ca_bundle or (conf.ca_bundle if conf and not own_tls else None),
        insecure=insecure or bool(conf and conf.insecure and not own_tls),
        **tuning,  # type: ignore[arg-type]
    )
    return settings, source or (conf.name if conf else base_url(url))


# -- the watermark -----------------------------------------------------------------------


def _with_since(params: EventFilters, mark: datetime | None, overlap: timedelta) -> EventFilters:
    """Ask only for what is newer than the watermark, unless ``since`` asks for less."""
    if mark is None:
        return params
    since = mark - overlap
    if params.since is not None:
        asked = parse_timestamp(params.since)
        if asked is not None and asked >= since:
            return params
    return replace(params, since=format_timestamp(since))
