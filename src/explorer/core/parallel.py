"""Decode on every core: worker processes turn chunks of input into Arrow batches.

Decoding (JSON parsing, pydantic validation, row conversion) is pure Python and holds
the GIL, so threads cannot share it out; processes can. The main process keeps what
must stay in one place - reading the input in order and writing to DuckDB - and writes
each chunk's result in input order, so the last event per event_id still wins.

Workers are started with ``spawn``: never ``fork`` a process that holds DuckDB
connections and threads; and unlike ``forkserver``, whose server outlives its creator
while any forked child still holds the pipe, spawned workers are children of this
process and end with it. A pool starts only for inputs big enough to repay its start-up
(about a second: a fresh interpreter per worker, and the models built as they are met).
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from explorer.client.files import (
    _BOM,
    _TOO_LONG,
    Record,
    _Lines,
    _parse_line,
    may_hold_big_integer,
    parse_json,
)
from explorer.core import importer
from explorer.core.importer import ImportResult, Prepared, Rejected, _slim, prepare
from explorer.errors import ExplorerError
from explorer.models.decode import decode
from explorer.store.rows import build_rows

if TYPE_CHECKING:
    from explorer.store.cache import Cache

T = TypeVar("T")

PARALLEL_BYTES = 32 * 2**20  # smaller files import in-process: a pool costs ~1 s to start
IN_FLIGHT = 2  # chunks queued per worker: enough to keep them busy, little memory
SPLIT = 4  # a worker's chunk is a quarter of a written batch: a quarter of its memory

Line = tuple[int, bytes | None]  # (line number, text); None for a line too long to read


def workers() -> int:
    """How many worker processes: one per core the process may use."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def make_pool(count: int | None = None) -> ProcessPoolExecutor | None:
    """A pool of spawned workers, or None where processes cannot be made (then the
    work runs in this process, as for small inputs)."""
    try:
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(count or workers(), mp_context=context, initializer=_init_worker)
    except (OSError, ImportError, NotImplementedError):  # no semaphores, no /dev/shm...
        return None


@contextlib.contextmanager
def worker_deaths() -> Iterator[None]:
    """A worker killed (out of memory, a signal) becomes a one-line error."""
    try:
        yield
    except BrokenProcessPool:
        raise ExplorerError(
            "a decoding worker process died (out of memory?); what was written is kept"
        ) from None


def _init_worker() -> None:
    # Decoding allocates many short-lived objects: collecting every 700 allocations
    # costs a third of the time; a chunk is freed as a whole anyway.
    gc.set_threshold(50_000, 20, 20)


def ordered(
    pool: Executor | None, work: Callable[..., T], jobs: Iterable[tuple[Any, ...]], depth: int
) -> Iterator[T]:
    """``work(*job)`` for each job, results in job order, at most ``depth`` in flight.

    Without a pool, the work runs here, one job at a time.
    """
    if pool is None:
        for job in jobs:
            yield work(*job)
        return
    pending: deque[Future[T]] = deque()
    for job in jobs:
        pending.append(pool.submit(work, *job))
        if len(pending) >= depth:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


# -- NDJSON import -------------------------------------------------------------------------


def import_ndjson(
    cache: Cache,
    path: Path,
    *,
    source: str,
    progress: Callable[[int], None] | None,
    prefix: str,
    result: ImportResult,
) -> bool:
    """Import ``path`` in parallel if it is a large NDJSON file; False (nothing done) if not."""
    try:
        if not path.is_file() or path.stat().st_size < PARALLEL_BYTES:
            return False
        stream = path.open("rb")
    except OSError:
        return False  # the reader reports it
    with stream:
        lines = _ndjson_lines(stream)
        if lines is None:
            return False
        _run(cache, lines, source=source, progress=progress, prefix=prefix, result=result)
    return True


