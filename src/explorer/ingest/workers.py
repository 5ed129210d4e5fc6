"""Decode on every core: a pool of worker processes, and results in input order.

Decoding (JSON parsing, pydantic validation, row conversion) is pure Python and holds
the GIL, so threads cannot share it out; processes can. Workers are started with
``spawn``: never ``fork`` a process that holds DuckDB connections and threads; and unlike
``forkserver``, whose server outlives its creator while any forked child still holds the
pipe, spawned workers are children of this process and end with it. A pool starts only
for inputs big enough to repay its start-up (about a second: a fresh interpreter per
worker, and the models built as they are met).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from explorer.errors import ExplorerError

T = TypeVar("T")


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
