"""Click options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

from explorer.models.registry import CONTRACT_NAMES, DEFAULT_CONTRACT

cache_option = click.option(
    "--cache",
    "cache",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    help="The DuckDB cache file (default: $AUDIT_EXPLORER_CACHE, else the user cache dir).",
)
"""``--cache PATH`` as ``cache: Path | None``; resolve it with ``explorer.config.cache_path``."""

contract_option = click.option(
    "--contract",
    type=click.Choice(CONTRACT_NAMES),
    default=None,
    help=f"The contract version to decode against (default: the cache's, else {DEFAULT_CONTRACT}; "
    "see `audit-explorer contracts`).",
)
"""``--contract NAME`` as ``contract: str | None``."""
