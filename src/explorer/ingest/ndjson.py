"""A large NDJSON file imported on every core.

The main process only cuts the file into spans of whole lines (counting newlines, in C);
each worker (:mod:`explorer.ingest.workers`) reads its spans itself and sorts their
lines into the bulk lane and the Python lane (:mod:`explorer.ingest.lanes`). A writer
thread commits the results in input order, so the first version of an event_id is the
one stored, as on the plain path.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from explorer.client.files import MAX_LINE, is_ndjson
from explorer.ingest.batch import ImportResult
from explorer.ingest.lanes import Line, Sorted, sort_lines
from explorer.ingest.workers import make_pool, ordered, worker_deaths, workers
from explorer.models.registry import DEFAULT_CONTRACT
from explorer.store.batches import Batch, RowBatch, SpooledBatch

if TYPE_CHECKING:
    from explorer.store.cache import Cache

PARALLEL_BYTES = 32 * 2**20  # smaller files import in-process: a pool costs ~1 s to start
IN_FLIGHT = 2  # chunks queued per worker: enough to keep them busy, little memory
SPOOL_PREFIX = "audit-explorer-spool-"  # + pid: a temporary directory per import
BLOCK = 2 * 2**20  # bytes of input per worker job (~1,700 demo events)
SPOOL_EVENTS = 100_000  # spooled events per transaction: a commit costs DuckDB ~0.5 s of CPU


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
        if not is_ndjson(stream):
            return False
        found = spans(stream, BLOCK)
        _run(cache, path, found, source=source, progress=progress, prefix=prefix, result=result)
    return True


# -- spans of whole lines ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """Whole lines of the input, ``length`` bytes from ``offset``, the first numbered
    ``line``; ``too_long`` marks a single line longer than ``MAX_LINE``, never read."""

    offset: int
    length: int
    line: int
    too_long: bool = False


def spans(stream: IO[bytes], block: int) -> Iterator[Span]:
    """The input cut into spans of whole lines of about ``block`` bytes each.

    Only newlines are counted here (in C); the workers read their spans themselves,
    so the lines never pass through this process.
    """
    offset, line = 0, 1
    stream.seek(0)
    while data := stream.read(block):
        cut = data.rfind(b"\n") + 1
        if cut:
            yield Span(offset, cut, line)
            line += data.count(b"\n", 0, cut)
            offset += cut
        else:  # no newline in a whole block: one long line, or the last line
            length, ended = _line_end(stream, len(data))
            yield Span(offset, length, line, too_long=length - ended > MAX_LINE)
            line += 1
            offset += length
        stream.seek(offset)


def _line_end(stream: IO[bytes], length: int) -> tuple[int, int]:
    """Read on to the end of the current line: (its length in bytes, 1 if a newline ends it)."""
    while chunk := stream.read(2**20):
        cut = chunk.find(b"\n")
        if cut >= 0:
            return length + cut + 1, 1
        length += len(chunk)
    return length, 0


def read_span(path: str, span: Span) -> list[Line]:
    """The numbered lines of ``span`` (in a worker); blank ones included."""
    if span.too_long:
        return [(span.line, None)]
    with open(path, "rb") as stream:
        stream.seek(span.offset)
        data = stream.read(span.length)
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    return [(n, None if len(t) > MAX_LINE else t) for n, t in enumerate(lines, span.line)]


def sort_span(
    path: str,
    span: Span,
    source: str,
    fetched_at: datetime,
    prefix: str,
    spool: str,
    contract: str = DEFAULT_CONTRACT,
) -> Sorted:
    """In a worker: read ``span`` of the input and sort its lines."""
    return sort_lines(read_span(path, span), source, fetched_at, prefix, spool, contract)


# -- the main process: cut, hand out, write in order ---------------------------------------------


def _run(
    cache: Cache,
    path: Path,
    found: Iterator[Span],
    *,
    source: str,
    progress: Callable[[int], None] | None,
    prefix: str,
    result: ImportResult,
) -> None:
    started = time.perf_counter()
    fetched_at = datetime.now(UTC)
    contract = cache.contract
    count = workers()
    pool = make_pool(count)
    _remove_stale_spools()
    with (
        tempfile.TemporaryDirectory(prefix=f"{SPOOL_PREFIX}{os.getpid()}-") as spool,
        worker_deaths(),
        cache.limited_memory(),
        cache.fresh_load() as load,  # into an empty cache: the key is added at the end
        pool or contextlib.nullcontext(),
    ):
        spool_of = os.path.join
        jobs = (
            (str(path), span, source, fetched_at, prefix, spool_of(spool, f"{i}.ndjson"), contract)
            for i, span in enumerate(found)
        )
        with _Writer(progress, result) as writer:
            group = _Group(cache, source, fetched_at, result)
            for chunk in ordered(pool, sort_span, jobs, count * IN_FLIGHT):
                if not group.takes(chunk):
                    writer.write(group)
                    group = _Group(cache, source, fetched_at, result)
                group.add(chunk)
            writer.write(group)
    result.add([], [load.correction])  # repeats found once a fresh load was complete
    result.elapsed += time.perf_counter() - started


def _remove_stale_spools() -> None:
    """Spool directories left by imports that were killed (their process is gone)."""
    for path in Path(tempfile.gettempdir()).glob(f"{SPOOL_PREFIX}*"):
        pid = path.name.removeprefix(SPOOL_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


class _Writer:
    """Writes groups in a thread of its own, one at a time, in order: DuckDB releases the
    GIL while it inserts, so the workers' next chunks are collected meanwhile."""

    def __init__(self, progress: Callable[[int], None] | None, result: ImportResult) -> None:
        self.progress, self.result = progress, result
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="audit-explorer-writer")
        self.pending: Future[None] | None = None

    def write(self, group: _Group) -> None:
        self.wait()
        self.pending = self.thread.submit(self._write, group)

    def _write(self, group: _Group) -> None:
        group.write()
        if self.progress is not None:
            self.progress(self.result.read)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            if exc_info[0] is None:
                self.wait()
        finally:
            self.thread.shutdown(wait=True)


class _Group:
    """Sorted chunks written together, in one transaction: every event_id in a group at
    most once, so that writing the spooled events before the prepared rows keeps the
    input's order (the first version of an event_id is stored)."""

    def __init__(
        self, cache: Cache, source: str, fetched_at: datetime, result: ImportResult
    ) -> None:
        self.cache, self.source, self.fetched_at, self.result = cache, source, fetched_at, result
        self.chunks: list[Sorted] = []
        self.ids: set[str] = set()
        self.spooled = 0

    def takes(self, chunk: Sorted) -> bool:
        if not self.chunks:
            return True
        return self.spooled < SPOOL_EVENTS and self.ids.isdisjoint(chunk.all_ids)

    def add(self, chunk: Sorted) -> None:
        self.chunks.append(chunk)
        self.ids.update(chunk.all_ids)
        self.spooled += len(chunk.ids)

    def write(self) -> None:
        if not self.chunks:
            return
        paths = [chunk.spool for chunk in self.chunks if chunk.spool is not None]
        batches: list[Batch] = []
        if self.spooled:
            batches.append(SpooledBatch(paths, self.spooled, self.source, self.fetched_at))
        rows = RowBatch.merged([chunk.prepared.rows for chunk in self.chunks])
        if len(rows):
            batches.append(rows)
        written = self.cache.write_many(batches)
        self.result.add([chunk.prepared for chunk in self.chunks], written)
        for path in paths:
            with contextlib.suppress(OSError):
                os.remove(path)
