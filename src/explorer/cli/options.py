"""Click options shared by several commands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from explorer.config import ENV_TOKEN, ENV_URL
from explorer.models.registry import CONTRACT_NAMES, DEFAULT_CONTRACT

if TYPE_CHECKING:
    from explorer.client.datastorage import ClientSettings

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


@dataclass(frozen=True)
class SourceOptions:
    """Where and how to reach DataStorage: what ``@source_options`` read from the command line."""

    url: str | None
    source: str | None
    token: str | None
    token_file: Path | None
    user: str | None
    ca_bundle: Path | None
    insecure: bool
    connect_timeout: float
    read_timeout: float
    max_tries: int

    def settings(self) -> tuple[ClientSettings, str]:
        """Client settings and the source label (argument > environment > config source).

        Contradictory options are a usage error (exit 2); so is a source with no URL.
        """
        from explorer.errors import ClientError
        from explorer.ingest.sync import client_settings

        if self.token and self.token_file:
            raise click.UsageError("give --token or --token-file, not both")
        if self.ca_bundle and self.insecure:
            raise click.UsageError("give --ca-bundle or --insecure, not both")
        try:
            return client_settings(
                url=self.url, source=self.source, token=self.token, token_file=self.token_file,
                user=self.user, ca_bundle=self.ca_bundle, insecure=self.insecure,
                connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
                max_tries=self.max_tries,
            )  # fmt: skip
        except ClientError as exc:
            raise click.UsageError(str(exc)) from None


_SOURCE_FIELDS = tuple(f.name for f in fields(SourceOptions))

_SOURCE_OPTIONS = (
    click.option("--url", metavar="URL", help=f"DataStorage base URL (default: ${ENV_URL})."),
    click.option("--source", metavar="NAME", help="A source from the config file, or a label."),
    click.option(
        "--token",
        metavar="TOKEN",
        help=f"Bearer token (prefer --token-file or ${ENV_TOKEN}).",
    ),
    click.option(
        "--token-file",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help="A file holding the bearer token.",
    ),
    click.option(
        "--user", metavar="USER", help="Send X-Auth-Request-User (setups without oauth-proxy)."
    ),
    click.option(
        "--ca-bundle",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help="PEM file of the CA certificates to trust.",
    ),
    click.option("--insecure", is_flag=True, help="Do not verify TLS certificates."),
    click.option(
        "--connect-timeout",
        type=click.FloatRange(min=0.1),
        default=5.0,
        show_default=True,
        metavar="SECONDS",
        help="Seconds to wait for a connection.",
    ),
    click.option(
        "--read-timeout",
        type=click.FloatRange(min=0.1),
        default=30.0,
        show_default=True,
        metavar="SECONDS",
        help="Seconds to wait for a response.",
    ),
    click.option(
        "--max-tries",
        type=click.IntRange(1, 20),
        default=5,
        show_default=True,
        metavar="N",
        help="Tries per request (retries back off on network errors, 429, 502-504).",
    ),
)

F = TypeVar("F", bound=Callable[..., Any])


def source_options(command: F) -> F:
    """Add the DataStorage source options; the command receives them as ``remote: SourceOptions``.

    Every command that talks to DataStorage (sync, verify, holds, ...) takes the same options,
    defined here once.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["remote"] = SourceOptions(**{name: kwargs.pop(name) for name in _SOURCE_FIELDS})
        return command(*args, **kwargs)

    decorated: Any = wrapper
    for option in reversed(_SOURCE_OPTIONS):
        decorated = option(decorated)
    return cast(F, decorated)
