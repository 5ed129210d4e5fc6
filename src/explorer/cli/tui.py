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
from explorer.cli.options import SourceOptions, cache_option, contract_option, source_options
from explorer.cli.progress import progress_bar
from explorer.cli.render import clean, examples, plural

DEMO_EVENTS = 20_000
DEMO_SEED = 7
DEMO_HINT = (
    "demo: every command reaches this cache with --demo, e.g. "
    "audit-explorer --demo events 'outcome:failure'"
)


def run_app(
    cache: Path,
    contract: str | None = None,
    filter: str = "",
    remote: SourceOptions | None = None,
    interval: float = 5.0,
) -> None:
    """Open the explorer on ``cache`` and return when the person quits (exit status 0).

    The config file gives the keymap and the named filters; ``filter`` applies at start.
    ``remote``, when it names a DataStorage, is where sync (``s``) and follow (``f``) go.
    """
    settings = config.load_config()
    where = remote.settings() if remote is not None and _names_a_source(remote) else None
    forwarded = where is not None and remote is not None and remote.kube_target() is not None
    app_module = importlib.import_module("explorer.tui.app")
    app = app_module.ExplorerApp(
        cache, contract=contract, config=settings, filter=filter, remote=where,
        forwarded=forwarded, interval=interval,
    )  # fmt: skip
    app.run()


def _names_a_source(remote: SourceOptions) -> bool:
    """Whether the options say where DataStorage is (else the app finds it: the cache's
    last source, the environment, the config)."""
    return bool(remote.url or remote.source or remote.context)


@main.command(
    epilog=examples(
        "audit-explorer",
        "audit-explorer --cache team.duckdb tui",
        "audit-explorer --demo",
    )
)
@cache_option
@contract_option
@source_options
@click.option(
    "--interval",
    type=click.FloatRange(min=0.5),
    default=5.0,
    show_default=True,
    metavar="SECONDS",
    help="Seconds between polls while following (f).",
)
@click.option(
    "--filter",
    "filter_",
    default="",
    metavar="NAME|EXPR",
    help="Start with this filter: a name from the config's [filters], or an expression.",
)
def tui(
    remote: SourceOptions,
    cache: Path | None = None,
    contract: str | None = None,
    filter_: str = "",
    interval: float = 5.0,
) -> None:
    """Open the explorer on the cache (the default command).

    --contract checks that the cache was decoded against that contract version (and
    decodes what a sync from the explorer stores against it). The source options say
    where sync (s) and follow (f) fetch from; without them, where the cache was last
    synced from (else $AUDIT_EXPLORER_URL or the config's default source).
    """
    expr = config.load_config().filters.get(filter_, filter_)
    if expr:
        from explorer.core.filters import parse_filter

        parse_filter(expr)  # a bad expression is a one-line error before the screen opens
    run_app(config.cache_path(cache), contract, expr, remote, interval)


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
