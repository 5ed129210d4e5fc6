"""A fake Kubernetes API server on loopback: the calls ``explorer.client.kube`` makes.

Bearer-token auth, services and pods, the pod ``portforward`` websocket (the
``v4.channel.k8s.io`` framing: a channel byte, the port announced first on channels 0 and
1) piped to a real local server, TokenRequest, TokenReview and SelfSubjectAccessReview.
RBAC is "everything allowed" but for the ``denied`` strings ``"USER VERB RESOURCE"``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml
from wsproto.connection import Connection, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
POD = "data-storage-6d9f-abcde"


@dataclass
class FakeKube:
    """``with FakeKube(target_port=ds.port) as kube: kube.kubeconfig(tmp_path)``."""

    target_port: int
    namespace: str = "kubernaut-system"
    service: str = "data-storage-service"
    tokens: dict[str, str] = field(
        default_factory=lambda: {"user-token": "alice", "exec-token": "bob", "oidc-token": "carol"}
    )
    service_accounts: dict[str, str] = field(
        default_factory=lambda: {"kubernaut-system/audit-reader": "sa-token"}
    )
    denied: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)
    forwards: int = 0

    def __post_init__(self) -> None:
        for account, token in self.service_accounts.items():
            ns, name = account.split("/")
            self.tokens.setdefault(token, f"system:serviceaccount:{ns}:{name}")
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda *_: None  # type: ignore[method-assign]  # resets
        self.httpd.kube = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeKube:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def allowed(self, user: str, verb: str, resource: str) -> bool:
        return f"{user} {verb} {resource}" not in self.denied

    def kubeconfig(self, directory: Path, *, exec_script: bool = True) -> Path:
        """Contexts ``fake`` (a token user), ``fake-exec`` (an exec plugin in python),
        ``fake-oidc`` (an OIDC id-token) and ``fake-stale`` (a token the server refuses)."""
        plugin = directory / "credential.py"
        credential = {
            "apiVersion": "client.authentication.k8s.io/v1",
            "kind": "ExecCredential",
            "status": {"token": "exec-token"},
        }
        plugin.write_text(f"import json\nprint(json.dumps({credential!r}))\n")
        exec_user = {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": sys.executable,
            "args": [str(plugin)],
        }
        oidc = {"name": "oidc", "config": {"id-token": "oidc-token", "client-id": "kubectl"}}
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "fake",
            "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
            "users": [
                {"name": "token-user", "user": {"token": "user-token"}},
                {"name": "exec-user", "user": {"exec": exec_user}},
                {"name": "stale-user", "user": {"token": "expired-token"}},
                {"name": "oidc-user", "user": {"auth-provider": oidc}},
            ],
            "contexts": [
                {"name": "fake", "context": {"cluster": "fake", "user": "token-user"}},
                {"name": "fake-exec", "context": {"cluster": "fake", "user": "exec-user"}},
                {"name": "fake-stale", "context": {"cluster": "fake", "user": "stale-user"}},
                {"name": "fake-oidc", "context": {"cluster": "fake", "user": "oidc-user"}},
            ],
        }
        path = directory / "kubeconfig"
        path.write_text(yaml.safe_dump(config))
        return path


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_: Any) -> None:
        pass

    @property
    def kube(self) -> FakeKube:
        return self.server.kube  # type: ignore[attr-defined, no-any-return]

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else {}
        self.kube.calls.append(f"{method} {url.path}")
        if url.path.rstrip("/") == "/version":
            return self._send(200, {"major": "1", "minor": "32", "gitVersion": "v1.32.0"})
        user = self.kube.tokens.get(self.headers.get("Authorization", "").removeprefix("Bearer "))
        if user is None:
            return self._status(401, "Unauthorized")
        ns = parts[3] if len(parts) > 3 and parts[2] == "namespaces" else None
        tail = parts[4:] if ns else parts[3:]
        if method == "GET" and tail == ["services", self.kube.service] and ns:
            return self._service(user, ns)
        if method == "GET" and tail == ["pods"] and ns:
            return self._pods(user, ns, query)
        if method == "GET" and len(tail) == 3 and tail[0] == "pods" and tail[2] == "portforward":
            return self._portforward(user, tail[1], query)
        if method == "POST" and len(tail) == 3 and tail[0] == "serviceaccounts" and ns:
            return self._token_request(user, f"{ns}/{tail[1]}")
        if method == "POST" and tail == ["tokenreviews"]:
            return self._token_review(user, body)
        if method == "POST" and tail == ["selfsubjectaccessreviews"]:
            return self._access_review(user, body)
        return self._status(404, f"no route {url.path}")

    def _service(self, user: str, ns: str) -> None:
        if not self.kube.allowed(user, "get", f"services/{self.kube.service}"):
            return self._status(403, "forbidden")
        if ns != self.kube.namespace:
            return self._status(404, "services not found")
        spec = {
            "selector": {"app": "data-storage"},
            "ports": [{"port": 8080, "targetPort": "http"}],
        }
        self._send(200, {"kind": "Service", "metadata": {"name": self.kube.service}, "spec": spec})

    def _pods(self, user: str, ns: str, query: dict[str, str]) -> None:
        if not self.kube.allowed(user, "list", "pods"):
            return self._status(403, "forbidden")
        ready = {"type": "Ready", "status": "True"}
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": POD, "namespace": ns, "labels": {"app": "data-storage"}},
            "spec": {
                "containers": [{"name": "ds", "ports": [{"name": "http", "containerPort": 8080}]}]
            },
            "status": {"phase": "Running", "conditions": [ready]},
        }
        matches = query.get("labelSelector") == "app=data-storage"
        self._send(200, {"kind": "PodList", "items": [pod] if matches else []})

    def _token_request(self, user: str, account: str) -> None:
        if not self.kube.allowed(user, "create", "serviceaccounts/token"):
            return self._status(403, "forbidden")
        token = self.kube.service_accounts.get(account)
        if token is None:
            return self._status(404, "serviceaccounts not found")
        self._send(201, {"kind": "TokenRequest", "status": {"token": token}})

    def _token_review(self, user: str, body: dict[str, Any]) -> None:
        if not self.kube.allowed(user, "create", "tokenreviews"):
            return self._status(403, "forbidden")
        name = self.kube.tokens.get(body.get("spec", {}).get("token", ""))
        status = {"authenticated": True, "user": {"username": name}} if name else {}
        self._send(201, {"kind": "TokenReview", "status": status})

    def _access_review(self, user: str, body: dict[str, Any]) -> None:
        attrs = body["spec"]["resourceAttributes"]
        resource = attrs["resource"]
        resource += f"/{attrs['subresource']}" if attrs.get("subresource") else ""
        resource += f"/{attrs['name']}" if attrs.get("name") else ""
        allowed = self.kube.allowed(user, attrs["verb"], resource)
        self._send(201, {"kind": "SelfSubjectAccessReview", "status": {"allowed": allowed}})

    def _portforward(self, user: str, pod: str, query: dict[str, str]) -> None:
        if not self.kube.allowed(user, "create", "pods/portforward"):
            return self._status(403, "forbidden")
        if pod != POD or query.get("ports") != "8080":
            return self._status(404, f"pod {pod} port {query.get('ports')}")
        key = self.headers["Sec-WebSocket-Key"]
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        offered = self.headers.get("Sec-WebSocket-Protocol", "")
        if "v4.channel.k8s.io" in offered:
            self.send_header("Sec-WebSocket-Protocol", "v4.channel.k8s.io")
        self.end_headers()
        self.kube.forwards += 1
        _Pipe(self.connection, self.kube.target_port).run()
        self.close_connection = True

    def _status(self, code: int, message: str) -> None:
        self._send(code, {"kind": "Status", "status": "Failure", "message": message, "code": code})

    def _send(self, code: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Pipe:
    """One websocket <-> one TCP connection to the pod port (channel 0 data, 1 errors)."""

    def __init__(self, ws: socket.socket, port: int) -> None:
        self.ws = ws
        self.port = port
        self.conn = Connection(ConnectionType.SERVER)
        self.lock = threading.Lock()

    def send(self, event: Any) -> None:
        with self.lock:
            self.ws.sendall(self.conn.send(event))

    def run(self) -> None:
        header = self.port.to_bytes(2, "little")
        self.send(BytesMessage(b"\x00" + header))
        self.send(BytesMessage(b"\x01" + header))
        target = socket.create_connection(("127.0.0.1", self.port))
        back = threading.Thread(target=self._back, args=(target,), daemon=True)
        back.start()
        first = True
        try:
            while data := self.ws.recv(65536):
                self.conn.receive_data(data)
                for event in self.conn.events():
                    if isinstance(event, BytesMessage):
                        payload = event.data[1:] if first else event.data
                        first = event.message_finished
                        target.sendall(bytes(payload))
                    elif isinstance(event, Ping):
                        self.send(event.response())
                    elif isinstance(event, CloseConnection):
                        self.send(event.response())
                        return
        except Exception:  # a closed socket, or a close frame after ours
            pass
        finally:
            target.close()

    def _back(self, target: socket.socket) -> None:
        try:
            while chunk := target.recv(65536):
                self.send(BytesMessage(b"\x00" + chunk))
            self.send(CloseConnection(code=1000))
        except Exception:  # the websocket side went first
            pass


@dataclass
class FakeCluster:
    """A fake API server, the stand-in DataStorage behind it, and a kubeconfig for both."""

    kube: FakeKube
    datastorage: Any
    kubeconfig: Path


@contextmanager
def fake_cluster(
    directory: Path, *, token: str = "user-token", events: int = 30, denied: Iterable[str] = ()
) -> Iterator[FakeCluster]:
    """DataStorage (accepting ``token``) behind a fake API server; kubeconfig in ``directory``."""
    from explorer.demo.generator import demo_events
    from explorer.demo.server import DemoServer

    with DemoServer(demo_events(events, 7), token=token) as datastorage:
        port = int(datastorage.url.rsplit(":", 1)[1])
        with FakeKube(target_port=port, denied=set(denied)) as kube:
            yield FakeCluster(kube, datastorage, kube.kubeconfig(directory))
