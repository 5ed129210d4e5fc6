"""``audit-explorer doctor``: each step of reaching DataStorage, and what to fix."""

from __future__ import annotations

import sys

import click

from explorer.cli import main
from explorer.cli.options import SourceOptions, source_options
from explorer.cli.render import clean


@main.command()
@source_options
def doctor(remote: SourceOptions) -> None:
    """Check each step of reaching DataStorage and say what to fix.

    With --context (or a config source with a context): the kubeconfig, the context and
    its credentials, the service and a ready pod, the port-forward, the token, the
    cluster's TokenReview of it, RBAC (`get` on the service), then one query. With --url
    only the token and the query. One line per step: ok, FAIL (with the fix) or skip.

    Exit status: 0 no step failed, 1 one did.
    """
    from explorer.client.datastorage import ClientSettings, resolve_token
    from explorer.client.kube.doctor import Check, check_cluster, check_url

    checks: list[Check] = []
    target = remote.kube_target()
    if target is None:
        settings, _ = remote.settings()
        results = check_url(settings)
    else:
        explicit = remote.token or remote.token_file
        token = resolve_token(remote.token, remote.token_file) if explicit else None
        tuning = ClientSettings(
            url="http://127.0.0.1", user=remote.user, connect_timeout=remote.connect_timeout,
            read_timeout=remote.read_timeout, max_tries=remote.max_tries,
        )  # fmt: skip
        results = check_cluster(target, tuning, token)
    for check in results:
        checks.append(check)
        click.echo(f"{check.state:<5} {check.step:<13} {clean(' '.join(check.detail.split()))}")
    if any(check.state == "FAIL" for check in checks):
        sys.exit(1)
