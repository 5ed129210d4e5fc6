"""Click options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

cache_option = click.option(
    "--cache",
    "cache",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    help="The DuckDB cache file (default: $AUDIT_EXPLORER_CACHE, else the user cache dir).",
)
"""``--cache PATH`` as ``cache: Path | None``; resolve it with ``explorer.config.cache_path``."""
