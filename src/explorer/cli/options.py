"""Click options shared by several commands."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from explorer.cli import root_cache
from explorer.cli.completion import complete_source
from explorer.config import ENV_TOKEN, ENV_URL
from explorer.models.registry import CONTRACT_NAMES, DEFAULT_CONTRACT

if TYPE_CHECKING:
    from explorer.client.datastorage import ClientSettings
    from explorer.client.kube import KubeTarget
    from explorer.config import Config, SourceConfig


def _group_cache(ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    """A command's own --cache, else the one given before the command (or --demo)."""
    return value if value is not None else root_cache(ctx)


cache_option = click.option(
    "--cache",
    "cache",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH",
    callback=_group_cache,
    help="The DuckDB cache file (default: the group's --cache or --demo, "
    "$AUDIT_EXPLORER_CACHE, else the user cache dir).",
)
"""``--cache PATH`` as ``cache: Path | None`` (the group's when not given here); resolve it
with ``explorer.config.cache_path``."""

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
    context: str | None = None
    kubeconfig: Path | None = None
    namespace: str | None = None
    service: str | None = None
    service_port: int | None = None
    service_account: str | None = None

    def settings(self) -> tuple[ClientSettings, str]:
        """Client settings and the source label (argument > environment > config source).

        Contradictory options are a usage error (exit 2); so is a source with no URL.
        With ``--context`` (or a config source's ``context``) the URL is a port-forward
        this opens, and closes when the command's click context closes.
        """
        from explorer.errors import ClientError
        from explorer.ingest.sync import client_settings

        if self.token and self.token_file:
            raise click.UsageError("give --token or --token-file, not both")
        if self.ca_bundle and self.insecure:
            raise click.UsageError("give --ca-bundle or --insecure, not both")
        if (target := self.kube_target()) is not None:
            return self._forwarded(target)
        try:
            return client_settings(
                url=self.url, source=self.source, token=self.token, token_file=self.token_file,
                user=self.user, ca_bundle=self.ca_bundle, insecure=self.insecure,
                connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
                max_tries=self.max_tries,
            )  # fmt: skip
        except ClientError as exc:
            raise click.UsageError(str(exc)) from None

    def config_source(self, config: Config | None = None) -> SourceConfig | None:
        """The config file's source these options name (the default one when no URL is given)."""
        from explorer.config import load_config

        config = config or load_config()
        given_url = self.url or os.environ.get(ENV_URL)
        name = self.source or (None if given_url or self.context else config.default_source)
        return config.sources.get(name or "")

    def kube_target(self, config: Config | None = None) -> KubeTarget | None:
        """Where DataStorage runs in a cluster, when ``--context`` or the source's config says."""
        conf = self.config_source(config)
        if self.url and self.context:
            raise click.UsageError("give --url or --context, not both")
        context = self.context or (conf.context if conf is not None and not self.url else None)
        if not context:
            return None
        from explorer.client.kube import KubeError, KubeTarget, ServiceAccount  # kr8s: ~0.5 s

        account = self.service_account or (conf.service_account if conf else None)
        try:
            parsed = ServiceAccount.parse(account) if account else None
        except KubeError as exc:
            raise click.UsageError(str(exc)) from None
        return KubeTarget(
            context=context,
            kubeconfig=self.kubeconfig or (conf.kubeconfig if conf else None),
            namespace=self.namespace or (conf.namespace if conf else KubeTarget.namespace),
            service=self.service or (conf.service if conf else KubeTarget.service),
            port=self.service_port or (conf.port if conf else KubeTarget.port),
            service_account=parsed,
        )

    def _forwarded(self, target: KubeTarget) -> tuple[ClientSettings, str]:
        from explorer.client.datastorage import ClientSettings, resolve_token
        from explorer.client.kube import connect

        explicit = self.token or self.token_file
        token = resolve_token(self.token, self.token_file) if explicit else None
        connection = connect(target, token)
        if (ctx := click.get_current_context(silent=True)) is not None:
            ctx.call_on_close(connection.close)  # the forward lives as long as the command
        settings = ClientSettings(
            url=connection.url, token=connection.token, user=self.user,
            access=connection.access, connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout, max_tries=self.max_tries,
        )  # fmt: skip
        conf = self.config_source()
        return settings, self.source or (conf.name if conf else connection.label)


_SOURCE_FIELDS = tuple(f.name for f in fields(SourceOptions))

_SOURCE_OPTIONS = (
    click.option("--url", metavar="URL", help=f"DataStorage base URL (default: ${ENV_URL})."),
    click.option(
        "--source",
        metavar="NAME",
        shell_complete=complete_source,
        help="A source from the config file, or a label.",
    ),
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
    click.option(
        "--context",
        metavar="NAME",
        help="A kubeconfig context: port-forward to DataStorage in that cluster.",
    ),
    click.option(
        "--kubeconfig",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help="The kubeconfig (default: $KUBECONFIG, else ~/.kube/config).",
    ),
    click.option(
        "--namespace", metavar="NS", help="DataStorage's namespace (default: kubernaut-system)."
    ),
    click.option(
        "--service", metavar="NAME", help="DataStorage's service (default: data-storage-service)."
    ),
    click.option(
        "--service-port",
        type=click.IntRange(1, 65535),
        metavar="PORT",
        help="The service port to forward (default: 8080).",
    ),
    click.option(
        "--service-account",
        metavar="NS/NAME",
        help="Send a short-lived TokenRequest token for this service account, not your own.",
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
