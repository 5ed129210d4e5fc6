"""``audit-explorer verify-export FILE``: does an export still match its manifest?"""

from __future__ import annotations

from pathlib import Path

import click

from explorer.cli import main
from explorer.cli.render import clean
from explorer.core.manifest import verify_export as check_export
from explorer.errors import ExplorerError


class ExportChanged(ExplorerError):
    """The file is not what its manifest says was exported (exit 1)."""


@main.command("verify-export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def verify_export(file: Path) -> None:
    """Check FILE against FILE.manifest.json, written when it was exported.

    Recomputes the sha256, the size and the row count (CSV records after the header,
    NDJSON lines, JSON array elements, the Parquet footer's count). Exit 0 when all
    match, 1 on any difference, 2 when the manifest or FILE cannot be read.
    """
    result = check_export(file)
    if not result.ok:
        raise ExportChanged(f"{file} does not match its manifest: {'; '.join(result.differences)}")
    click.echo(f"{clean(str(file))}: ok, {result.rows:,} rows, sha256 {result.sha256}")
