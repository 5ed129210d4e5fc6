"""Decode on every core: worker processes sort and decode the input, the main process writes.

Decoding (JSON parsing, pydantic validation, row conversion) is pure Python and holds
the GIL, so threads cannot share it out; processes can. For an NDJSON file the main
process only cuts the file into spans of whole lines (counting newlines, in C); each
worker reads its spans itself and sorts their lines into the bulk lane (spooled for
DuckDB's ``read_json``, see :mod:`explorer.store.bulk`) and the Python lane (decoded and
converted to Arrow here). A writer thread commits the results in input order, so the
last event per event_id still wins. Sync pages, already parsed, go to the workers whole.

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
import shutil
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from explorer.client.files import (
    _BOM,
    _TOO_LONG,
    MAX_LINE,
    Record,
    _Lines,
    _parse_line,
    parse_json,
)
from explorer.core.importer import ImportResult, Prepared, Rejected, _slim, prepare
from explorer.errors import ExplorerError
from explorer.jsontext import DuplicateKey, may_hold_big_integer
from explorer.models.decode import decode
from explorer.models.registry import DEFAULT_CONTRACT, load_contract
from explorer.store.bulk import SpooledBatch, bulk_text
from explorer.store.rows import RowBatch, build_rows

if TYPE_CHECKING:
    from explorer.store.cache import Cache

T = TypeVar("T")

PARALLEL_BYTES = 32 * 2**20  # smaller files import in-process: a pool costs ~1 s to start
IN_FLIGHT = 2  # chunks queued per worker: enough to keep them busy, little memory
SPOOL_PREFIX = "audit-explorer-spool-"  # + pid: a temporary directory per import
BLOCK = 2 * 2**20  # bytes of input per worker job (~1,700 demo events)
SPOOL_EVENTS = 100_000  # spooled events per transaction: a commit costs DuckDB ~0.5 s of CPU

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
        if not _is_ndjson(stream):
            return False
        spans = _spans(stream, BLOCK)
        _run(cache, path, spans, source=source, progress=progress, prefix=prefix, result=result)
    return True


def _is_ndjson(stream: IO[bytes]) -> bool:
    """Whether ``EventReader`` would read this input as NDJSON: its first non-blank line
    is a JSON object or array, and another non-blank line follows."""
    lines = _Lines(stream)
    first = lines.next_nonblank()
    if first is None:
        return False
    head = first[1].removeprefix(_BOM).strip()
    if head[:1] not in (b"[", b"{"):
        return False
    try:
        parse_json(head)
    except Exception:  # any failure: leave it to the reader
        return False
    return lines.next_nonblank() is not None


@dataclass(frozen=True, slots=True)
class Span:
    """Whole lines of the input, ``length`` bytes from ``offset``, the first numbered
    ``line``; ``too_long`` marks a single line longer than ``MAX_LINE``, never read."""

    offset: int
    length: int
    line: int
    too_long: bool = False


def _spans(stream: IO[bytes], block: int) -> Iterator[Span]:
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


def _run(
    cache: Cache,
    path: Path,
    spans: Iterator[Span],
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
        pool or contextlib.nullcontext(),
    ):
        spool_of = os.path.join
        jobs = (
            (str(path), span, source, fetched_at, prefix, spool_of(spool, f"{i}.ndjson"), contract)
            for i, span in enumerate(spans)
        )
        with _Writer(progress, result) as writer:
            group = _Group(cache, source, fetched_at, result)
            for chunk in ordered(pool, sort_span, jobs, count * IN_FLIGHT):
                if not group.takes(chunk):
                    writer.write(group)
                    group = _Group(cache, source, fetched_at, result)
                group.add(chunk)
            writer.write(group)
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
    input's order (the last event per event_id wins)."""

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
        batches: list[RowBatch | SpooledBatch] = []
        if self.spooled:
            batches.append(SpooledBatch(paths, self.spooled, self.source, self.fetched_at))
        rows = RowBatch.merged([chunk.prepared.rows for chunk in self.chunks])
        if len(rows) or rows.duplicates:
            batches.append(rows)
        for stored in self.cache.write_many(batches):
            self.result.new += stored.new
            self.result.updated += stored.updated
        for chunk in self.chunks:
            chunk.prepared.tally(self.result)
        for path in paths:
            with contextlib.suppress(OSError):
                os.remove(path)


