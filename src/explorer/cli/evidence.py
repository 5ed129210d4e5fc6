"""``verify`` (the server's hash-chain verdict), ``holds`` (legal holds) and ``reconstruct``.

DataStorage keys its hash chain with a secret of its own: the explorer alone can only
check the links (the timeline does); whether each hash is right only the server can say,
in its signed export. These commands ask it, with sync's source options.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from explorer.cli import main
from explorer.cli.options import SourceOptions, cache_option, contract_option, source_options
from explorer.cli.render import clean, plural
from explorer.client.datastorage import DataStorageClient
from explorer.client.evidence import MAX_EXPORT_LIMIT, ExportFilters, Reconstruction
from explorer.config import cache_path, source_contract
from explorer.errors import ClientError
from explorer.ingest.evidence import VerifyResult, run_verify
from explorer.ingest.holds import store_holds
from explorer.store.cache import Cache
from explorer.store.evidence import HoldRow

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

SHOWN_TAMPERED = 20


@main.command()
@click.argument("correlation_id", required=False, metavar="[CORRELATION_ID]")
@source_options
@cache_option
@contract_option
@click.option("--since", metavar="DURATION|TIME", help="Start of the range (start_time).")
@click.option("--until", metavar="DURATION|TIME", help="End of the range (end_time).")
@click.option("--category", metavar="CATEGORY", help="event_category.")
@click.option(
    "--page-size",
    type=click.IntRange(1, MAX_EXPORT_LIMIT),
    default=1000,
    show_default=True,
    metavar="N",
    help=f"Events per export page (the server allows {MAX_EXPORT_LIMIT:,}).",
)
@click.option(
    "--cert",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The PEM certificate DataStorage signs exports with: check every page's signature.",
)
def verify(
    correlation_id: str | None,
    remote: SourceOptions,
    cache: Path | None,
    contract: str | None,
    since: str | None,
    until: str | None,
    category: str | None,
    page_size: int,
    cert: Path | None,
) -> None:
    """Ask DataStorage for its hash-chain verdict (the signed export) and store it.

    Fetches every page of the export for the range, stores its events like sync and each
    event's verdict, and records the run. With --cert, each page's signature must verify
    with that certificate.

    Exit status: 0 the server found no tampered event, 1 it did (or the signature did
    not verify, or the server could not be asked).
    """
    settings, source = remote.settings()
    try:
        filters = ExportFilters(since, until, correlation_id, category)
    except ClientError as exc:
        raise click.UsageError(str(exc)) from None
    certificate = _certificate(cert) if cert is not None else None
    path = cache_path(cache)
    with (
        Cache.open(path, notify=_notify, contract=contract or source_contract(source)) as db,
        DataStorageClient(settings) as client,
    ):
        result = run_verify(
            db, client, filters, source=source, page_size=page_size, certificate=certificate
        )
    click.echo(render_verify(result, source, cert))
    if result.tampered:
        count = len(result.tampered)
        click.echo(f"audit-explorer: the server reports {count:,} tampered events", err=True)
        sys.exit(1)


def _certificate(path: Path) -> Certificate:
    from explorer.client.signature import load_certificate  # cryptography, only when asked

    return load_certificate(path)


def render_verify(result: VerifyResult, source: str, cert: Path | None) -> str:
    run = result.run
    scope = ", ".join(f"{k}={clean(v)}" for k, v in run.scope.items()) or "everything"
    integrity = "-" if run.integrity is None else f"{run.integrity:.2f}%"
    lines = [
        f"verification of {clean(source)} ({scope})",
        f"  events exported   {run.events:>12,}  ({plural(run.pages, 'page')})",
        *_synced(result),
        f"  same as cached    {result.compared.same:>12,}",
        f"  differ from cache {result.compared.differing:>12,}",
        f"  not in the cache  {result.compared.absent:>12,}",
        f"  verified          {run.total_verified:>12,}",
        f"  valid chain       {run.valid_chain:>12,}",
        f"  broken chain      {run.broken_chain:>12,}",
        f"  integrity         {integrity:>12}",
        f"  exported by       {clean(run.exported_by or '-')}",
        f"  signature         {_signature(result, cert)}",
    ]
    if result.tampered:
        shown = result.tampered[:SHOWN_TAMPERED]
        lines += ["", f"Tampered events (first {len(shown)} of {len(result.tampered):,}):"]
        lines += [f"  {clean(event_id)}" for event_id in shown]
    else:
        lines += ["", "no tampered events"]
    return "\n".join(lines)


def _synced(result: VerifyResult) -> list[str]:
    synced = result.synced
    if synced is None:
        return []
    return [f"  synced first      {synced.fetched:>12,}  ({synced.new:,} new)"]


def _signature(result: VerifyResult, cert: Path | None) -> str:
    run = result.run
    algorithm = clean(run.signature_algorithm or "unknown algorithm")
    if cert is not None and result.signed_by is not None:
        return f"{algorithm}, verified: signed by {result.signed_by} ({clean(str(cert))})"
    claimed = clean(run.certificate_fingerprint or "an unnamed certificate")
    return f"{algorithm} by {claimed}; not checked (pass --cert FILE)"


@main.command()
@source_options
@cache_option
def holds(remote: SourceOptions, cache: Path | None) -> None:
    """List the active legal holds DataStorage reports, and store them in the cache.

    A sync reads the list too; `hold:yes` in a filter selects the events under hold.
    """
    settings, source = remote.settings()
    with DataStorageClient(settings) as client:
        found = client.legal_holds()
    with Cache.open(cache_path(cache), notify=_notify) as db:
        store_holds(db, source, found)
    rows = [HoldRow(h.correlation_id, h.events_affected, h.placed_by, h.placed_at, h.reason)
            for h in found]  # fmt: skip
    click.echo(render_holds(rows))


def render_holds(rows: list[HoldRow]) -> str:
    if not rows:
        return "no active legal holds"
    lines = [f"{plural(len(rows), 'active legal hold')}", ""]
    for row in rows:
        events = "?" if row.events_affected is None else f"{row.events_affected:,}"
        lines.append(
            f"  {clean(row.correlation_id)}  {events} events, placed "
            f"{clean(row.placed_at or '?')} by {clean(row.placed_by or '?')}: "
            f"{clean(row.reason or '')}"
        )
    return "\n".join(lines)


@main.command()
@click.argument("correlation_id", metavar="CORRELATION_ID")
@source_options
def reconstruct(correlation_id: str, remote: SourceOptions) -> None:
    """Print the RemediationRequest DataStorage rebuilds from the audit trail of one
    correlation ID (YAML on stdout, its completeness on stderr).

    The endpoint is a POST: the token's identity needs the `create` verb on the
    DataStorage service.
    """
    settings, _ = remote.settings()
    with DataStorageClient(settings) as client:
        found = client.reconstruct(correlation_id)
    click.echo(render_reconstruction(found), nl=False)
    for line in reconstruction_notes(found):
        click.echo(line, err=True)


def render_reconstruction(found: Reconstruction) -> str:
    from explorer.text import clean_lines

    text = clean_lines(found.yaml)
    return text if text.endswith("\n") else text + "\n"


def reconstruction_notes(found: Reconstruction) -> list[str]:
    state = "valid" if found.is_valid else "not valid"
    lines = [f"completeness {found.completeness}% ({state})"]
    lines += [f"  error: {clean(e)}" for e in found.errors]
    lines += [f"  warning: {clean(w)}" for w in found.warnings]
    return lines


def _notify(message: str) -> None:
    click.echo(f"audit-explorer: {clean(message)}", err=True)
