"""Import events from files into the cache: decode, convert, upsert in batches.

Events that cannot be stored (not an object, no event_id, no parseable
event_timestamp) are rejected with where they came from; everything else is stored,
whatever its decode status. Batches are prepared by :func:`explorer.ingest.batch.prepare`.

A large NDJSON file is imported in parallel (:mod:`explorer.ingest.ndjson`): worker
processes read spans of it, spool the events DuckDB can store by itself and decode the
rest into Arrow batches; the main process writes both in input order.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from explorer.client.evidence import export_from_json
from explorer.client.files import EventReader, Record
from explorer.errors import ClientError, InputError
from explorer.ingest.batch import ImportResult, prepare
from explorer.ingest.evidence import record_export_document
from explorer.ingest.ndjson import import_ndjson
from explorer.ingest.rows import build_rows
from explorer.models.decode import Decoded
from explorer.store.cache import Cache, UpsertResult
from explorer.store.conflicts import check_partial
from explorer.store.schema import BATCH_SIZE as BATCH_SIZE  # tests tune it here

Progress = Callable[[int], None]
T = TypeVar("T")

_PROGRESS_EVERY = 2_000


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
        records = _new_to_the_cache(cache, reader, label)
        import_records(
            cache, records, source=label, progress=progress, prefix=prefix, result=result
        )
        if reader.export is not None:  # a saved export: the server's verdicts too
            record_export_document(cache, reader.export, label)
    return result


def _new_to_the_cache(cache: Cache, reader: EventReader, source: str) -> Iterator[Record]:
    """``reader``'s records; of a saved export, only the events the cache does not hold.

    An export carries a projection of each event (no actor, resource, ...). An event the
    cache holds is compared with it on what the export carries (a difference is kept in
    ``event_conflicts``, see :func:`explorer.store.conflicts.check_partial`), never stored
    again: as a second version it would look changed. One the cache lacks is stored as the
    export gives it (all an auditor with only the file has).
    """
    absent: set[str] | None = None
    for record in reader:
        if reader.shape == "export" and reader.export is not None:
            if absent is None:
                absent = _absent(cache, reader.export, source)
            event_id = record.value.get("event_id") if isinstance(record.value, dict) else None
            if isinstance(event_id, str) and event_id not in absent:
                continue
        yield record


def _absent(cache: Cache, document: dict[str, Any], source: str) -> set[str]:
    try:
        page = export_from_json(document)
    except ClientError:  # not a well-formed export: every item goes the usual way
        return {str(e.get("event_id")) for e in document.get("events", []) if isinstance(e, dict)}
    events = [e for e in page.events if isinstance(e, dict)]
    return set(check_partial(cache.cursor(), events, source, datetime.now(UTC)).absent)


def upsert(
    cache: Cache,
    decoded: Iterable[Decoded],
    *,
    source: str,
    fetched_at: datetime | None = None,
) -> UpsertResult:
    """Store decoded events (the first version per event_id stays), in batches."""
    fetched_at = fetched_at or datetime.now(UTC)
    new = updated = offset = differing = 0
    rejected: list[tuple[int, str]] = []
    for chunk in _chunks(decoded, BATCH_SIZE):
        batch = build_rows(chunk, source=source, fetched_at=fetched_at)
        result = cache.write_rows(batch)
        new += result.new
        updated += result.updated
        differing += result.conflicts
        rejected += [(offset + index, reason) for index, reason in batch.rejected]
        offset += len(chunk)
    return UpsertResult(new, updated, tuple(rejected), differing)


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


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
