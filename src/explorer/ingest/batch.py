"""One batch of events on its way in, and the one tally of what batches did.

:func:`prepare` (records read from files) and :func:`prepare_events` (a page of a sync)
decode and convert a batch into a :class:`Prepared`: pure functions of their input, so
batches can be prepared in worker processes. Writing a batch gives an ``UpsertResult``;
:meth:`Tally.add` counts both into a result, for the import, the parallel import's
groups and the sync alike.
"""

from __future__ import annotations

import marshal
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from explorer.client.files import Record, decode_record
from explorer.ingest.rows import build_rows, unstorable
from explorer.jsontext import DuplicateKey
from explorer.models.decode import Decoded, decode
from explorer.models.registry import DEFAULT_CONTRACT, load_contract
from explorer.store.batches import RowBatch

if TYPE_CHECKING:  # workers import this module: they need neither DuckDB nor the cache
    from explorer.store.cache import Cache, UpsertResult

MAX_REJECTED = 1000  # details kept; the count is always complete


@dataclass(frozen=True, slots=True)
class Rejected:
    locator: str  # "line 12", "item 3", prefixed with the file name by import_files
    reason: str


@dataclass
class Prepared:
    """One batch, ready to write: rows, what was rejected, and the stored statuses."""

    rows: RowBatch
    rejected: list[Rejected]
    by_status: Counter[str]
    read: int

    def add_to(self, result: Tally, cache: Cache) -> None:
        """Write the rows and count what happened into ``result``."""
        result.add([self], [cache.write_rows(self.rows)])

    def add_stored_ok(self, count: int) -> None:
        """Count ``count`` more events read, that decode ok and are stored apart from the
        rows (the bulk lane's, see :mod:`explorer.ingest.lanes`)."""
        self.read += count
        self.by_status["ok"] += count


@dataclass
class Tally:
    """What batches did, added up. ``rejected`` keeps the first :data:`MAX_REJECTED`
    details; ``rejected_count`` counts them all."""

    read: int = 0
    new: int = 0
    updated: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    by_status: Counter[str] = field(default_factory=Counter)
    rejected_count: int = 0
    conflicts: int = 0  # of ``updated``: arrived again with different content, not applied

    @property
    def stored(self) -> int:
        return self.new + self.updated

    def add(self, prepared: Iterable[Prepared], written: Iterable[UpsertResult]) -> None:
        """Count batches and what writing them did (one write may hold several batches,
        or one batch several writes)."""
        for stored in written:
            self.new += stored.new
            self.updated += stored.updated
            self.conflicts += stored.conflicts
        for batch in prepared:
            self.read += batch.read
            self.by_status.update(batch.by_status)
            self.add_rejected(batch.rejected)

    def add_rejected(self, rejected: Iterable[Rejected]) -> None:
        for item in rejected:
            self.rejected_count += 1
            if len(self.rejected) < MAX_REJECTED:
                self.rejected.append(item)


@dataclass
class ImportResult(Tally):
    """What an import did."""

    elapsed: float = 0.0

    @property
    def events_per_s(self) -> float:
        return self.read / self.elapsed if self.elapsed > 0 else 0.0


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
        slim(decode_record(record, text, models))
        for record, text in zip(decodable, decodable_texts, strict=True)
    ]
    rows = build_rows(decoded, source=source, fetched_at=fetched_at)
    rejected += [Rejected(prefix + decodable[i].locator, reason) for i, reason in rows.rejected]
    return Prepared(rows, rejected, Counter(rows.statuses), len(records))


def slim(decoded: Decoded) -> Decoded:
    """Without the pydantic models, which rows do not need: a batch holds half the memory."""
    return replace(decoded, envelope=None, payload=None)


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
        slim(decode(raw, contract=models, duplicates=repeated.get(index, ())))
        for index, raw in enumerate(events)
    ]
    rows = build_rows(decoded, source=source, fetched_at=fetched_at)
    rejected = [Rejected(f"item {i}", reason) for i, reason in rows.rejected]
    return Prepared(rows.freeze(), rejected, Counter(rows.statuses), len(events))
