"""Import events from files into the cache: decode, convert, upsert in batches.

Events that cannot be stored (not an object, no event_id, no parseable
event_timestamp) are rejected with where they came from; everything else is stored,
whatever its decode status. :func:`prepare` is a pure function of a list of records,
so batches can be prepared in other processes.

A large NDJSON file is imported in parallel (:mod:`explorer.core.parallel`): worker
processes read spans of it, spool the events DuckDB can store by itself and decode the
rest into Arrow batches; the main process writes both in input order.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.client.files import EventReader, Record
from explorer.core.validate import decode_record
from explorer.errors import InputError
from explorer.models.decode import Decoded
from explorer.models.registry import DEFAULT_CONTRACT, load_contract
from explorer.store.rows import BATCH_SIZE as BATCH_SIZE  # tests tune it here
from explorer.store.rows import RowBatch, build_rows, unstorable

if TYPE_CHECKING:  # workers import this module: they need neither DuckDB nor the cache
    from explorer.store.cache import Cache, UpsertResult

Progress = Callable[[int], None]

MAX_REJECTED = 1000  # details kept; the count is always complete
_PROGRESS_EVERY = 2_000


@dataclass(frozen=True, slots=True)
class Rejected:
    locator: str  # "line 12", "item 3", prefixed with the file name by import_files
    reason: str


@dataclass
class ImportResult:
    """What an import did. ``rejected`` keeps the first :data:`MAX_REJECTED` details."""

    read: int = 0
    new: int = 0
    updated: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    by_status: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    rejected_count: int = 0

    @property
    def stored(self) -> int:
        return self.new + self.updated

    @property
    def events_per_s(self) -> float:
        return self.read / self.elapsed if self.elapsed > 0 else 0.0

    def add_rejected(self, rejected: Iterable[Rejected]) -> None:
        for item in rejected:
            self.rejected_count += 1
            if len(self.rejected) < MAX_REJECTED:
                self.rejected.append(item)


@dataclass
class Prepared:
    """One batch, ready to write: rows, what was rejected, and the stored statuses."""

    rows: RowBatch
    rejected: list[Rejected]
    by_status: Counter[str]
    read: int

    def add_to(self, result: ImportResult, cache: Cache) -> None:
        """Write the rows and count what happened into ``result``."""
        self.count(result, cache.write_rows(self.rows))

    def count(self, result: ImportResult, written: UpsertResult) -> None:
        """Count what writing the rows did into ``result``."""
        result.new += written.new
        result.updated += written.updated
        self.tally(result)

    def tally(self, result: ImportResult) -> None:
        """Count what was read, decoded and rejected into ``result`` (not what was written)."""
        result.read += self.read
        result.by_status.update(self.by_status)
        result.add_rejected(self.rejected)


def prepare(
    records: Sequence[Record],
    *,
    source: str,
    fetched_at: datetime,
    prefix: str = "",
    texts: Sequence[bytes | None] | None = None,
    contract: str = DEFAULT_CONTRACT,
) -> Prepared:
    """Decode (against ``contract``) and convert a batch of records. Pure: no I/O,
    picklable result.

    ``texts``, beside ``records``, are the JSON texts they were parsed from, where known.
    """
    models = load_contract(contract)
    rejected: list[Rejected] = []
    decodable: list[Record] = []
    decodable_texts: list[bytes | None] = []
    for index, record in enumerate(records):
        reason = record.error or unstorable(record.value)
        if reason is None:
            decodable.append(record)
            decodable_texts.append(texts[index] if texts is not None else None)
        else:
            rejected.append(Rejected(prefix + record.locator, reason))
    decoded = [
        _slim(decode_record(record, text, models))
        for record, text in zip(decodable, decodable_texts, strict=True)
    ]
    rows = build_rows(decoded, source=source, fetched_at=fetched_at)
    rejected += [Rejected(prefix + decodable[i].locator, reason) for i, reason in rows.rejected]
    return Prepared(rows, rejected, Counter(rows.statuses), len(records))


def _slim(decoded: Decoded) -> Decoded:
    """Without the pydantic models, which rows do not need: a batch holds half the memory."""
    return replace(decoded, envelope=None, payload=None)


def import_records(
    cache: Cache,
    records: Iterable[Record],
    *,
    source: str,
    progress: Progress | None = None,
    prefix: str = "",
    result: ImportResult | None = None,
) -> ImportResult:
    """Import one stream of records; ``result`` accumulates across several calls."""
    started = time.perf_counter()
    result = result if result is not None else ImportResult()
    fetched_at = datetime.now(UTC)
    counted = _counting(records, progress, result.read) if progress else records
    for chunk in _chunks(counted, BATCH_SIZE):
        prepared = prepare(
            chunk, source=source, fetched_at=fetched_at, prefix=prefix, contract=cache.contract
        )
        prepared.add_to(result, cache)
    result.elapsed += time.perf_counter() - started
    return result


def import_files(
    cache: Cache,
    paths: Sequence[str | Path],
    *,
    source: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import files (``-`` is stdin) one after the other; the source defaults to each file's name.

    Every file is checked to be readable before anything is written.
    """
    for path in paths:
        _check_readable(path)
    from explorer.core.parallel import import_ndjson  # parallel imports this module

    result = ImportResult()
    for path in paths:
        reader = EventReader(path)
        name = reader.name if str(path) == "-" else Path(path).name
        prefix = f"{reader.name} " if len(paths) > 1 else ""
        label = source or name
        if str(path) != "-" and import_ndjson(
            cache, Path(path), source=label, progress=progress, prefix=prefix, result=result
        ):
            continue
        import_records(cache, reader, source=label, progress=progress, prefix=prefix, result=result)
    return result


def _check_readable(path: str | Path) -> None:
    if str(path) == "-":
        return
    target = Path(path)
    if target.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    if not target.exists():
        raise InputError(f"{path}: no such file")
    try:
        with target.open("rb"):
            pass
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _counting(records: Iterable[Record], progress: Progress, start: int) -> Iterator[Record]:
    count = start
    for record in records:
        yield record
        count += 1
        if count % _PROGRESS_EVERY == 0:
            progress(count)
    progress(count)


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while chunk := list(islice(iterator, size)):
        yield chunk
