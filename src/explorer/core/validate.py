"""Decode input records and summarise what does not fit the contract."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from explorer.client.files import Record
from explorer.models.decode import Decoded, Status, _describe, decode, malformed
from explorer.models.registry import DEFAULT_CONTRACT, Contract


def decode_record(
    record: Record, text: bytes | None = None, contract: Contract | None = None
) -> Decoded:
    """Decode one input record; unparseable NDJSON lines become ``malformed_json`` entries.

    ``text``: the JSON text the record was parsed from, when known (see ``decode``);
    ``contract``: what to decode against (default: main)."""
    if record.error is not None:
        return malformed(record.locator, record.error)
    if record.line is not None and not isinstance(record.value, dict):
        return malformed(record.locator, f"expected an event object, got {_describe(record.value)}")
    return decode(record.value, text, contract)


@dataclass
class Summary:
    """Counts per status, per service and per (event type, issue kind)."""

    total: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_service: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_type_issue: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: list[tuple[str, Decoded]] = field(default_factory=list)
    max_examples: int = 10
    contract: str = DEFAULT_CONTRACT
    # Non-ok events by the shipped contracts they fit (``()``: none).
    by_fits: Counter[tuple[str, ...]] = field(default_factory=Counter)

    def add(self, locator: str, decoded: Decoded) -> None:
        self.total += 1
        self.by_status[decoded.status] += 1
        if decoded.status is not Status.OK:
            self.by_fits[decoded.fits or ()] += 1
        self.by_service[(decoded.service or "-", decoded.status)] += 1
        for kind in {issue.kind for issue in decoded.issues}:
            self.by_type_issue[(decoded.event_type or "-", kind)] += 1
        if decoded.issues and len(self.examples) < self.max_examples:
            self.examples.append((locator, decoded))

    def failed(self, *, strict: bool = False) -> bool:
        bad = {s for s in Status if s.fails or (strict and s is Status.DRIFT)}
        return any(self.by_status[s] for s in bad)


def validate_records(
    records: Iterable[Record], summary: Summary, contract: Contract | None = None
) -> Iterator[tuple[Record, Decoded]]:
    """Decode each record in input order against ``contract``, counting as it goes."""
    for record in records:
        decoded = decode_record(record, contract=contract)
        summary.add(record.locator, decoded)
        yield record, decoded