def _ndjson_lines(stream: IO[bytes]) -> Iterator[Line] | None:
    """The numbered lines, if ``EventReader`` would read this input as NDJSON."""
    lines = _Lines(stream)
    first = lines.next_nonblank()
    if first is None:
        return None
    number, text = first
    if text.startswith(_BOM):
        text = text[len(_BOM) :]
    head = text.strip()
    if head[:1] not in (b"[", b"{"):
        return None
    try:
        parse_json(head)
    except Exception:  # any failure: leave it to the reader
        return None
    following = lines.next_nonblank()
    if following is None:
        return None
    head_line: Line = (number, head)
    rest = ((n, None if t is _TOO_LONG else t) for n, t in lines)
    return _chain([head_line, _line(following)], rest)


def _line(item: tuple[int, bytes]) -> Line:
    return (item[0], None if item[1] is _TOO_LONG else item[1])


def _chain(first: list[Line], rest: Iterator[Line]) -> Iterator[Line]:
    yield from first
    yield from rest


def _run(
    cache: Cache,
    lines: Iterator[Line],
    *,
    source: str,
    progress: Callable[[int], None] | None,
    prefix: str,
    result: ImportResult,
) -> None:
    started = time.perf_counter()
    fetched_at = datetime.now(UTC)
    size = max(1, importer.BATCH_SIZE // SPLIT)
    jobs = ((chunk, source, fetched_at, prefix) for chunk in _chunks(lines, size))
    count = workers()
    pool = make_pool(count)
    with worker_deaths(), cache.limited_memory(), pool or contextlib.nullcontext():
        done = ordered(pool, prepare_lines, jobs, count * IN_FLIGHT)
        while group := list(islice(done, SPLIT)):
            written = cache.write_many([prepared.rows for prepared in group])
            for prepared, stored in zip(group, written, strict=True):
                prepared.count(result, stored)
            if progress is not None:
                progress(result.read)
    result.elapsed += time.perf_counter() - started


def _chunks(lines: Iterator[Line], size: int) -> Iterator[list[Line]]:
    while chunk := list(islice(lines, size)):
        yield chunk


def prepare_lines(lines: list[Line], source: str, fetched_at: datetime, prefix: str) -> Prepared:
    """In a worker: parse, decode and convert a chunk of NDJSON lines, rows as Arrow."""
    records: list[Record] = []
    texts: list[bytes | None] = []
    for number, raw in lines:
        text = _TOO_LONG if raw is None else raw
        if text is not _TOO_LONG and not text.strip():
            continue  # blank lines are not records
        record = _parse_line(number, text)
        records.append(record)
        texts.append(_exact_text(record, text))
    prepared = prepare(records, source=source, fetched_at=fetched_at, prefix=prefix, texts=texts)
    prepared.rows.freeze()
    return prepared


def _exact_text(record: Record, text: bytes) -> bytes | None:
    """The line, when validating it is the same as validating the parsed value: orjson
    parsed it (no integer beyond 64 bits) into an object."""
    if record.error is not None or not isinstance(record.value, dict):
        return None
    stripped = text.strip()
    if stripped[:1] != b"{":  # a byte-order mark: orjson skips it, pydantic refuses it
        return None
    return None if may_hold_big_integer(stripped) else stripped


# -- sync pages ------------------------------------------------------------------------------


def pack(events: list[Any]) -> bytes | list[Any]:
    """Parsed JSON for a worker: ``marshal`` is exact for JSON values (big integers, NaN,
    lone surrogates) and ~6x cheaper to write than pickle; the main process is the
    bottleneck, the workers have cores to spare."""
    try:
        return marshal.dumps(events)
    except ValueError:  # not plain JSON values after all
        return events


def prepare_events(events: bytes | list[Any], source: str, fetched_at: datetime) -> Prepared:
    """Decode and convert one page of parsed events (in a worker: rows as Arrow)."""
    if isinstance(events, bytes):
        events = marshal.loads(events)  # written by pack(), in this program
    rows = build_rows([_slim(decode(raw)) for raw in events], source=source, fetched_at=fetched_at)
    rejected = [Rejected(f"item {i}", reason) for i, reason in rows.rejected]
    return Prepared(rows.freeze(), rejected, Counter(rows.statuses), len(events))
