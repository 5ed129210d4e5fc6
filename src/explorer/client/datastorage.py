"""DataStorage over httpx: ``GET /api/v1/audit/events`` with auth, TLS, retries and errors.

Synchronous on purpose: the CLI calls it directly and the TUI runs a sync in a thread
worker. Every failure becomes one ``ClientError`` line; the bearer token never appears in a
message, a repr or an exception (server text is scrubbed of it too).
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import shlex
import ssl
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from explorer.client.evidence import (
    EXPORT_PATH,
    HOLDS_PATH,
    MAX_EXPORT_LIMIT,
    ExportFilters,
    ExportPage,
    Hold,
    Reconstruction,
    export_from_json,
    holds_from_json,
    reconstruct_path,
    reconstruction_from_json,
)
from explorer.config import ENV_TOKEN, SERVICE_ACCOUNT_TOKEN, too_open
from explorer.errors import ClientError
from explorer.jsontext import DuplicateKey, duplicate_keys, duplicates_by_item
from explorer.text import clean
from explorer.times import format_timestamp as format_timestamp
from explorer.times import parse_relative as parse_relative
from explorer.times import parse_time, server_time
from explorer.times import parse_timestamp as parse_timestamp

EVENTS_PATH = "/api/v1/audit/events"
DEFAULT_ACCESS = "`get` on services/data-storage-service in DataStorage's namespace"
MAX_LIMIT = 1000
OUTCOMES = ("success", "failure", "pending")
RETRY_STATUSES = frozenset({429, 502, 503, 504})
_DETAIL_KEY = re.compile(r"^[a-zA-Z0-9_]+$")
_USERINFO = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#\s]*@")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_MESSAGE_MAX = 200
_DECODED = frozenset({"content-encoding", "content-length", "transfer-encoding"})


# httpx logs each answer's status line and httpcore its headers: a server may echo the token
_HTTP_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2")


class _ScrubLogs(logging.Filter):
    """Rewrites records of the HTTP libraries' loggers without the token."""

    def __init__(self, scrub: Callable[[str], str]) -> None:
        super().__init__()
        self._scrub = scrub

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self._scrub(record.getMessage()), None
        return True


