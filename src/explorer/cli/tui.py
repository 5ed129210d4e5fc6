"""``audit-explorer tui`` and ``audit-explorer demo``: the explorer, on the cache or on demo data.

Textual is imported inside the commands, so the other commands start without it.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from explorer import config
from explorer.cli import main
from explorer.cli.options import cache_option, contract_option

if TYPE_CHECKING:
    from explorer.core.importer import ImportResult

DEMO_EVENTS = 20_000
DEMO_SEED = 7


def run_app(cache: Path, contract: str | None = None) -> None:
    """Open the explorer on ``cache`` and return when the person quits (exit status 0)."""
    app_module = importlib.import_module("explorer.tui.app")
    app = app_module.ExplorerApp(cache, contract=contract)
    app.run()


@main.command()
@cache_option
@contract_option
def tui(cache: Path | None = None, contract: str | None = None) -> None:
    """Open the explorer on the cache (the default command).

    --contract checks that the cache was decoded against that contract version (and
    decodes what a sync from the explorer stores against it).
    """
    run_app(config.cache_path(cache), contract)


@main.command()
@click.option(
    "--events",
    "count",
    type=click.IntRange(1, 5_000_000),
    default=DEMO_EVENTS,
    show_default=True,
    help="How many demo events.",
)
@click.option(
    "--seed", type=int, default=DEMO_SEED, show_default=True, help="Random seed of the demo data."
)
def demo(count: int, seed: int) -> None:
    """Build a demo cache (apart from your own) and open the explorer on it."""
    path = config.demo_cache_path()
    if _demo_stamp(path) != {"events": count, "seed": seed}:
        build_demo_cache(path, count, seed, end=datetime.now(UTC))
    run_app(path)


def build_demo_cache(
    path: Path, count: int, seed: int, *, end: datetime | None = None
) -> ImportResult:
    """A fresh cache at ``path`` holding ``count`` demo events, through the import path."""
    from explorer.client.files import Record
    from explorer.core.demo import generate
    from explorer.core.importer import import_records
    from explorer.store.cache import Cache

    for stale in (path, path.with_name(path.name + ".wal"), _stamp_path(path)):
        stale.unlink(missing_ok=True)
    records = (
        Record(f"demo event {i + 1}", None, item.event)
        for i, item in enumerate(generate(count, seed, end=end))
    )
    with Cache.open(path) as cache:
        result = import_records(cache, records, source="demo", progress=_progress(count))
    click.echo(f"\rdemo: {result.new:,} events in {path}", err=True)
    _stamp_path(path).write_text(json.dumps({"events": count, "seed": seed}), encoding="utf-8")
    return result


def _progress(count: int) -> Callable[[int], None]:
    def show(done: int) -> None:
        click.echo(f"\rdemo: building {done:,} of {count:,} events", nl=False, err=True)

    return show


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".demo.json")


def _demo_stamp(path: Path) -> dict[str, int] | None:
    """What the demo cache at ``path`` was built with; None when it must be (re)built."""
    if not path.exists():
        return None
    try:
        stamp = json.loads(_stamp_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None
