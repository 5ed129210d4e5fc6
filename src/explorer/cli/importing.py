"""``audit-explorer import``: decode events from files and store them in the cache."""

from __future__ import annotations

from pathlib import Path

import click

from explorer.cli import main
from explorer.cli.completion import complete_source
from explorer.cli.options import cache_option, contract_option
from explorer.cli.progress import progress_bar
from explorer.cli.render import clean, conflict_lines, examples, status_lines
from explorer.config import cache_path, source_contract
from explorer.ingest.batch import ImportResult
from explorer.ingest.importer import import_files
from explorer.store.cache import Cache

SHOWN_REJECTED = 10


@main.command(
    "import",
    epilog=examples(
        "audit-explorer import events.ndjson",
        "kubectl logs deploy/gateway | audit-explorer import - --source gateway",
        "audit-explorer import page1.json page2.json --contract v1.5.7",
    ),
)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@cache_option
@click.option(
    "--source",
    metavar="NAME",
    shell_complete=complete_source,
    help="Record the events as coming from NAME (default: the file name); a source of the "
    "config file also gives its contract.",
)
@contract_option
def import_(
    files: tuple[str, ...], cache: Path | None, source: str | None, contract: str | None
) -> None:
    """Store the audit events of FILE... ("-" for stdin) in the local cache.

    FILE may be NDJSON, a JSON array of events, a query page or an export. An event
    already stored keeps its first version: one that arrives again with different
    content is kept aside and counted, never applied. Events without an event_id or a
    parseable event_timestamp are reported and skipped; every other event is stored,
    whatever its decode status.

    Exit status: 0 the import ran (even if some events were rejected), 1 the cache
    failed, 2 an input cannot be read.
    """
    path = cache_path(cache)
    with (
        Cache.open(
            path,
            notify=lambda message: click.echo(f"audit-explorer: {clean(message)}", err=True),
            contract=contract or source_contract(source),
        ) as db,
        progress_bar("importing") as progress,
    ):
        result = import_files(db, files, source=source, progress=progress)
        total = db.count()
    click.echo(render_result(result, path, total))


def render_result(result: ImportResult, path: Path, total: int) -> str:
    lines = [
        f"{result.read:,} events read",
        f"  stored new      {result.new:>12,}",
        f"  already stored  {result.updated:>12,}",
        f"  rejected        {result.rejected_count:>12,}",
    ]
    lines += conflict_lines(result.conflicts)
    lines += status_lines(result.by_status)
    if result.rejected_count:
        lines += ["", f"Rejected (not stored; first {min(SHOWN_REJECTED, result.rejected_count)}):"]
        for item in result.rejected[:SHOWN_REJECTED]:
            lines.append(f"  {clean(item.locator)}: {clean(item.reason)}")
    lines += [
        "",
        f"{result.elapsed:.2f} s, {result.events_per_s:,.0f} events/s",
        f"cache {clean(str(path))}: {total:,} events",
    ]
    if result.rejected_count:
        lines.append(
            f"note: {result.rejected_count:,} events could not be stored (see above); "
            "all the others were imported"
        )
    return "\n".join(lines)