class Secret:
    """A bearer token that never shows itself in a repr, a str or a traceback."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def resolve_token(
    token: str | None = None,
    token_file: Path | str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    service_account: Path = SERVICE_ACCOUNT_TOKEN,
) -> Secret | None:
    """``--token`` > ``--token-file`` > ``$AUDIT_EXPLORER_TOKEN`` > the in-cluster token file."""
    env = os.environ if env is None else env
    if token:
        return _checked(token.strip(), "--token")
    if token_file:
        return _read_token(Path(token_file))
    if value := env.get(ENV_TOKEN, "").strip():
        return _checked(value, ENV_TOKEN)
    if service_account.is_file():  # mounted by Kubernetes, its mode not the user's to set
        return _read_token(service_account, warn=False)
    return None


def _checked(value: str, origin: str) -> Secret:
    if (
        not value
        or not value.isascii()
        or any(ch.isspace() or not ch.isprintable() for ch in value)
    ):
        raise ClientError(
            f"the token from {origin} is empty or holds spaces, non-ASCII or control characters"
        )
    return Secret(value)


def _read_token(path: Path, *, warn: bool = True) -> Secret:
    try:
        value = path.expanduser().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ClientError(f"cannot read token file {path}: {exc.__class__.__name__}") from None
    if warn and (mode := too_open(path.expanduser())) is not None:  # as ssh says of keys
        fix = f"chmod 600 {shlex.quote(str(path))}"
        say = f"token file {path} can be read by other users (mode {mode:04o}): run `{fix}`"
        print(f"audit-explorer: warning: {clean(say)}", file=sys.stderr)
    return _checked(value, str(path))


# -- time values -------------------------------------------------------------------------


# parse_timestamp, format_timestamp and parse_relative live in explorer.times (one grammar
# for flags, filters and the server); re-exported here for the demo server and sync.


# -- requests and pages ------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilters:
    """The query parameters ``GET /api/v1/audit/events`` defines, besides limit and offset."""

    event_type: str | None = None
    event_category: str | None = None
    event_outcome: str | None = None
    severity: str | None = None
    correlation_id: str | None = None
    since: str | None = None
    until: str | None = None
    detail_key: str | None = None
    detail_value: str | None = None

    def __post_init__(self) -> None:
        if self.event_outcome is not None and self.event_outcome not in OUTCOMES:
            raise ClientError(f"outcome must be one of {', '.join(OUTCOMES)}")
        for name in ("since", "until"):
            if (value := getattr(self, name)) is not None:
                try:
                    parse_time(value)
                except ValueError as exc:
                    raise ClientError(f"{name} must be a time: {exc}") from None
        if (self.detail_key is None) != (self.detail_value is None):
            raise ClientError("detail_key and detail_value go together")
        if self.detail_key is not None and not _DETAIL_KEY.match(self.detail_key):
            raise ClientError("detail_key may hold only letters, digits and underscores")

    def resolved(self, now: datetime | None = None) -> EventFilters:
        """These filters with ``since``/``until`` as absolute RFC 3339 UTC times (as of ``now``).

        What the server gets: never a relative time, which it would read as a Go duration
        (no days) and re-resolve on every page.
        """
        return replace(
            self,
            since=None if self.since is None else server_time(self.since, now),
            until=None if self.until is None else server_time(self.until, now),
        )

    def params(self) -> dict[str, str]:
        """The query parameters, times resolved now (call ``resolved`` once to pin them)."""
        resolved = self.resolved()
        return {f.name: v for f in fields(self) if (v := getattr(resolved, f.name)) is not None}

    def key(self) -> str:
        """What identifies "the same sync" for its watermark: every filter but ``until``.

        Times as given (``24h`` stays ``24h``), so the key does not move with the clock.
        """
        params = {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}
        params.pop("until", None)
        return json.dumps(params, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Page:
    events: list[Any]
    limit: int
    offset: int
    total: int
    has_more: bool
    # The keys an event's text writes twice, by index in ``events`` (most pages: none).
    duplicates: dict[int, tuple[DuplicateKey, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ClientSettings:
    url: str
    token: Secret | None = None
    user: str | None = None
    ca_bundle: Path | None = None
    insecure: bool = False
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    total_timeout: float = 300.0
    max_body: int = 512 * 2**20
    max_tries: int = 5
    backoff: float = 0.5
    backoff_cap: float = 20.0
    retry_after_cap: float = 60.0
    access: str = DEFAULT_ACCESS  # what DataStorage asks the cluster to allow the token


def base_url(url: str) -> str:
    """The server root, accepting a pasted events URL too."""
    url = url.strip().rstrip("/")
    if url.endswith(EVENTS_PATH):
        url = url[: -len(EVENTS_PATH)]
    if _USERINFO.match(url):  # said without the URL: it holds a password
        raise ClientError(
            "the DataStorage URL carries a user or password; DataStorage takes a bearer "
            "token instead (--token-file or a config source's token_file)"
        )
    if not re.match(r"^https?://[^/\s]+", url):
        raise ClientError(f"DataStorage URL must start with http:// or https://, not {url!r}")
    return url


class DataStorageClient:
    """``query_events`` with retries; ``retries`` counts every retried attempt."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.url = base_url(settings.url)
        self.retries = 0
        self._sleep = sleep
        self._rng = rng or random.Random()
        if settings.token and not settings.token.reveal().isascii():
            raise ClientError("the token holds non-ASCII characters (an HTTP header cannot)")
        try:
            self._http = self._connect(settings, transport)
        except (httpx.InvalidURL, ValueError) as exc:
            raise ClientError(f"bad DataStorage URL {self.url!r}: {exc}") from None
        self._log_filter = _ScrubLogs(self._hide)
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).addFilter(self._log_filter)

    def _connect(
        self, settings: ClientSettings, transport: httpx.BaseTransport | None
    ) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers=_headers(settings),
            timeout=httpx.Timeout(
                settings.read_timeout,
                connect=settings.connect_timeout,
                pool=settings.connect_timeout,
            ),
            verify=_verify(settings),
            transport=transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"DataStorageClient({self.url!r})"

    def __enter__(self) -> DataStorageClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).removeFilter(self._log_filter)

    def query_events(
        self, filters: EventFilters | None = None, limit: int = 100, offset: int = 0
    ) -> Page:
        if not 1 <= limit <= MAX_LIMIT:
            raise ClientError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
        if offset < 0:
            raise ClientError(f"offset must not be negative, not {offset}")
        params = {
            **(filters or EventFilters()).params(),
            "limit": str(limit),
            "offset": str(offset),
        }
        response = self._get(params)
        return _page(response, self._scrub, self.settings.access)

    # -- evidence: the signed export, legal holds, reconstruction --------------------

    def export_events(
        self, filters: ExportFilters | None = None, *, limit: int = 1000, offset: int = 0
    ) -> ExportPage:
        """One page of ``GET /api/v1/audit/export`` (filters sent as given: resolve once)."""
        if not 1 <= limit <= MAX_EXPORT_LIMIT:
            raise ClientError(f"limit must be between 1 and {MAX_EXPORT_LIMIT:,}, not {limit}")
        if offset < 0:
            raise ClientError(f"offset must not be negative, not {offset}")
        params = {
            **(filters or ExportFilters()).params(),
            "offset": str(offset),
            "limit": str(limit),
        }
        response = self._get(params, EXPORT_PATH)
        if response.status_code == 401 and not self.settings.user:
            raise ClientError(
                f"{error_message(response, self._scrub)}; the export also needs "
                "X-Auth-Request-User, which oauth-proxy sets: without the proxy, pass --user"
            )
        if response.status_code == 413:
            raise ClientError(
                f"{error_message(response, self._scrub)} (the export allows at most "
                f"{MAX_EXPORT_LIMIT:,} events per page: use a smaller page size)"
            )
        return export_from_json(self._json(response))

    def legal_holds(self, *, tries: int | None = None) -> list[Hold]:
        """The active legal holds (``GET /api/v1/audit/legal-hold``)."""
        return holds_from_json(self._json(self._get({}, HOLDS_PATH, tries=tries)))

    def reconstruct(self, correlation_id: str) -> Reconstruction:
        """``POST .../remediation-requests/{correlation_id}/reconstruct``."""
        response = self._get({}, reconstruct_path(correlation_id), method="POST")
        if response.status_code == 403:
            detail = _problem_detail(response)
            raise ClientError(
                "403 Forbidden: reconstruction is a POST, so the token's identity needs the "
                "`create` verb on the DataStorage service (its RBAC role), not only get/list"
                + (f" ({self._scrub(detail)})" if detail else "")
            )
        return reconstruction_from_json(self._json(response))

    def _json(self, response: httpx.Response) -> Any:
        if response.status_code != 200:
            raise ClientError(error_message(response, self._scrub))
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise ClientError(_not_json(response, self._scrub)) from None

    def _get(
        self,
        params: dict[str, str],
        path: str = EVENTS_PATH,
        *,
        method: str = "GET",
        tries: int | None = None,
    ) -> httpx.Response:
        tries = max(1, tries or self.settings.max_tries)
        for attempt in range(1, tries + 1):
            try:
                response = self._fetch(params, path, method)
            except httpx.TransportError as exc:
                if _is_tls(exc):  # retrying will not make a certificate trusted
                    raise ClientError(self._tls_message(exc)) from None
                if attempt == tries:
                    raise ClientError(self._transport_message(exc, attempt)) from None
                self._wait(attempt, None)
                continue
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
                raise ClientError(f"request failed: {self._scrub(str(exc))}") from None
            if response.status_code in RETRY_STATUSES and attempt < tries:
                self._wait(attempt, response)
                continue
            return response
        raise AssertionError("unreachable")

    def _fetch(
        self, params: dict[str, str], path: str = EVENTS_PATH, method: str = "GET"
    ) -> httpx.Response:
        """One request, read under a total deadline and a size cap (a trickling server ends)."""
        limits = self.settings
        deadline = time.monotonic() + limits.total_timeout
        body = bytearray()
        with self._http.stream(method, path, params=params) as streamed:
            for chunk in streamed.iter_bytes():
                body += chunk
                if len(body) > limits.max_body:
                    raise ClientError(
                        f"the answer is over {limits.max_body:,} bytes; stopped reading"
                    )
                if time.monotonic() > deadline:
                    raise ClientError(
                        f"the answer took over {limits.total_timeout:g} s; stopped reading"
                    )
        headers = [(k, v) for k, v in streamed.headers.multi_items() if k.lower() not in _DECODED]
        return httpx.Response(
            streamed.status_code, headers=headers, content=bytes(body), request=streamed.request
        )

    def _wait(self, attempt: int, response: httpx.Response | None) -> None:
        self.retries += 1
        delay = min(self.settings.backoff_cap, self.settings.backoff * 2 ** (attempt - 1))
        delay *= 0.5 + self._rng.random() / 2
        if response is not None and response.status_code == 429:
            after = retry_after(response.headers.get("Retry-After"))
            if after is not None:
                delay = max(delay, min(after, self.settings.retry_after_cap))
        self._sleep(delay)

    def _transport_message(self, exc: httpx.TransportError, tries: int) -> str:
        what = {
            httpx.ConnectTimeout: "connecting timed out",
            httpx.ReadTimeout: f"no answer within {self.settings.read_timeout:g} s",
            httpx.ConnectError: "cannot connect",
            httpx.RemoteProtocolError: "the connection broke mid-answer",
            httpx.ReadError: "the connection dropped",
        }
        reason = next((v for k, v in what.items() if isinstance(exc, k)), "network error")
        detail = self._scrub(str(exc)) or exc.__class__.__name__
        count = "1 try" if tries == 1 else f"{tries} tries"
        return f"{self.url}: {reason} after {count} ({detail})"

    def _tls_message(self, exc: httpx.TransportError) -> str:
        hint = "use --ca-bundle FILE (or --insecure)"
        return f"{self.url}: TLS failed, {hint} ({self._scrub(str(exc))})"

    def _hide(self, text: str) -> str:
        token = self.settings.token.reveal() if self.settings.token else ""
        if token:  # as sent, and as quoted in a str or bytes repr (httpx's header errors)
            for form in {token, repr(token)[1:-1], repr(token.encode(errors="replace"))[2:-1]}:
                text = text.replace(form, "***")
        return text

    def _scrub(self, text: str) -> str:
        """Server or library text as one safe line: no token, no controls, not too long."""
        text = self._hide(text)
        text = clean(" ".join(text.split()))
        return text if len(text) <= _MESSAGE_MAX else text[: _MESSAGE_MAX - 3] + "..."


