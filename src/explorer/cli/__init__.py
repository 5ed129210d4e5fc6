"""The ``audit-explorer`` command line. Non-TUI commands never import Textual."""

from __future__ import annotations

import importlib
import sys

import click

from explorer import __version__
from explorer.errors import ExplorerError


class _Group(click.Group):
    """Turns every ExplorerError into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ExplorerError as exc:
            click.echo(f"audit-explorer: {exc}", err=True)
            sys.exit(exc.exit_code)
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


# Each module registers its commands on ``main``; the TUI module is only imported
# when its command runs, so the other commands start without Textual.
_COMMAND_MODULES = ("validate", "importing", "events", "queries", "sync", "tui")
for _name in _COMMAND_MODULES:
    importlib.import_module(f"explorer.cli.{_name}")
