"""Shell completion for values click cannot know: filters, query names, config sources.

click calls these with what the shell has so far (``_AUDIT_EXPLORER_COMPLETE``, see the
README). A completion never fails: whatever goes wrong, it offers nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.shell_completion import CompletionItem

Items = list[CompletionItem]
Completer = Callable[[click.Context, click.Parameter, str], Items]


def _quiet(completer: Completer) -> Completer:
    def safe(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        try:
            return completer(ctx, param, incomplete)
        except Exception:
            return []

    return safe


def _cache(ctx: click.Context) -> Path | None:
    """The cache the command line names so far: the command's --cache, the group's, --demo."""
    from explorer import config

    root = ctx.find_root().params
    given = ctx.params.get("cache") or root.get("cache")
    if given is None and root.get("demo"):
        return config.demo_cache_path()
    return config.cache_path(given)


@_quiet
def complete_filter(
    ctx: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Filter keys, and the values the cache holds for the key being typed (cheap: one
    DISTINCT on an indexed column, at most 20 values)."""
    from explorer.core.filters import complete, completion_span, distinct_values

    path = _cache(ctx)

    def values(key: str, prefix: str) -> list[str]:
        if path is None or not path.exists():
            return []
        from explorer.store.cache import Cache

        with Cache.open(path, read_only=True, notify=lambda _: None) as db:
            return distinct_values(db.connection, key, prefix)

    start, _end = completion_span(incomplete, len(incomplete))
    head = incomplete[:start]
    return [CompletionItem(head + c) for c in complete(incomplete, len(incomplete), values)]


@_quiet
def complete_query(
    ctx: click.Context, _p: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The named queries: built-in, the user's own and those of --queries-dir."""
    from explorer.core.queries import load_queries

    dirs: tuple[Any, ...] = tuple(ctx.params.get("queries_dirs") or ())
    names = load_queries(dirs, problems=[])
    items = [CompletionItem(n, help=names[n].description) for n in sorted(names)]
    return [i for i in items if i.value.startswith(incomplete)]


@_quiet
def complete_source(
    _ctx: click.Context, _: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """The sources of the config file."""
    from explorer.config import load_config

    names = sorted(load_config().sources)
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]