@dataclass
class Sorted:
    """A chunk of lines after a worker sorted it: the events DuckDB can store by itself,
    spooled to an NDJSON file (``ids`` in order), and the rest prepared as rows."""

    spool: str | None
    ids: list[str]
    prepared: Prepared

    @cached_property
    def all_ids(self) -> list[str]:
        """Every event_id the chunk stores, spooled and prepared (read once, in the
        main process)."""
        return self.ids + _row_ids(self.prepared)


def _row_ids(prepared: Prepared) -> list[str]:
    ids: list[str] = prepared.rows.to_arrow().column("event_id").to_pylist()
    return ids


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


def sort_lines(
    lines: list[Line],
    source: str,
    fetched_at: datetime,
    prefix: str,
    spool: str,
    contract: str = DEFAULT_CONTRACT,
) -> Sorted:
    """In a worker: spool the lines :func:`bulk_text` takes, prepare the others (decoded
    against ``contract``)."""
    ids: list[str] = []
    texts: list[bytes] = []
    rest: list[Line] = []
    for number, raw in lines:
        found = bulk_text(raw, contract) if raw is not None else None
        if found is None:
            rest.append((number, raw))
        else:
            ids.append(found[0])
            texts.append(found[1])
    prepared = prepare_lines(rest, source, fetched_at, prefix, contract)
    if not texts:
        return Sorted(None, [], prepared)
    taken = set(ids)
    if len(taken) < len(ids) or not taken.isdisjoint(_row_ids(prepared)):
        # An event_id repeats within the chunk: all of it the Python way, in input order.
        return Sorted(None, [], prepare_lines(lines, source, fetched_at, prefix, contract))
    try:
        with open(spool, "wb") as out:
            out.write(b"\n".join(texts) + b"\n")
    except OSError:  # no room to spool (a full temporary disk): the Python lane
        with contextlib.suppress(OSError):
            os.remove(spool)
        return Sorted(None, [], prepare_lines(lines, source, fetched_at, prefix, contract))
    prepared.read += len(texts)
    prepared.by_status["ok"] += len(texts)
    return Sorted(spool, ids, prepared)


def prepare_lines(
    lines: list[Line],
    source: str,
    fetched_at: datetime,
    prefix: str,
    contract: str = DEFAULT_CONTRACT,
) -> Prepared:
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
    prepared = prepare(
        records, source=source, fetched_at=fetched_at, prefix=prefix, texts=texts, contract=contract
    )
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


def prepare_events(
    events: bytes | list[Any],
    source: str,
    fetched_at: datetime,
    contract: str = DEFAULT_CONTRACT,
    duplicates: Mapping[int, Sequence[DuplicateKey]] | None = None,
) -> Prepared:
    """Decode and convert one page of parsed events (in a worker: rows as Arrow).
    ``duplicates``: the keys each event's text wrote twice, by index (see ``Page``)."""
    if isinstance(events, bytes):
        events = marshal.loads(events)  # written by pack(), in this program
    models = load_contract(contract)
    repeated = duplicates or {}
    decoded = [
        _slim(decode(raw, contract=models, duplicates=repeated.get(index, ())))
        for index, raw in enumerate(events)
    ]
    rows = build_rows(decoded, source=source, fetched_at=fetched_at)
    rejected = [Rejected(f"item {i}", reason) for i, reason in rows.rejected]
    return Prepared(rows.freeze(), rejected, Counter(rows.statuses), len(events))
