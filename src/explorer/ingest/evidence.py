"""The server's evidence into the cache: a verification run (the signed export, every page)
and a saved export file's verdicts (the legal-hold list: :mod:`explorer.ingest.holds`).

The export carries a projection of each event (no actor, resource, ...), so its events are
compared with the cached ones on what they carry, never stored (``verify`` syncs the range
first, through the events endpoint); a value that differs is a conflict, kept like any other.
The per-event ``hash_chain_valid`` goes to ``chain_verdicts``, and each run gets a row in
``verification_runs`` (see :mod:`explorer.store.evidence`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from explorer.client.datastorage import DataStorageClient, EventFilters
from explorer.client.evidence import ExportFilters, ExportPage, export_from_json
from explorer.errors import ClientError
from explorer.ingest.sync import SyncResult, run_sync
from explorer.store.cache import Cache
from explorer.store.conflicts import check_partial
from explorer.store.evidence import VerificationRun, save_run

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

MAX_PAGES = 10_000  # 100M events at the largest page: a server that never ends is cut off


@dataclass
class Compared:
    """The export's events against the cached ones, on the properties the export carries."""

    same: int = 0
    differing: int = 0  # kept in event_conflicts: the server now says otherwise
    absent: int = 0  # not in the cache (sync the range to store them)


@dataclass
class VerifyResult:
    """What a verification run found; ``run`` is what was stored."""

    run: VerificationRun
    compared: Compared = field(default_factory=Compared)
    verdicts: dict[str, bool] = field(default_factory=dict)
    signed_by: str | None = None  # the certificate fingerprint that signed every page
    synced: SyncResult | None = None  # the sync of the range before the export

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
    sync_first: bool = True,
) -> VerifyResult:
    """Fetch the export of ``filters`` (every page), store its events and the server's
    verdicts. A page whose signature does not verify with ``certificate`` stops the run
    (ClientError) before anything of it is stored; earlier pages stay stored."""
    check = _checker(certificate)
    asked = filters.resolved()  # times resolved once: every page asks for the same range
    synced = None
    if sync_first:  # the events in full, through the events endpoint, like sync
        synced = run_sync(cache, client, _sync_filters(asked), source=source)
        if not synced.complete:
            raise ClientError(f"the sync before the verification stopped: {synced.stopped}")
    pages: list[ExportPage] = []
    compared = Compared()
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
        _check_events(cache, page, source, compared)
        pages.append(page)
        seen = ids
        offset += len(page.events)
        if not page.events:
            break
    run = _run(pages, source, asked.scope(), signed=check is not None)
    verdicts = {k: v for page in pages for k, v in page.verdicts.items()}
    save_run(cache.cursor(), run, verdicts)
    signed_by = next(iter(fingerprints)) if len(fingerprints) == 1 else None
    return VerifyResult(run, compared, verdicts, signed_by, synced)


def _sync_filters(asked: ExportFilters) -> EventFilters:
    return EventFilters(
        event_category=asked.event_category,
        correlation_id=asked.correlation_id,
        since=asked.start_time,
        until=asked.end_time,
    )


def _checker(certificate: Certificate | None) -> Check | None:
    if certificate is None:
        return None
    from explorer.client.signature import check_signature  # cryptography, only when asked

    return lambda page: check_signature(page, certificate)


def _check_events(cache: Cache, page: ExportPage, source: str, found: Compared) -> None:
    """The export's events against the cache (see :func:`explorer.store.conflicts.check_partial`):
    a verification never stores them, since they are a projection of each event."""
    events = [e for e in page.events if isinstance(e, dict)]
    if not events:
        return
    checked = check_partial(cache.cursor(), events, source, datetime.now(UTC))
    found.same += checked.same
    found.differing += checked.differing
    found.absent += len(checked.absent)


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
