"""``audit-explorer tui`` and ``audit-explorer demo``: the explorer, on the cache or on demo data.

Textual is imported inside the commands, so the other commands start without it.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from pathlib import Path

import click

from explorer import config
from explorer.cli import main
from explorer.cli.options import cache_option, contract_option
from explorer.cli.progress import progress_bar
from explorer.cli.render import clean, examples, plural

DEMO_EVENTS = 20_000
DEMO_SEED = 7
DEMO_HINT = (
    "demo: every command reaches this cache with --demo, e.g. "
    "audit-explorer --demo events 'outcome:failure'"
)


def run_app(cache: Path, contract: str | None = None, filter: str = "") -> None:
    """Open the explorer on ``cache`` and return when the person quits (exit status 0).

    The config file gives the keymap and the named filters; ``filter`` applies at start.
    """
    settings = config.load_config()
    app_module = importlib.import_module("explorer.tui.app")
    app = app_module.ExplorerApp(cache, contract=contract, config=settings, filter=filter)
    app.run()


@main.command(
    epilog=examples(
        "audit-explorer",
        "audit-explorer --cache team.duckdb tui",
        "audit-explorer --demo",
    )
)
@cache_option
@contract_option
@click.option(
    "--filter",
    "filter_",
    default="",
    metavar="NAME|EXPR",
    help="Start with this filter: a name from the config's [filters], or an expression.",
)
def tui(cache: Path | None = None, contract: str | None = None, filter_: str = "") -> None:
    """Open the explorer on the cache (the default command).

    --contract checks that the cache was decoded against that contract version (and
    decodes what a sync from the explorer stores against it).
    """
    expr = config.load_config().filters.get(filter_, filter_)
    if expr:
        from explorer.core.filters import parse_filter

        parse_filter(expr)  # a bad expression is a one-line error before the screen opens
    run_app(config.cache_path(cache), contract, expr)


@main.command(
    epilog=examples(
        "audit-explorer demo",
        "audit-explorer demo --events 200000 --seed 3",
        "audit-explorer --demo events 'outcome:failure'",
    )
)
@click.option(
    "--events",
    "count",
    type=click.IntRange(1, 5_000_000),
    default=DEMO_EVENTS,
    show_default=True,
    metavar="N",
    help="How many demo events.",
)
@click.option(
    "--seed",
    type=int,
    default=DEMO_SEED,
    show_default=True,
    metavar="N",
    help="Random seed of the demo data.",
)
def demo(count: int, seed: int) -> None:
    """Build a demo cache (apart from your own) and open the explorer on it."""
    from explorer.demo.cache import build_demo_cache, demo_cache_matches

    path = config.demo_cache_path()
    if not demo_cache_matches(path, count, seed):
        with progress_bar("building the demo cache", count) as progress:
            result = build_demo_cache(path, count, seed, end=datetime.now(UTC), progress=progress)
        click.echo(f"demo: {plural(result.new, 'event')} in {clean(str(path))}", err=True)
    click.echo(DEMO_HINT, err=True)
    run_app(path)