def _is_tls(exc: BaseException) -> bool:
    cause = exc.__cause__ or exc.__context__
    return isinstance(cause, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(exc)


def _headers(settings: ClientSettings) -> dict[str, str]:
    headers = {"Accept": "application/json, application/problem+json"}
    if settings.token:
        headers["Authorization"] = f"Bearer {settings.token.reveal()}"
    if settings.user:
        headers["X-Auth-Request-User"] = settings.user
    return headers


def _verify(settings: ClientSettings) -> ssl.SSLContext | bool:
    if settings.insecure:
        return False
    if settings.ca_bundle is None:
        return True
    try:
        return ssl.create_default_context(cafile=str(settings.ca_bundle.expanduser()))
    except (OSError, ssl.SSLError) as exc:
        raise ClientError(f"cannot use CA bundle {settings.ca_bundle}: {exc}") from None


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


# -- answers -----------------------------------------------------------------------------


def _page(response: httpx.Response, scrub: Callable[[str], str], access: str) -> Page:
    if response.status_code != 200:
        raise ClientError(error_message(response, scrub, access))
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        raise ClientError(_not_json(response, scrub)) from None
    page = page_from_json(body)
    # One orjson.dumps of the page when the server writes compact canonical JSON.
    duplicates = duplicate_keys(response.content, body)
    if not duplicates:
        return page
    return replace(page, duplicates=duplicates_by_item(duplicates, ("data",)))


def page_from_json(body: Any) -> Page:
    """A query answer checked against AuditEventsQueryResponse (null data counts as empty)."""
    if not isinstance(body, dict):
        raise ClientError(f"the answer is not a query page (a JSON {_kind(body)}, not an object)")
    data = body.get("data", [])
    if data is None:
        data = []
    if not isinstance(data, list):
        raise ClientError(f"the answer's data is a JSON {_kind(data)}, not an array")
    pagination = body.get("pagination")
    if not isinstance(pagination, dict):
        raise ClientError("the answer has no pagination object")
    numbers = {}
    for name in ("limit", "offset", "total"):
        value = pagination.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ClientError(f"the answer's pagination.{name} is not an integer")
        numbers[name] = value
    has_more = pagination.get("has_more")
    if not isinstance(has_more, bool):
        raise ClientError("the answer's pagination.has_more is not a boolean")
    return Page(data, numbers["limit"], numbers["offset"], numbers["total"], has_more)


def error_message(
    response: httpx.Response, scrub: Callable[[str], str], access: str = DEFAULT_ACCESS
) -> str:
    """One line for a non-200 answer: problem+json detail, a hint, or a proxy's page title.

    A 403 names the RBAC grant DataStorage checks (its SubjectAccessReview): ``access``.
    """
    status = scrub(f"{response.status_code} {response.reason_phrase or 'error'}".strip())
    detail = _problem_detail(response)
    if response.status_code == 401:
        hint = (
            "check the token (--token/--token-file/AUDIT_EXPLORER_TOKEN); "
            "`audit-explorer doctor` checks each step"
        )
        return f"{status}: {hint}" + (f" ({scrub(detail)})" if detail else "")
    if response.status_code == 403:
        hint = f"the token's identity lacks {access} (RBAC: the data-storage-client ClusterRole)"
        return f"{status}: {hint}" + (f" ({scrub(detail)})" if detail else "")
    if 300 <= response.status_code < 400:
        where = scrub(response.headers.get("Location", "elsewhere"))
        return f"{status}: redirected to {where} (a login proxy? use the service URL)"
    if detail is not None:
        return f"{status}: {scrub(detail)}"
    if _looks_html(response):
        title = _TITLE.search(response.content)
        text = title.group(1).decode("utf-8", "replace") if title else "no title"
        return f"{response.status_code} from a proxy (HTML page), not DataStorage: {scrub(text)}"
    snippet = scrub(response.content[:120].decode("utf-8", "replace")) or "empty body"
    return f"{status}: {snippet}"


def _problem_detail(response: httpx.Response) -> str | None:
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict):
        return None
    text = next((body[k] for k in ("detail", "title", "error", "message") if body.get(k)), None)
    if not isinstance(text, str):
        return None
    field_errors = body.get("field_errors")
    if isinstance(field_errors, dict) and field_errors:
        text += " (" + "; ".join(f"{k}: {v}" for k, v in field_errors.items()) + ")"
    return text


def _looks_html(response: httpx.Response) -> bool:
    kind = response.headers.get("Content-Type", "")
    return "html" in kind or response.content.lstrip()[:15].lower().startswith(b"<!doctype html")


def _not_json(response: httpx.Response, scrub: Callable[[str], str]) -> str:
    if _looks_html(response):
        return "200 but an HTML page, not DataStorage JSON (a proxy or login page?)"
    size = len(response.content)
    if response.content.lstrip()[:1] in (b"{", b"["):
        return f"the answer is not valid JSON: truncated or corrupt ({size} bytes)"
    snippet = scrub(response.content[:60].decode("utf-8", "replace")) or "empty body"
    return f"the answer is not JSON ({size} bytes): {snippet}"


def _kind(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")
