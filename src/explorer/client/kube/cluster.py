"""The steps from a kubeconfig context to a loopback URL and a token DataStorage accepts.

kr8s does the Kubernetes side: the kubeconfig's credentials (tokens, client certificates,
exec plugins, OIDC id-tokens), the REST calls over httpx, and the port-forward over the
pod's ``portforward`` websocket. It is async; ``Cluster`` runs it on a loop of its own
(``LoopThread``) so the synchronous DataStorage client and the CLI can use it.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import kr8s
import kr8s.asyncio
from kr8s.asyncio.objects import Pod

from explorer.client.datastorage import Secret
from explorer.client.kube.forward import BoundedPortForward, Forward
from explorer.client.kube.kubeconfig import (
    Kubeconfig,
    KubeError,
    kubeconfig_paths,
    read_kubeconfig,
)
from explorer.client.kube.loop import LoopThread
from explorer.text import clean

NAMESPACE = "kubernaut-system"
SERVICE = "data-storage-service"
PORT = 8080
TOKEN_SECONDS = 3600  # kubectl create token's default lifetime
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_TIMEOUT = 30.0
_BIND_TRIES = 3
_MESSAGE_MAX = 200

__all__ = ["Cluster", "Connection", "KubeError", "KubeTarget", "ServiceAccount", "connect"]


@dataclass(frozen=True)
class ServiceAccount:
    namespace: str
    name: str

    @classmethod
    def parse(cls, text: str) -> ServiceAccount:
        """``NS/NAME``, both DNS names."""
        namespace, _, name = text.strip().partition("/")
        if not (_NAME.match(namespace) and _NAME.match(name)):
            raise KubeError(f"--service-account takes NAMESPACE/NAME, not {clean(text)!r}")
        return cls(namespace, name)

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class KubeTarget:
    """Where DataStorage runs: a kubeconfig context, the service's namespace, name and port."""

    context: str
    kubeconfig: Path | None = None
    namespace: str = NAMESPACE
    service: str = SERVICE
    port: int = PORT
    service_account: ServiceAccount | None = None

    @property
    def label(self) -> str:
        """The source name events are stored under (stable: not the forward's local port)."""
        return f"{self.context}/{self.namespace}/{self.service}"

    @property
    def access(self) -> str:
        """What DataStorage asks the cluster before it answers a token."""
        return f"`get` on services/{self.service} in {self.namespace}"


@dataclass(frozen=True)
class Connection:
    """A forwarded DataStorage: its loopback URL, the token to send, and what to close."""

    url: str
    token: Secret
    label: str
    access: str
    cluster: Cluster

    def close(self) -> None:
        self.cluster.close()


def connect(target: KubeTarget, token: Secret | None = None) -> Connection:
    """Forward a loopback port to a ready DataStorage pod; ``token`` overrides the cluster's.

    Closed by ``Connection.close`` (the forward ends with it).
    """
    cluster = Cluster(target)
    try:
        cluster.open()
        pod, port = cluster.ready_pod(cluster.service())
        local = cluster.forward(pod, port)
        cluster.probe(local, f"{(pod.get('metadata') or {}).get('name', '?')}:{port}")
        token = token or cluster.datastorage_token()
    except BaseException:
        cluster.close()
        raise
    url = f"http://127.0.0.1:{local}"
    return Connection(url, token, target.label, target.access, cluster)


