"""Each step from a kubeconfig (or a URL) to one answered query, checked in order.

A step that fails says what to fix; the steps that need it are skipped, not failed again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Literal

from explorer.client.datastorage import ClientSettings, DataStorageClient, Secret
from explorer.client.kube.cluster import Cluster, KubeTarget
from explorer.client.kube.kubeconfig import KubeError
from explorer.errors import ClientError

STEPS = ("kubeconfig", "context", "service", "port-forward", "token", "TokenReview", "RBAC")
"""The Kubernetes steps; ``query`` follows them (with a URL: only ``token`` and ``query``)."""

State = Literal["ok", "FAIL", "skip"]


@dataclass(frozen=True)
class Check:
    step: str
    state: State
    detail: str


def check_url(settings: ClientSettings) -> Iterator[Check]:
    """A plain URL: the Kubernetes steps are skipped; the token, then one query."""
    for step in STEPS:
        if step != "token":
            yield Check(step, "skip", "not used with --url")
        elif settings.token is None:
            yield Check(step, "skip", "none given (DataStorage behind oauth-proxy needs one)")
        else:
            yield Check(step, "ok", "given (--token, --token-file or $AUDIT_EXPLORER_TOKEN)")
    yield _query(settings)


def check_cluster(
    target: KubeTarget, settings: ClientSettings, token: Secret | None = None
) -> Iterator[Check]:
    """The Kubernetes steps through ``target``, then one query over the forward.

    ``settings`` gives the timeouts and tries; its URL and token are replaced by the
    forward's and the cluster's (``token``, when given, is sent instead).
    """
    with Cluster(target) as cluster:
        yield from _checks(cluster, target, settings, token)


def _checks(
    cluster: Cluster, target: KubeTarget, settings: ClientSettings, given: Secret | None
) -> Iterator[Check]:
    steps = iter((*STEPS, "query"))
    try:
        config = cluster.kubeconfig()
        paths = ", ".join(str(p) for p in config.paths)
        count = len(config.contexts)
        yield Check(next(steps), "ok", f"{paths} ({count} context{'' if count == 1 else 's'})")
        server = cluster.open()
        yield Check(next(steps), "ok", f"{target.context}: API server {server} answers")
        pod, port = cluster.ready_pod(cluster.service())
        name = (pod.get("metadata") or {}).get("name", "?")
        where = f"{target.namespace}/{target.service}:{target.port}"
        yield Check(next(steps), "ok", f"{where} -> ready pod {name}:{port}")
        local = cluster.forward(pod, port)
        cluster.probe(local, f"{name}:{port}")
        yield Check(next(steps), "ok", f"127.0.0.1:{local} -> {name}:{port}")
        token = given or cluster.datastorage_token()
        yield Check(next(steps), "ok", _token_origin(target, given))
        yield _review(next(steps), cluster, token)
        yield _rbac(next(steps), cluster, target, token)
        forwarded = replace(
            settings, url=f"http://127.0.0.1:{local}", token=token, access=target.access
        )
        yield _query(forwarded)
        next(steps)
    except ClientError as exc:
        yield Check(next(steps), "FAIL", str(exc))
        for step in steps:
            yield Check(step, "skip", "needs the step that failed")


def _token_origin(target: KubeTarget, given: Secret | None) -> str:
    if given is not None:
        return "given (--token or --token-file)"
    if target.service_account is not None:
        return f"TokenRequest for service account {target.service_account} (short-lived)"
    return f"the bearer token of context {target.context}'s user"


def _review(step: str, cluster: Cluster, token: Secret) -> Check:
    try:
        user = cluster.review(token)
    except KubeError as exc:
        if str(exc).startswith("403"):  # reviewing tokens is DataStorage's right, not ours
            return Check(step, "skip", f"cannot ask: {exc}")
        raise
    if user is None:
        fix = "log in again, or check --service-account"
        return Check(step, "FAIL", f"the cluster does not accept the token: {fix}")
    return Check(step, "ok", f"authenticated as {user}")


def _rbac(step: str, cluster: Cluster, target: KubeTarget, token: Secret) -> Check:
    if cluster.can_i(token, "get", "services", target.service):
        return Check(step, "ok", f"allowed: {target.access}")
    return Check(
        step,
        "FAIL",
        f"the token lacks {target.access}: bind the data-storage-client ClusterRole "
        "to its identity (a RoleBinding in that namespace)",
    )


def _query(settings: ClientSettings) -> Check:
    try:
        with DataStorageClient(settings) as client:
            page = client.query_events(limit=1)
    except ClientError as exc:
        return Check("query", "FAIL", str(exc))
    return Check("query", "ok", f"{page.total:,} events on the server")
