"""``audit-explorer queries`` and ``audit-explorer query``: the named SQL queries."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from explorer.cli import main
from explorer.cli.completion import complete_query
from explorer.cli.events import (
    choose_format,
    csv_exact_option,
    emit,
    format_option,
    open_cache,
    output_option,
)
from explorer.cli.options import cache_option
from explorer.cli.render import clean, examples
from explorer.core.manifest import provenance, query_selection
from explorer.core.queries import (
    NamedQuery,
    bind_params,
    find_query,
    load_queries,
    query_rows,
)
from explorer.errors import QueryError

queries_dir_option = click.option(
    "--queries-dir",
    "queries_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="More named queries (*.sql); repeatable. They join the built-ins and your own.",
)


@main.command(
    epilog=examples(
        "audit-explorer queries",
        "audit-explorer queries --queries-dir ./team-queries",
    )
)
@queries_dir_option
def queries(queries_dirs: tuple[Path, ...]) -> None:
    """List the named queries: the name, then what it shows and its parameters."""
    problems: list[str] = []
    found = load_queries(queries_dirs, problems=problems)
    _warn(problems)
    width = max((len(name) for name in found), default=0)
    for name in sorted(found):
        query = found[name]
        click.echo(f"{clean(name):<{width}}  {clean(query.description)}{_params(query)}")


def _params(query: NamedQuery) -> str:
    if not query.params:
        return ""
    shown = [
        f"{name}={default}" if default is not None else f"{name} (required)"
        for name, default in query.params.items()
    ]
    return "  [" + clean(", ".join(shown)) + "]"


@main.command(
    epilog=examples(
        "audit-explorer query failed-remediations",
        "audit-explorer query events-per-hour -p since=7d --format csv",
        "audit-explorer query ./mine.sql -o out.parquet",
    )
)
@click.argument("name", metavar="NAME|FILE.sql", shell_complete=complete_query)
@click.option(
    "--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="A parameter; repeatable."
)
@queries_dir_option
@cache_option
@format_option
@output_option
@csv_exact_option
def query(
    name: str,
    params: tuple[str, ...],
    queries_dirs: tuple[Path, ...],
    cache: Path | None,
    fmt: str | None,
    output: Path | None,
    csv_exact: bool,
) -> None:
    """Run a named query (see `audit-explorer queries`) or a .sql file on the cache.

    Parameters are bound by DuckDB, never pasted into the SQL. Time parameters take
    30m, 24h, 7d, now or an ISO date/time. The cache is opened read-only.
    With -o, FILE.manifest.json records the query, the values bound to its parameters
    and the SQL's sha256 (check it with `audit-explorer verify-export FILE`).
    """
    problems: list[str] = []
    named = find_query(name, queries_dirs, problems=problems)
    _warn(problems)
    values = parse_params(params)
    fmt = choose_format(fmt, output)
    now = datetime.now(UTC)  # one moment for the rows and the manifest's bound values
    with open_cache(cache) as db:
        facts = None
        if output is not None:
            bound = bind_params(named, values, now=now)
            facts = provenance(db.connection, query_selection(named.name, named.sql, bound))
        rows = query_rows(db.connection, named, values, now=now)
        emit(rows, fmt, output, facts=facts, csv_exact=csv_exact)


def _warn(problems: list[str]) -> None:
    for problem in problems:
        click.echo(f"audit-explorer: skipped {clean(problem)}", err=True)


def parse_params(params: tuple[str, ...]) -> dict[str, str]:
    """``NAME=VALUE`` options as a dict; the last one given for a name wins."""
    values: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"bad --param {clean(item)!r}: use NAME=VALUE")
        values[key.strip()] = value
    return values
