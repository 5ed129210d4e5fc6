"""The ``audit-explorer`` command line. Non-TUI commands never import Textual."""

from __future__ import annotations

import importlib
import sys

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
    "tui": "tui",
    "demo": "tui",
    "contracts": "contracts",
    "redecode": "redecode",
    "doctor": "doctor",
    "verify-export": "verify_export",
    "verify": "evidence",
    "holds": "evidence",
    "reconstruct": "evidence",
}


class _Group(click.Group):
    """Loads command modules lazily; turns every ExplorerError into one line on stderr."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(_COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = _COMMANDS.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"explorer.cli.{module}")
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ExplorerError as exc:
            from explorer.cli.render import clean  # here: render loads the models

            click.echo(f"audit-explorer: {clean(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:  # usage errors quote what was typed
            from explorer.cli.render import clean

            exc.message = clean(exc.message)  # type: ignore[misc]
            raise
        except KeyboardInterrupt:
            click.echo("audit-explorer: interrupted", err=True)
            sys.exit(130)


@click.group(cls=_Group, invoke_without_command=True)
@click.version_option(__version__, prog_name="audit-explorer")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Browse, query and debug the Kubernaut audit trail.

    With no command, opens the explorer on the local cache.
    """
    if ctx.invoked_subcommand is None:
        assert isinstance(ctx.command, click.Group)
        tui = ctx.command.get_command(ctx, "tui")
        if tui is None:
            raise click.UsageError("the TUI is not available in this build")
        ctx.invoke(tui)
