"""The server's evidence into the cache: a verification run (the signed export, every page),
a saved export file's verdicts, and the legal-hold list.

The events of an export are stored the way a sync stores a page (``prepare_events`` and
the cache's writes: the same decoding, the same never-overwrite rules); the per-event
``hash_chain_valid`` goes to ``chain_verdicts`` instead of the event, and each run gets a
row in ``verification_runs`` (see :mod:`explorer.store.evidence`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from explorer.client.datastorage import DataStorageClient
from explorer.client.evidence import ExportFilters, ExportPage, Hold, export_from_json
from explorer.errors import ClientError
from explorer.ingest.batch import Tally, prepare_events
from explorer.store.cache import Cache
from explorer.store.evidence import HoldRow, VerificationRun, replace_holds, save_run

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

MAX_PAGES = 10_000  # 100M events at the largest page: a server that never ends is cut off


@dataclass
class VerifyResult:
    """What a verification run found; ``run`` is what was stored."""

    run: VerificationRun
    tally: Tally = field(default_factory=Tally)
    verdicts: dict[str, bool] = field(default_factory=dict)
    signed_by: str | None = None  # the certificate fingerprint that signed every page

    @property
    def tampered(self) -> tuple[str, ...]:
        """Tampered event IDs: the server's list, and any event it marked invalid."""
        marked = [e for e, valid in self.verdicts.items() if not valid]
        return tuple(dict.fromkeys([*self.run.tampered_ids, *marked]))


Check = Callable[[ExportPage], str]  # checks a page's signature, returns the fingerprint


def run_verify(
    cache: Cache,
    client: DataStorageClient,
    filters: ExportFilters,
    *,
    source: str,
    page_size: int = 1000,
    certificate: Certificate | None = None,
) -> VerifyResult:
    """Fetch the export of ``filters`` (every page), store its events and the server's
    verdicts. A page whose signature does not verify with ``certificate`` stops the run
    (ClientError) before anything of it is stored; earlier pages stay stored."""
    check = _checker(certificate)
    asked = filters.resolved()  # times resolved once: every page asks for the same range
    pages: list[ExportPage] = []
    tally = Tally()
    fingerprints: set[str] = set()
    offset = 0
    seen: frozenset[str] = frozenset()
    while len(pages) < MAX_PAGES:
        page = client.export_events(asked, limit=page_size, offset=offset)
        if not page.events and pages:  # past the end (a server may cap a page below the
            break  # limit asked, so a short page is not taken as the last one)
        ids = frozenset(str(e.get("event_id")) for e in page.events if isinstance(e, dict))
        if page.events and ids == seen:
            raise ClientError("the server sent the same export page again; stopped")
        if check is not None:
            fingerprints.add(check(page))
        _store_events(cache, page, source, tally)
        pages.append(page)
        seen = ids
        offset += len(page.events)
        if not page.events:
            break
    run = _run(pages, source, asked.scope(), signed=check is not None)
    verdicts = {k: v for page in pages for k, v in page.verdicts.items()}
    save_run(cache.cursor(), run, verdicts)
    signed_by = next(iter(fingerprints)) if len(fingerprints) == 1 else None
    return VerifyResult(run, tally, verdicts, signed_by)


def _checker(certificate: Certificate | None) -> Check | None:
    if certificate is None:
        return None
    from explorer.client.signature import check_signature  # cryptography, only when asked

    return lambda page: check_signature(page, certificate)


def _store_events(cache: Cache, page: ExportPage, source: str, tally: Tally) -> None:
    if not page.events:
        return
    prepared = prepare_events(page.events, source, datetime.now(UTC), cache.contract)
    tally.add([prepared], cache.write_many([prepared.rows]))


def _run(
    pages: list[ExportPage], source: str, scope: dict[str, str], *, signed: bool
) -> VerificationRun:
    total = sum(p.summary.total_verified for p in pages)
    valid = sum(p.summary.valid for p in pages)
    broken = sum(p.summary.broken for p in pages)
    tampered = [i for p in pages for i in (p.summary.tampered_ids or ())]
    last = pages[-1] if pages else None
    algorithms = {p.signature_algorithm for p in pages}
    fingerprints = {p.certificate_fingerprint for p in pages}
    return VerificationRun(
        run_id=str(uuid.uuid4()),
        source=source,
        verified_at=datetime.now(UTC),
        scope=scope,
        events=sum(len(p.events) for p in pages),
        pages=len(pages),
        total_verified=total,
        valid_chain=valid,
        broken_chain=broken,
        integrity=100.0 * valid / total if total else None,
        tampered_ids=tuple(dict.fromkeys(tampered)),
        signature_algorithm=algorithms.pop() if len(algorithms) == 1 else None,
        certificate_fingerprint=fingerprints.pop() if len(fingerprints) == 1 else None,
        signature_checked=signed,
        exported_by=last.exported_by if last else None,
        export_timestamp=last.export_timestamp if last else None,
    )


def record_export_document(cache: Cache, document: Any, source: str) -> VerificationRun | None:
    """The verdicts of a saved export file (its events are imported by the importer).
    None when the document is not a well-formed export."""
    try:
        page = export_from_json(document)
    except ClientError:
        return None
    filters = page.metadata.get("query_filters")
    scope = {k: str(v) for k, v in filters.items()} if isinstance(filters, dict) else {}
    run = _run([page], source, scope, signed=False)
    save_run(cache.cursor(), run, page.verdicts)
    return run


def store_holds(cache: Cache, source: str, holds: list[Hold]) -> int:
    rows = [
        HoldRow(h.correlation_id, h.events_affected, h.placed_by, h.placed_at, h.reason)
        for h in holds
    ]
    return replace_holds(cache.cursor(), source, rows, datetime.now(UTC))


def sync_holds(cache: Cache, client: DataStorageClient, source: str) -> int | str:
    """Read the legal-hold list (one try: a sync does not wait on it) and store it; the
    number of holds, or why it could not be read."""
    try:
        return store_holds(cache, source, client.legal_holds(tries=1))
    except ClientError as exc:
        return str(exc)