class Cluster:
    """One kubeconfig context's API server, step by step (``doctor`` reports each one)."""

    def __init__(self, target: KubeTarget, env: Mapping[str, str] | None = None) -> None:
        self.target = target
        self.server = ""
        self._paths = kubeconfig_paths(target.kubeconfig, env)
        self._config: Kubeconfig | None = None
        self._loop = LoopThread()
        self._api: kr8s.asyncio.Api | None = None
        self._forward: Forward | None = None

    # -- kubeconfig and credentials -------------------------------------------------------

    def kubeconfig(self) -> Kubeconfig:
        if self._config is None:
            self._config = read_kubeconfig(self._paths)
        return self._config

    def open(self) -> str:
        """Load the context's credentials (running an exec plugin) and reach the API server."""
        config = self.kubeconfig()
        config.context(self.target.context)
        joined = ":".join(str(p) for p in config.paths)
        self._api = self._run(self._open_api(joined), "reach the API server")
        return self.server

    async def _open_api(self, kubeconfig: str) -> kr8s.asyncio.Api:
        api = await kr8s.asyncio.api(
            kubeconfig=kubeconfig, context=self.target.context, namespace=self.target.namespace
        )
        self.server = str(api.auth.server)
        return api

    def bearer(self) -> Secret | None:
        """The kubeconfig user's bearer token (static, exec plugin or OIDC id-token)."""
        token = self._api_or_fail().auth.token
        return Secret(token.strip()) if isinstance(token, str) and token.strip() else None

    def datastorage_token(self) -> Secret:
        """A TokenRequest token for ``--service-account``, else the kubeconfig user's."""
        if self.target.service_account is not None:
            return self.request_token(self.target.service_account)
        token = self.bearer()
        if token is None:
            raise KubeError(
                f"context {self.target.context!r} authenticates without a bearer token "
                "(a client certificate?); DataStorage needs one: give --service-account NS/NAME"
            )
        return token

    # -- the service and its pod -----------------------------------------------------------

    def service(self) -> dict[str, Any]:
        ns, name = self.target.namespace, self.target.service
        missing = f"no service {name} in namespace {ns}: check --namespace and --service"
        return self._json("GET", "v1", f"services/{name}", ns, ("get", "services"), missing)

    def ready_pod(self, service: dict[str, Any]) -> tuple[dict[str, Any], int | str]:
        """A ready pod behind ``service`` and the pod port the service port maps to."""
        ns, name = self.target.namespace, self.target.service
        spec = service.get("spec") if isinstance(service.get("spec"), dict) else {}
        assert isinstance(spec, dict)
        target_port = _target_port(spec, self.target.port, f"service {ns}/{name}")
        selector = spec.get("selector")
        if not isinstance(selector, dict) or not selector:
            raise KubeError(f"service {ns}/{name} has no pod selector; cannot forward to it")
        labels = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
        found = self._json(
            "GET", "v1", "pods", ns, ("list", "pods"), f"no pods in {ns}",
            params={"labelSelector": labels},
        )  # fmt: skip
        pods = [p for p in found.get("items") or [] if isinstance(p, dict) and _ready(p)]
        if not pods:
            raise KubeError(f"no ready pod behind service {ns}/{name} (selector {labels})")
        pod = pods[0]
        return pod, _container_port(pod, target_port)

    def forward(self, pod: dict[str, Any], port: int | str) -> int:
        """Listen on a loopback port forwarding to ``port`` of ``pod``; the local port."""
        resource = Pod(pod, api=self._api_or_fail())
        for attempt in range(1, _BIND_TRIES + 1):  # kr8s picks a random free port: it may race
            forward = Forward(BoundedPortForward(resource, int(port), local_port="auto"))
            try:
                local: int = self._run(forward.start(), "listen on a loopback port")
            except KubeError:
                if attempt == _BIND_TRIES:
                    raise
                continue
            self._forward = forward
            return local
        raise AssertionError("unreachable")

    def probe(self, local: int, pod: str) -> None:
        """One HTTP request through the forward: any HTTP answer means bytes flow both ways."""
        try:
            with socket.create_connection(("127.0.0.1", local), timeout=_TIMEOUT) as conn:
                conn.sendall(b"HEAD / HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
                answer = conn.recv(5)
        except OSError as exc:
            answer, reason = b"", exc.strerror or exc.__class__.__name__
        else:
            reason = "closed without an answer"
        if answer.startswith(b"HTTP/"):
            return
        inside = "; ".join(self.forward_errors[-1:])
        raise KubeError(
            f"the forward to pod {pod} {reason}{f' ({inside})' if inside else ''}: the user "
            f"needs `create` on pods/portforward in {self.target.namespace}, and the pod must "
            f"listen on {pod.rpartition(':')[2]}"
        )

    @property
    def forward_errors(self) -> list[str]:
        """What failed inside the forward (a refused websocket, a closed pod port)."""
        failures = [*(self._forward.failures if self._forward else []), *self._loop.errors]
        return [self._short(f"{e.__class__.__name__}: {e}") for e in failures]

    # -- tokens and access ----------------------------------------------------------------

    def request_token(self, account: ServiceAccount) -> Secret:
        """A short-lived token for ``account`` from the TokenRequest API."""
        body = {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"expirationSeconds": TOKEN_SECONDS},
        }
        answer = self._json(
            "POST", "v1", f"serviceaccounts/{account.name}/token", account.namespace,
            ("create", f"serviceaccounts/{account.name}/token"),
            f"no service account {account} (check --service-account)", body=body,
        )  # fmt: skip
        token = (answer.get("status") or {}).get("token")
        if not isinstance(token, str) or not token.strip():
            raise KubeError(f"the TokenRequest for {account} returned no token")
        return Secret(token.strip())

    def review(self, token: Secret) -> str | None:
        """The user a TokenReview names for ``token``; None when it is not authenticated."""
        body = {
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenReview",
            "spec": {"token": token.reveal()},
        }
        answer = self._json(
            "POST", "authentication.k8s.io/v1", "tokenreviews", None,
            ("create", "tokenreviews.authentication.k8s.io"), "no TokenReview API", body=body,
        )  # fmt: skip
        status = answer.get("status") or {}
        if status.get("authenticated") is not True:
            return None
        user = status.get("user") or {}
        return clean(str(user.get("username") or "?"))

    def can_i(self, token: Secret, verb: str, resource: str, name: str | None = None) -> bool:
        """Whether ``token``'s identity may ``verb`` the resource (SelfSubjectAccessReview)."""
        group, _, plural = resource.rpartition(".") if "." in resource else ("", "", resource)
        plural, _, sub = plural.partition("/")
        attributes = {"namespace": self.target.namespace, "verb": verb, "resource": plural}
        attributes |= {"group": group} if group else {}
        attributes |= {"subresource": sub} if sub else {}
        attributes |= {"name": name} if name else {}
        body = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": attributes},
        }
        answer = self._json(
            "POST", "authorization.k8s.io/v1", "selfsubjectaccessreviews", None,
            ("create", "selfsubjectaccessreviews"), "no SelfSubjectAccessReview API",
            body=body, token=token,
        )  # fmt: skip
        return (answer.get("status") or {}).get("allowed") is True

    # -- plumbing -------------------------------------------------------------------------

    def close(self) -> None:
        if self._forward is not None:
            forward, self._forward = self._forward, None
            with contextlib.suppress(Exception):  # closing: nothing is left to tell
                self._loop.run(forward.stop(), timeout=5)
        if self._api is not None:
            api, self._api = self._api, None
            with contextlib.suppress(Exception):  # closing: nothing is left to tell
                self._loop.run(_close_api(api), timeout=5)
        self._loop.stop()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _api_or_fail(self) -> kr8s.asyncio.Api:
        if self._api is None:
            raise KubeError("the API server is not connected (open() first)")
        return self._api

    def _json(
        self,
        method: str,
        version: str,
        url: str,
        namespace: str | None,
        needs: tuple[str, str],
        missing: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        token: Secret | None = None,
    ) -> dict[str, Any]:
        call = self._request(method, version, namespace, url, params, body, token)
        answer = self._run(call, f"{method} {url}", needs=needs, missing=missing)
        if not isinstance(answer, dict):
            raise KubeError(f"the API server's answer to {method} {url} is not a JSON object")
        return answer

    async def _request(
        self,
        method: str,
        version: str,
        namespace: str | None,
        url: str,
        params: dict[str, str] | None,
        body: dict[str, Any] | None,
        token: Secret | None,
    ) -> Any:
        extra: dict[str, Any] = {}
        if params:
            extra["params"] = params
        if body is not None:
            extra["content"] = json.dumps(body)
        if token is not None:  # ask as the token's identity, not the kubeconfig user
            extra["headers"] = {"Authorization": f"Bearer {token.reveal()}"}
        base = "/api" if version == "v1" else "/apis"
        async with self._api_or_fail().call_api(
            method, version=version, base=base, namespace=namespace, url=url, **extra
        ) as response:
            try:
                return response.json()
            except ValueError:
                return None

    def _run(
        self,
        coroutine: Any,
        what: str,
        *,
        needs: tuple[str, str] | None = None,
        missing: str | None = None,
    ) -> Any:
        try:
            return self._loop.run(coroutine, timeout=_TIMEOUT)
        except KubeError:
            raise
        except kr8s.ServerError as exc:
            raise KubeError(self._refused(exc, what, needs, missing)) from None
        except TimeoutError:
            raise KubeError(f"cannot {what}: no answer within {_TIMEOUT:g} s") from None
        except (httpx.HTTPError, OSError) as exc:
            where = self.server or "the API server"
            reason = self._short(str(exc)) or exc.__class__.__name__
            raise KubeError(f"cannot {what} at {where}: {reason}") from None
        except Exception as exc:  # kr8s: a missing context, no credentials, a failed exec plugin
            reason = self._short(str(exc)) or exc.__class__.__name__
            raise KubeError(f"context {self.target.context!r}: cannot {what}: {reason}") from None

    def _refused(
        self,
        exc: kr8s.ServerError,
        what: str,
        needs: tuple[str, str] | None,
        missing: str | None,
    ) -> str:
        status = exc.response.status_code if exc.response is not None else 0
        if status == 401:
            return (
                f"401 from the API server {self.server}: the credentials of context "
                f"{self.target.context!r} were refused (expired? log in again)"
            )
        if status == 403 and needs is not None:
            verb, resource = needs
            where = f" in {self.target.namespace}" if "." not in resource else ""
            return f"403: the kubeconfig user lacks `{verb}` on {resource}{where}"
        if status == 404 and missing is not None:
            return missing
        return f"cannot {what}: {status or ''} {self._short(str(exc))}".replace("  ", " ")

    def _short(self, text: str) -> str:
        text = clean(" ".join(text.split()))
        return text if len(text) <= _MESSAGE_MAX else text[: _MESSAGE_MAX - 3] + "..."


