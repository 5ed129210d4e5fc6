"""The ``audit-explorer`` command line. Non-TUI commands never import Textual."""

from __future__ import annotations

import importlib
import logging
import re
import shlex
import sys
import time
from pathlib import Path

import click

from explorer import __version__
from explorer.errors import ExplorerError

# Command name -> the module that defines it. Modules load on first use, so
# `audit-explorer validate` does not pay for DuckDB, httpx or Textual.
_COMMANDS = {
    "validate": "validate",
    "import": "importing",
    "events": "events",
    "timeline": "events",
    "queries": "queries",
    "query": "queries",
    "sync": "sync",
    "demo-server": "sync",
    "tail": "tail",
    "tui": "tui",
    "demo": "tui",
    "contracts": "contracts",
    "redecode": "redecode",
    "verify-export": "verify_export",
    "doctor": "doctor",
    "verify": "evidence",
    "holds": "evidence",
    "reconstruct": "evidence",
    "config": "config_cmd",
}


# The --help listing, by what a person wants to do. Summaries live here so that listing
# the commands imports none of them; a command missing from every section is listed
# under "Other" (and loaded to find its summary).
_SECTIONS: dict[str, dict[str, str]] = {
    "Browse": {
        "tui": "Open the explorer on the cache (the default command).",
        "events": "Events from the cache matching a filter, newest first.",
        "timeline": "The incident timeline of one correlation ID, checked.",
        "queries": "List the named SQL queries.",
        "query": "Run a named query or a .sql file on the cache.",
    },
    "Fetch": {
        "sync": "Fetch audit events from DataStorage into the cache.",
        "import": "Store the audit events of files in the cache.",
        "tail": "Store and print new events as they arrive, until Ctrl-C.",
    },
    "Check": {
        "validate": "Check events in a file against the contract, without a cache.",
        "contracts": "The shipped contract versions, and what changed between two.",
        "redecode": "Decode the cache again against another contract version.",
        "doctor": "Check each step of reaching DataStorage and say what to fix.",
        "config": "Where the config, cache and data live, and the sources.",
    },
    "Evidence": {
        "verify": "Have DataStorage verify the hash chain of events.",
        "holds": "Legal holds on correlation IDs.",
        "reconstruct": "The reconstructed remediation request of a correlation ID.",
        "verify-export": "Recompute the hash and row count of an export file.",
    },
    "Demo": {
        "demo": "Build the demo cache and open the explorer on it.",
        "demo-server": "Serve demo events the way DataStorage does.",
    },
}

_EPILOG = """\b
Examples:
  audit-explorer demo                      # try it on demo data
  audit-explorer --demo events 'service:gateway since:24h'
  audit-explorer sync --url https://datastorage.example --since 7d
  audit-explorer events -- -status:ok      # a filter starting with '-' goes after --
"""

CACHE_KEY = "explorer.cache"
"""Where the group keeps ``--cache``/``--demo`` for the commands (``ctx.find_root().meta``)."""

_FILTER_LIKE = re.compile(r"^-[a-z_]+:")


class _Group(click.Group):
    """Loads command modules lazily; turns every ExplorerError into one line on stderr."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(_COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = _COMMANDS.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"explorer.cli.{module}")
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands by section, from ``_SECTIONS``: no command module is imported."""
        known = set(self.list_commands(ctx))
        listed: set[str] = set()
        for section, entries in _SECTIONS.items():
            rows = [(name, text) for name, text in entries.items() if name in known]
            listed.update(name for name, _ in rows)
            if rows:
                with formatter.section(f"{section} commands"):
                    formatter.write_dl(rows)
        others = []
        for name in sorted(known - listed):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                others.append((name, command.get_short_help_str(formatter.width)))
        if others:
            with formatter.section("Other commands"):
                formatter.write_dl(others)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["explorer.args"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ExplorerError as exc:
            from explorer.cli.render import clean  # here: render loads the models

            click.echo(f"audit-explorer: {clean(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except click.NoSuchOption as exc:
            from explorer.cli.render import clean

            exc.message = clean(exc.message) + _dash_hint(ctx)  # type: ignore[misc]
            raise
        except click.ClickException as exc:  # usage errors quote what was typed
            from explorer.cli.render import clean

            exc.message = clean(exc.message)  # type: ignore[misc]
            raise
        except KeyboardInterrupt:
            click.echo("audit-explorer: interrupted", err=True)
            sys.exit(130)


def _dash_hint(ctx: click.Context) -> str:
    """For ``events -status:ok``: click reads a filter that starts with '-' as options."""
    args = ctx.meta.get("explorer.args", [])
    filters = [arg for arg in args if _FILTER_LIKE.match(arg)]
    if not filters:
        return ""
    rest = [arg for arg in args if arg not in filters]
    quoted = " ".join(shlex.quote(arg) for arg in filters)
    return (
        f"\n(a filter that starts with '-' goes after '--': "
        f"audit-explorer {' '.join(shlex.quote(a) for a in rest)} -- {quoted})"
    )


def root_cache(ctx: click.Context | None = None) -> Path | None:
    """The cache the group's ``--cache`` or ``--demo`` chose, if any."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return None
    value = ctx.find_root().meta.get(CACHE_KEY)
    return value if isinstance(value, Path) else None


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=_EPILOG,
)
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    help="The DuckDB cache for every command (default: $AUDIT_EXPLORER_CACHE, else the user "
    "cache dir); a command's own --cache wins.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Use the demo cache that `audit-explorer demo` builds (instead of --cache).",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Log requests and timings to stderr (tokens hidden)."
)
@click.version_option(__version__, "-V", "--version", prog_name="audit-explorer")
@click.pass_context
def main(ctx: click.Context, cache: Path | None, demo: bool, verbose: bool) -> None:
    """Browse, query and debug the Kubernaut audit trail.

    With no command, opens the explorer on the local cache.
    """
    if cache is not None and demo:
        raise click.UsageError("give --cache or --demo, not both")
    if demo:
        from explorer.config import demo_cache_path

        cache = demo_cache_path()
    ctx.meta[CACHE_KEY] = cache
    if verbose:
        _log_to_stderr(ctx)
    if ctx.invoked_subcommand is None:
        assert isinstance(ctx.command, click.Group)
        tui = ctx.command.get_command(ctx, "tui")
        if tui is None:
            raise click.UsageError("the TUI is not available in this build")
        ctx.invoke(tui, cache=cache)


def _log_to_stderr(ctx: click.Context) -> None:
    """Requests (httpx, through the client's token scrubber) and our own timings on stderr."""
    started = time.perf_counter()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("audit-explorer: %(relativeCreated)7.0f ms %(name)s: %(message)s")
    )
    loggers = [logging.getLogger(name) for name in ("explorer", "httpx")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if logger.name == "explorer" else logging.INFO)

    def done() -> None:
        elapsed = time.perf_counter() - started
        logging.getLogger("explorer.cli").info("done in %.3f s", elapsed)
        for logger in loggers:
            logger.removeHandler(handler)
            logger.setLevel(logging.NOTSET)

    ctx.call_on_close(done)
