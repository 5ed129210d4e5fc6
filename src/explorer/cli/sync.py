"""``audit-explorer sync`` (DataStorage into the cache) and ``demo-server`` (a stand-in)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from explorer.cli import main
from explorer.cli.options import SourceOptions, cache_option, contract_option, source_options
from explorer.cli.progress import Update, progress_bar
from explorer.cli.render import clean, conflict_lines, examples, status_lines
from explorer.client.datastorage import (
    DataStorageClient,
    EventFilters,
)
from explorer.config import cache_path, source_contract
from explorer.errors import ClientError, ExplorerError
from explorer.ingest.follow import remember_source
from explorer.ingest.sync import SyncProgress, SyncResult, run_sync
from explorer.store.cache import Cache


@main.command(
    epilog=examples(
        "audit-explorer sync --url http://127.0.0.1:8080 --since 24h",
        "audit-explorer sync --source prod --token-file ~/.kube/ds-token",
        "audit-explorer sync --source prod --full --max-events 100000",
    )
)
@source_options
@cache_option
@contract_option
@click.option(
    "--since", metavar="DURATION|TIME", help="30m, 24h, 7d, 2w, 1h30m, now or an ISO date/time."
)
@click.option("--until", metavar="DURATION|TIME", help="Same forms as --since (exclusive).")
@click.option("--event-type", metavar="TYPE", help="Only events of this event_type.")
@click.option("--category", metavar="CATEGORY", help="event_category.")
@click.option(
    "--outcome",
    type=click.Choice(["success", "failure", "pending"]),
    metavar="success|failure|pending",
    help="Only events with this event_outcome.",
)
@click.option("--severity", metavar="SEVERITY", help="Only events of this severity.")
@click.option("--correlation-id", metavar="ID", help="Only the events of one correlation ID.")
@click.option("--detail", nargs=2, metavar="KEY VALUE", help="event_data KEY equals VALUE.")
@click.option(
    "--page-size",
    type=click.IntRange(1, 1000),
    default=1000,
    show_default=True,
    metavar="N",
    help="Events per request (1-1000).",
)
@click.option("--max-events", type=click.IntRange(min=1), metavar="N", help="Stop after N events.")
@click.option("--full", is_flag=True, help="Ignore the watermark: fetch the whole history.")
def sync(remote: SourceOptions, **options: object) -> None:
    """Fetch audit events from DataStorage into the local cache.

    Every event is decoded and stored once: an event that arrives again keeps its
    stored version (one with different content is kept aside and counted). A later
    sync of the same source and filters fetches only what is new since the last
    complete one (10 minutes of overlap); --full fetches everything again.

    Exit status: 0 the sync completed, 1 it stopped early (what was fetched is kept;
    run it again to finish).
    """
    opts = _SyncOptions(**options)  # type: ignore[arg-type]
    settings, source = remote.settings()
    if settings.insecure:
        click.echo("audit-explorer: warning: TLS certificates are not verified", err=True)
    filters = _filters(opts)
    path = cache_path(opts.cache)
    contract = opts.contract or source_contract(source)  # the config source's, if any
    with (
        Cache.open(path, notify=_notify, contract=contract) as cache,
        DataStorageClient(settings) as client,
        progress_bar("syncing") as bar,
    ):
        if remote.kube_target() is None:  # a port-forward's URL is not worth keeping
            remember_source(cache, settings, source)  # the explorer's `s` syncs from it
        result = run_sync(
            cache, client, filters, source=source, max_events=opts.max_events,
            page_size=opts.page_size, progress=_shown(bar), full=opts.full,
        )  # fmt: skip
        total = cache.count()
    click.echo(render_result(result, source, path, total))
    if not result.complete and not _capped(result, opts.max_events):
        what = "interrupted" if result.stopped == "interrupted" else "stopped"
        reason = "" if result.stopped == "interrupted" else f": {clean(result.stopped or '')}"
        kept = f"{result.fetched:,} events from {result.pages:,} pages kept"
        click.echo(f"audit-explorer: sync {what}{reason}; {kept}; run it again", err=True)
        sys.exit(1)


@dataclass(frozen=True)
class _SyncOptions:
    cache: Path | None
    contract: str | None
    since: str | None
    until: str | None
    event_type: str | None
    category: str | None
    outcome: str | None
    severity: str | None
    correlation_id: str | None
    detail: tuple[str, str] | None
    page_size: int
    max_events: int | None
    full: bool


def _notify(message: str) -> None:
    click.echo(f"audit-explorer: {clean(message)}", err=True)


def _filters(opts: _SyncOptions) -> EventFilters:
    key, value = opts.detail or (None, None)
    try:
        return EventFilters(
            event_type=opts.event_type, event_category=opts.category,
            event_outcome=opts.outcome, severity=opts.severity,
            correlation_id=opts.correlation_id, since=opts.since, until=opts.until,
            detail_key=key, detail_value=value,
        )  # fmt: skip
    except ClientError as exc:
        raise click.UsageError(str(exc)) from None


def _capped(result: SyncResult, max_events: int | None) -> bool:
    return max_events is not None and result.fetched >= max_events


def _shown(bar: Update | None) -> Callable[[SyncProgress], None] | None:
    """The sync's progress on the bar: events fetched of the server's count, when it gave one."""
    if bar is None:
        return None
    return lambda progress: bar(progress.fetched, progress.expected)


def render_result(result: SyncResult, source: str, path: Path, total: int) -> str:
    state = "complete" if result.complete else f"stopped: {clean(result.stopped or '?')}"
    lines = [
        f"sync of {clean(source)}: {state}",
        f"  fetched         {result.fetched:>12,}",
        f"  stored new      {result.new:>12,}",
        f"  already stored  {result.updated:>12,}",
        f"  rejected        {result.rejected:>12,}",
        f"  pages           {result.pages:>12,}",
        f"  retries         {result.retries:>12,}",
    ]
    lines += conflict_lines(result.conflicts)
    lines += status_lines(result.by_status)
    lines.append("")
    if result.since:
        lines.append(f"since {clean(result.since)}")
    if result.watermark is not None and result.complete:
        lines.append(
            f"newest event {result.watermark:%Y-%m-%d %H:%M:%S} UTC (next sync starts there)"
        )
    if isinstance(result.holds, int):
        lines.append(f"legal holds: {result.holds:,} active")
    elif result.holds is not None:
        lines.append(f"legal holds not read: {clean(result.holds)}")
    lines += [
        f"{result.elapsed:.2f} s, {result.events_per_s:,.0f} events/s",
        f"cache {clean(str(path))}: {total:,} events",
    ]
    return "\n".join(lines)


# -- the stand-in ------------------------------------------------------------------------


@main.command(
    "demo-server",
    epilog=examples(
        "audit-explorer demo-server --port 8080",
        "audit-explorer demo-server --port 0 --token s3cret --events 50000",
    ),
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    metavar="PORT",
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option(
    "--events",
    "count",
    type=click.IntRange(min=0),
    default=2000,
    show_default=True,
    metavar="N",
    help="How many demo events to serve.",
)
@click.option(
    "--seed", type=int, default=7, show_default=True, metavar="N", help="Random seed of the data."
)
@click.option("--token", metavar="TOKEN", help="Require this bearer token.")
@click.option(
    "--read-token", metavar="TOKEN", help="Also accept this token, for get/list only (no `create`)."
)
@click.option(
    "--tamper",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="Alter N events after sealing.",
)
@click.option(
    "--cert-out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Write the export-signing certificate here (for `verify --cert FILE`).",
)
def demo_server(
    port: int,
    count: int,
    seed: int,
    token: str | None,
    read_token: str | None,
    tamper: int,
    cert_out: Path | None,
) -> None:
    """Serve demo events on 127.0.0.1 the way DataStorage does, until Ctrl-C.

    Try it: ``audit-explorer sync --url http://127.0.0.1:8080``. --port 0 picks a free port.
    """
    from explorer.demo.generator import demo_events
    from explorer.demo.server import DemoServer

    try:
        server = DemoServer(
            demo_events(count, seed), token=token, port=port, read_token=read_token, tamper=tamper
        )
    except OSError as exc:
        raise ExplorerError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    if cert_out is not None:
        try:
            cert_out.write_bytes(server.signer.cert_pem)
        except OSError as exc:
            raise ExplorerError(f"cannot write {cert_out}: {exc.strerror or exc}") from None
        click.echo(f"export-signing certificate written to {clean(str(cert_out))}")
    auth = " (bearer token required)" if token else ""
    click.echo(f"serving {len(server):,} demo events on {server.url}{auth}; Ctrl-C stops")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