async def _close_api(api: kr8s.asyncio.Api) -> None:
    session = getattr(api, "_session", None)  # kr8s keeps its httpx client there
    if isinstance(session, httpx.AsyncClient):
        await session.aclose()


def _ready(pod: dict[str, Any]) -> bool:
    status = pod.get("status") if isinstance(pod.get("status"), dict) else {}
    assert isinstance(status, dict)
    if status.get("phase") != "Running":
        return False
    conditions = status.get("conditions") or []
    return any(
        isinstance(c, dict) and c.get("type") == "Ready" and c.get("status") == "True"
        for c in conditions
    )


def _target_port(spec: dict[str, Any], port: int, what: str) -> int | str:
    ports = [p for p in spec.get("ports") or [] if isinstance(p, dict)]
    for entry in ports:
        if entry.get("port") == port:
            target = entry.get("targetPort", port)
            return target if isinstance(target, int | str) else port
    known = ", ".join(str(p.get("port")) for p in ports) or "none"
    raise KubeError(f"{what} has no port {port} (its ports: {known}); set port for the source")


def _container_port(pod: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    if port.isdigit():
        return int(port)
    for container in (pod.get("spec") or {}).get("containers") or []:
        for entry in container.get("ports") or []:
            if entry.get("name") == port and isinstance(entry.get("containerPort"), int):
                return int(entry["containerPort"])
    name = (pod.get("metadata") or {}).get("name", "?")
    raise KubeError(f"pod {clean(str(name))} has no container port named {clean(port)!r}")
