"""A stand-in DataStorage: ``GET /api/v1/audit/events`` on loopback, with opt-in faults.

It answers the way the real service does: newest first (event_timestamp DESC, event_id
DESC), offset paging, default limit 100, ``{data, pagination}``, every query filter, 400
problem+json for bad parameters and 401 without the token when one is set. ``Faults`` makes
it misbehave on purpose so tests can drive a sync through 5xx, 429, proxies' HTML pages,
slow or truncated answers, growth while paging, a dying server and nonsense pagination.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import random
import re
import socket
import ssl
import struct
import sys
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

from explorer.client.datastorage import (
    EVENTS_PATH,
    MAX_LIMIT,
    OUTCOMES,
    parse_relative,
    parse_timestamp,
)
from explorer.client.evidence import EXPORT_PATH, HOLDS_PATH
from explorer.demo import evidence

DEFAULT_LIMIT = 100
FaultKind = Literal[
    "500", "502", "503", "504", "429", "html", "slow",
    "truncate", "reset", "drop", "notjson", "badjson", "badshape", "trickle",
]  # fmt: skip
Pagination = Literal[
    "normal", "same_page", "ignore_offset", "ignore_window", "negative_total", "has_more_forever"
]
_OLDEST = datetime.min.replace(tzinfo=UTC)
_PROBLEM = "https://kubernaut.ai/problems/"
_DETAIL_KEY = re.compile(r"^[a-zA-Z0-9_]+$")
_FILTERS = ("event_type", "event_category", "event_outcome", "severity", "correlation_id")
_RECONSTRUCT = re.compile(r"^/api/v1/audit/remediation-requests/([^/]+)/reconstruct$")
_HTML = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


@dataclass
class Faults:
    """What goes wrong, and when. Requests and pages count from 0 and 1 respectively.

    ``script`` maps an events-request index to a fault; ``rate`` adds seeded random faults
    drawn from ``kinds``; ``growth`` maps "after page N was served" to events to insert;
    ``die_after_pages`` drops every connection once N pages were served.
    """

    script: Mapping[int, FaultKind] = field(default_factory=dict)
    rate: float = 0.0
    kinds: Sequence[FaultKind] = ("503",)
    seed: int = 0
    retry_after: str = "1"
    slow_seconds: float = 2.0
    growth: Mapping[int, Sequence[dict[str, Any]]] = field(default_factory=dict)
    die_after_pages: int | None = None
    pagination: Pagination = "normal"


@dataclass(frozen=True)
class SeenRequest:
    """One events request as the server saw it (the Authorization header is not kept)."""

    params: dict[str, str]
    user: str | None
    authorized: bool
    fault: str | None


class BadRequest(Exception):
    pass


class DemoServer:
    """``with DemoServer(events) as server: server.url`` - serves in a background thread."""

    def __init__(
        self,
        events: Iterable[dict[str, Any]] = (),
        *,
        token: str | None = None,
        faults: Faults | None = None,
        port: int = 0,
        host: str = "127.0.0.1",
        tls: ssl.SSLContext | None = None,
        read_token: str | None = None,
        signer: evidence.DemoSigner | None = None,
        tamper: int = 0,
    ) -> None:
        self.token = token
        self.read_token = read_token  # a second identity: get/list only, no `create`
        self._signer = signer
        self.placed_holds: dict[str, dict[str, Any]] = {}
        self._verdicts: dict[str, bool] | None = None
        self.faults = faults or Faults()
        self.requests: list[SeenRequest] = []
        self.pages_served = 0
        self._events: list[tuple[tuple[datetime, str], dict[str, Any]]] = []
        self._stamps: list[datetime] = []  # event times, newest first, beside _events
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._rng = random.Random(self.faults.seed)
        self._thread: threading.Thread | None = None
        self.add_events(events)
        self.tampered = evidence.tamper(self.events, tamper)
        self.httpd = _HTTPServer((host, port), Handler)  # tests swap its handler class
        self.httpd.demo = self
        self.scheme = "http"
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"{self.scheme}://{host!s}:{port}"

    def set_faults(self, faults: Faults) -> None:
        with self._lock:
            self.faults = faults
            self._rng = random.Random(faults.seed)
            self.pages_served = 0

    def add_events(self, events: Iterable[dict[str, Any]]) -> None:
        """Grow the data set live (the order stays newest first)."""
        with self._lock:
            self._events.extend((_sort_key(e), e) for e in events)
            self._resort()
            self._verdicts = None

    def __len__(self) -> int:
        return len(self._events)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event served, newest first."""
        return [e for _, e in self._events]

    def start(self) -> DemoServer:
        # a short poll interval makes stop() quick (it waits for the serving loop to notice)
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), name="demo-server", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until KeyboardInterrupt (for the CLI)."""
        try:
            self.httpd.serve_forever()
        finally:
            self._closing.set()
            self.httpd.server_close()

    def stop(self) -> None:
        self._closing.set()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- the request, step by step ---------------------------------------------------

    def _next_fault(self, params: dict[str, str], user: str | None, authorized: bool) -> str | None:
        with self._lock:
            index = len(self.requests)
            faults = self.faults
            fault: str | None = faults.script.get(index)
            if fault is None and faults.rate and self._rng.random() < faults.rate:
                fault = self._rng.choice(list(faults.kinds))
            dead = (
                faults.die_after_pages is not None and self.pages_served >= faults.die_after_pages
            )
            if dead:
                fault = "drop"
            self.requests.append(SeenRequest(params, user, authorized, fault))
            return fault

    def _resort(self) -> None:
        self._events.sort(key=lambda item: item[0], reverse=True)
        self._stamps = [key[0] for key, _ in self._events]

    def matching(self, query: Query) -> list[dict[str, Any]]:
        """Events the query selects, newest first. A bare time window is two binary
        searches over the sorted events, so a million-event stand-in pages quickly."""
        if query.only_window():
            keys = self._stamps
            lo = _first_at_or_before(keys, query.until) if query.until else 0
            hi = _first_before(keys, query.since) if query.since else len(keys)
            if query.since is None and query.until is None:
                return [e for _, e in self._events]
            return [e for key, e in self._events[lo:hi] if key[0] is not _OLDEST]
        return [e for _, e in self._events if query.matches(e)]

    @property
    def signer(self) -> evidence.DemoSigner:
        """The export's signing key and certificate (made on first use)."""
        with self._lock:
            if self._signer is None:
                self._signer = evidence.DemoSigner.generate()
            return self._signer

    def export(self, params: dict[str, str], exported_by: str) -> dict[str, Any]:
        signer = self.signer
        with self._lock:
            events = self.events
            if self._verdicts is None:
                self._verdicts = evidence.chain_verdicts(events)
            verdicts = self._verdicts
        return evidence.export_answer(events, verdicts, params, signer, exported_by)

    def _answer(self, params: dict[str, str]) -> dict[str, Any]:
        limit = _int_param(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        offset = _int_param(params, "offset", 0, 0, None)
        with self._lock:
            mode = self.faults.pagination
            if mode == "same_page":
                limit, offset, params = DEFAULT_LIMIT, 0, {}
            elif mode == "ignore_offset":
                offset = 0
            elif mode == "ignore_window":
                params = {k: v for k, v in params.items() if k not in ("since", "until")}
            query = Query(params)
            matched = self.matching(query)
            data = matched[offset : offset + limit]
            total = len(matched)
            self.pages_served += 1
            growth = self.faults.growth.get(self.pages_served, ())
            if growth:
                self._events.extend((_sort_key(event), event) for event in growth)
                self._resort()
        has_more = offset + len(data) < total or mode == "has_more_forever"
        if mode == "negative_total":
            total = -1
        return {
            "data": data,
            "pagination": {"limit": limit, "offset": offset, "total": total, "has_more": has_more},
        }


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    demo: DemoServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts in tests, Ctrl-C) are normal, not tracebacks."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms stalls
    server_version = "demo-data-storage/1"
    timeout = 10
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and the CLI do not want a line per request."""

    def do_GET(self) -> None:
        demo = self.server.demo
        url = urlsplit(self.path)
        if url.path.rstrip("/") in (EXPORT_PATH, HOLDS_PATH):
            self._evidence_get(url.path.rstrip("/"), url.query, demo)
            return
        if url.path.rstrip("/") != EVENTS_PATH:
            self._problem(404, "Not Found", "not-found", f"no route for {url.path}")
            return
        params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        authorized = self._authorized(demo.token)
        fault = demo._next_fault(params, self.headers.get("X-Auth-Request-User"), authorized)
        if fault is not None and self._fault(fault, demo):
            return
        if not authorized:
            self._problem(401, "Unauthorized", "unauthorized", "missing or invalid bearer token")
            return
        try:
            body = demo._answer(params)
        except BadRequest as exc:
            self._problem(400, "Validation Error", "validation-error", str(exc))
            return
        if fault == "badshape":
            body = {"data": {"oops": True}, "pagination": body["pagination"]}
        self._send(200, "application/json", _dumps(body), cut=fault)

    def do_POST(self) -> None:
        demo = self.server.demo
        path = urlsplit(self.path).path.rstrip("/")
        found = _RECONSTRUCT.match(path)
        if found is None and path != HOLDS_PATH:
            self._problem(405, "Method Not Allowed", "method-not-allowed", "read-only stand-in")
            return
        if not self._identity(demo, write=True):
            return
        if path == HOLDS_PATH:
            self._place_hold(demo)
            return
        assert found is not None
        try:
            body = evidence.reconstruct_answer(demo.events, unquote(found.group(1)))
        except evidence.NotFound as exc:
            self._problem(404, "Audit Events Not Found", "audit/correlation-not-found", str(exc))
            return
        except evidence.Invalid as exc:
            kind = "reconstruction/missing-gateway-event"
            self._problem(400, "Reconstruction Failed", kind, str(exc))
            return
        self._send(200, "application/json", _dumps(body))

    def _evidence_get(self, path: str, query: str, demo: DemoServer) -> None:
        params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        if not self._identity(demo, write=False):
            return
        if path == HOLDS_PATH:
            body = evidence.holds_answer(demo.events, demo.placed_holds)
            self._send(200, "application/json", _dumps(body))
            return
        user = self.headers.get("X-Auth-Request-User") or "system:serviceaccount:demo:auditor"
        try:
            body = demo.export(params, user)
        except evidence.TooLarge as exc:
            self._problem(413, "Payload Too Large", "export/limit-exceeded", str(exc))
            return
        except evidence.Invalid as exc:
            self._problem(400, "Validation Error", "export/invalid-parameters", str(exc))
            return
        self._send(200, "application/json", _dumps(body))

    def _identity(self, demo: DemoServer, *, write: bool) -> bool:
        """The oauth-proxy's part: 401 without a known token, 403 when the token's identity
        may not use the verb (POST is ``create``); True when the request may go on."""
        if self._authorized(demo.token):
            return True
        if demo.read_token is not None and self._authorized(demo.read_token):
            if not write:
                return True
            detail = "the identity may get/list but not create on the data-storage service"
            self._problem(403, "Forbidden", "forbidden", detail)
            return False
        self._problem(401, "Unauthorized", "unauthorized", "missing or invalid bearer token")
        return False

    def _place_hold(self, demo: DemoServer) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(min(length, 1 << 20)) or b"null")
        except ValueError:
            body = None
        if not isinstance(body, dict) or not all(
            isinstance(body.get(k), str) and body[k] for k in ("correlation_id", "reason")
        ):
            detail = "correlation_id and reason are required"
            self._problem(400, "Validation Error", "validation-error", detail)
            return
        user = self.headers.get("X-Auth-Request-User") or "system:serviceaccount:demo:auditor"
        hold = {
            "correlation_id": body["correlation_id"],
            "placed_by": user,
            "placed_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "reason": body["reason"],
        }
        demo.placed_holds[body["correlation_id"]] = hold
        affected = sum(1 for e in demo.events if e.get("correlation_id") == body["correlation_id"])
        self._send(200, "application/json", _dumps({**hold, "events_affected": affected}))

    def _authorized(self, token: str | None) -> bool:
        if token is None:
            return True
        sent = self.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())

    def _fault(self, fault: str, demo: DemoServer) -> bool:
        """Act out a fault; True when the answer has been sent (or the line dropped)."""
        if fault in ("500", "503"):
            reason = "Internal Server Error" if fault == "500" else "Service Unavailable"
            self._problem(int(fault), reason, "internal-error", "injected fault")
        elif fault in ("502", "504", "html"):
            status = 504 if fault == "504" else 502
            self._send(status, "text/html", _HTML)
        elif fault == "429":
            headers = {"Retry-After": demo.faults.retry_after}
            self._problem(429, "Too Many Requests", "rate-limited", "slow down", headers)
        elif fault == "slow":
            demo._closing.wait(demo.faults.slow_seconds)
            return False
        elif fault == "drop":
            self._drop(reset=False)
        elif fault == "notjson":
            self._send(200, "text/plain", b"service warming up, try later")
        elif fault == "badjson":
            self._send(200, "application/json", b'{"data": [{"event_id": "x"')
        else:
            return False
        return True

    def _problem(
        self, status: int, title: str, kind: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        body = {
            "type": _PROBLEM + kind,
            "title": title,
            "status": status,
            "detail": detail,
            "instance": EVENTS_PATH,
        }
        self._send(status, "application/problem+json", _dumps(body), headers=headers)

    def _send(
        self,
        status: int,
        content_type: str,
        body: bytes,
        *,
        cut: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if cut == "trickle":  # a byte at a time: every read is quick, the answer never ends
            for index in range(len(body)):
                if self.server.demo._closing.wait(0.02):
                    break
                self.wfile.write(body[index : index + 1])
            return
        if cut in ("truncate", "reset"):
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self._drop(reset=cut == "reset")
            return
        self.wfile.write(body)

    def _drop(self, *, reset: bool) -> None:
        """Close the connection without (the rest of) an answer; ``reset`` sends a TCP RST."""
        self.close_connection = True
        if reset:  # the handler closes the socket next; linger 0 turns that into a RST
            linger = struct.pack("ii", 1, 0)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            return
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


# -- the query itself --------------------------------------------------------------------


def _first_at_or_before(keys: Sequence[datetime], moment: datetime) -> int:
    """Index of the first key <= moment in a descending list."""
    lo, hi = 0, len(keys)
    while lo < hi:
        mid = (lo + hi) // 2
        if keys[mid] > moment:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _first_before(keys: Sequence[datetime], moment: datetime) -> int:
    """Index of the first key < moment in a descending list."""
    lo, hi = 0, len(keys)
    while lo < hi:
        mid = (lo + hi) // 2
        if keys[mid] >= moment:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _sort_key(event: dict[str, Any]) -> tuple[datetime, str]:
    when = parse_timestamp(event.get("event_timestamp")) or _OLDEST
    return when, str(event.get("event_id", ""))


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), default=str).encode()


def _int_param(params: dict[str, str], name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        if high is None:
            raise BadRequest(f"{name} must be an integer of at least {low}")
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value


class Query:
    """The filters of one request, checked once: ``since`` and ``until`` are inclusive."""

    def __init__(self, params: dict[str, str]) -> None:
        self.equal = {name: params[name] for name in _FILTERS if name in params}
        self.since = _since(params.get("since"))
        self.until = _time(params.get("until"), "until")
        outcome = params.get("event_outcome")
        if outcome is not None and outcome not in OUTCOMES:
            raise BadRequest(f"event_outcome must be one of {', '.join(OUTCOMES)}")
        if ("detail_key" in params) != ("detail_value" in params):
            raise BadRequest("detail_key and detail_value must be given together")
        self.detail_key = params.get("detail_key")
        self.detail_value = params.get("detail_value")
        if self.detail_key is not None and not _DETAIL_KEY.match(self.detail_key):
            raise BadRequest("detail_key may hold only letters, digits and underscores")

    def only_window(self) -> bool:
        return not self.equal and self.detail_key is None

    def matches(self, event: dict[str, Any]) -> bool:
        if any(event.get(name) != value for name, value in self.equal.items()):
            return False
        return self._in_window(event) and self._detail_matches(event)

    def _in_window(self, event: dict[str, Any]) -> bool:
        if self.since is None and self.until is None:
            return True
        when = parse_timestamp(event.get("event_timestamp"))
        if when is None:
            return False
        return (self.since is None or when >= self.since) and (
            self.until is None or when <= self.until
        )

    def _detail_matches(self, event: dict[str, Any]) -> bool:
        if self.detail_key is None:
            return True
        data = event.get("event_data")
        if not isinstance(data, dict) or self.detail_key not in data:
            return False
        value = data[self.detail_key]
        # the JSONB ->> text form: strings bare, everything else as JSON text
        return (value if isinstance(value, str) else json.dumps(value)) == self.detail_value


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    duration = parse_relative(value)
    if duration is not None:
        return datetime.now(UTC) - duration
    return _time(value, "since")


def _time(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    parsed = parse_timestamp(value)
    if parsed is None:
        raise BadRequest(f"{name} must be an RFC 3339 time")
    return parsed
