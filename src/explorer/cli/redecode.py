"""``audit-explorer redecode``: decode a cache again against another contract version."""

from __future__ import annotations

from pathlib import Path

import click

from explorer.cli import main
from explorer.cli.options import cache_option
from explorer.cli.progress import progress_bar
from explorer.cli.render import clean, examples, plural, status_lines
from explorer.config import cache_path
from explorer.core.redecode import RedecodeResult
from explorer.core.redecode import redecode as redecode_cache
from explorer.models.registry import CONTRACT_NAMES, DEFAULT_CONTRACT
from explorer.store.cache import Cache


@main.command(
    epilog=examples(
        "audit-explorer redecode --contract v1.5.7",
        "audit-explorer --demo redecode",
    )
)
@click.option(
    "--contract",
    type=click.Choice(CONTRACT_NAMES),
    default=DEFAULT_CONTRACT,
    show_default=True,
    help="The contract version to decode against (see `audit-explorer contracts`).",
)
@cache_option
def redecode(contract: str, cache: Path | None) -> None:
    """Decode every cached event again against --contract, in place.

    Nothing is fetched again and no stored event changes: only the decode status,
    issues and fits are replaced, together with the contract the cache records, in one
    transaction (an interrupted run leaves the cache as it was). The typed payload views
    follow the new contract.
    """
    path = cache_path(cache)
    with (
        Cache.open(
            path, notify=lambda m: click.echo(f"audit-explorer: {clean(m)}", err=True)
        ) as db,
        progress_bar(f"redecoding against {contract}", db.count()) as progress,
    ):
        result = redecode_cache(db, contract, progress)
    click.echo(render_result(result, path))


def render_result(result: RedecodeResult, path: Path) -> str:
    lines = [
        f"{plural(result.events, 'event')} decoded against {result.after} (was {result.before})",
        f"  status changed  {result.changed:>12,}",
    ]
    lines += status_lines(result.by_status, heading="Now by status:")
    lines += ["", f"{result.elapsed:.2f} s; cache {clean(str(path))}"]
    return "\n".join(lines)
