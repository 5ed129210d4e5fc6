"""The DataStorage client: against the stand-in over loopback, and MockTransport for edges."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from explorer.client.datastorage import (
    ClientSettings,
    DataStorageClient,
    EventFilters,
    Secret,
    base_url,
    resolve_token,
    retry_after,
)
from explorer.demo.server import DemoServer, Faults
from explorer.errors import ClientError
from tests.conftest import spec_file
from tests.unit.test_demo_server import make_events, order

TOKEN = "tok-9f8e7d6c5b4a"
FILTERS = EventFilters(
    event_type="gateway.signal.received",
    event_category="gateway",
    event_outcome="success",
    severity="critical",
    correlation_id="rr-0",
    since="2026-11-20T09:00:00Z",
    until="2026-11-20T11:00:00Z",
    detail_key="task_id",
    detail_value="task-0",
)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def events() -> list[dict[str, Any]]:
    return make_events(120)


@pytest.fixture
def server(events: list[dict[str, Any]]) -> Iterator[DemoServer]:
    with DemoServer(events, token=TOKEN) as server:
        yield server


def client_for(url: str, sleeps: Sleeps | None = None, **settings: Any) -> DataStorageClient:
    settings.setdefault("token", Secret(TOKEN))
    sleep = Sleeps() if sleeps is None else sleeps
    return DataStorageClient(ClientSettings(url, **settings), sleep=sleep)


def mock(handler: Callable[[httpx.Request], httpx.Response], **settings: Any) -> DataStorageClient:
    settings.setdefault("token", Secret(TOKEN))
    return DataStorageClient(
        ClientSettings("http://ds.test", **settings),
        transport=httpx.MockTransport(handler),
        sleep=Sleeps(),
    )


def page(events: list[Any], total: int | None = None) -> dict[str, Any]:
    total = len(events) if total is None else total
    return {
        "data": events,
        "pagination": {"limit": 100, "offset": 0, "total": total, "has_more": False},
    }


# -- against the stand-in ----------------------------------------------------------------


def test_pages_and_auth_headers(server: DemoServer, events: list[Any]) -> None:
    with client_for(server.url, user="sre@example.com") as client:
        first = client.query_events(limit=50)
        rest = [client.query_events(limit=50, offset=o) for o in (50, 100)]
    ids = [e["event_id"] for p in [first, *rest] for e in p.events]
    assert ids == order(events)
    assert (first.limit, first.offset, first.total, first.has_more) == (50, 0, 120, True)
    assert rest[-1].has_more is False
    assert all(r.authorized and r.user == "sre@example.com" for r in server.requests)


def query_parameter_names() -> set[str]:
    """The query parameters of ``GET /api/v1/audit/events``, read from the contract."""
    spec = yaml.safe_load(spec_file("main").read_text(encoding="utf-8"))
    operation = spec["paths"]["/api/v1/audit/events"]["get"]
    names: set[str] = set()
    for parameter in operation["parameters"]:
        ref = parameter.get("$ref")
        if ref is not None:
            assert ref.startswith("#/components/parameters/"), ref
            parameter = spec["components"]["parameters"][ref.rsplit("/", 1)[1]]
        if parameter["in"] == "query":
            names.add(parameter["name"])
    return names


def test_every_filter_is_sent_as_the_spec_names_it(server: DemoServer) -> None:
    names = query_parameter_names()
    assert {"limit", "offset", "since", "until"} <= names  # the contract was read
    with client_for(server.url) as client:
        result = client.query_events(FILTERS, limit=1000)
    sent = server.requests[-1].params
    # FILTERS sets every filter, so every parameter the contract names is sent, by that name
    assert set(sent) == names
    given = {f.name: getattr(FILTERS, f.name) for f in fields(FILTERS)}
    assert given.keys() == names - {"limit", "offset"}
    assert {name: sent[name] for name in given} == given
    assert (sent["limit"], sent["offset"]) == ("1000", "0")
    assert result.events and all(e["event_data"]["task_id"] == "task-0" for e in result.events)


def test_limit_is_checked_before_sending(server: DemoServer) -> None:
    with client_for(server.url) as client:
        for limit in (0, 1001):
            with pytest.raises(ClientError, match="limit must be between 1 and 1000"):
                client.query_events(limit=limit)
        with pytest.raises(ClientError, match="offset"):
            client.query_events(offset=-1)
    assert server.requests == []


def test_server_400_becomes_one_line() -> None:
    problem = {
        "type": "https://kubernaut.ai/problems/validation-error",
        "title": "Validation Error",
        "status": 400,
        "detail": "limit must be between 1 and 1000",
    }
    client = mock(lambda r: httpx.Response(400, json=problem))
    with pytest.raises(ClientError) as info:
        client.query_events()
    assert str(info.value) == "400 Bad Request: limit must be between 1 and 1000"


def test_401_says_what_to_check(server: DemoServer) -> None:
    with (
        client_for(server.url, token=Secret("wrong-token")) as client,
        pytest.raises(ClientError) as info,
    ):
        client.query_events()
    assert str(info.value).startswith(
        "401 Unauthorized: check the token (--token/--token-file/AUDIT_EXPLORER_TOKEN)"
    )
    assert "wrong-token" not in str(info.value)


def test_403_gives_an_rbac_hint() -> None:
    client = mock(lambda r: httpx.Response(403, json={"title": "Forbidden", "status": 403}))
    with pytest.raises(ClientError, match=r"403 Forbidden: .*RBAC"):
        client.query_events()


@pytest.mark.parametrize("kind", ["503", "504", "429", "html", "truncate", "reset", "drop"])
def test_transient_faults_are_retried(server: DemoServer, events: list[Any], kind: Any) -> None:
    server.set_faults(Faults(script={0: kind, 1: kind}))
    sleeps = Sleeps()
    with client_for(server.url, sleeps) as client:
        result = client.query_events(limit=1000)
        assert client.retries == 2
    assert len(result.events) == len(events)
    assert len(sleeps) == 2 and all(s > 0 for s in sleeps)


def test_backoff_grows_and_honours_retry_after(server: DemoServer) -> None:
    server.set_faults(Faults(script=dict.fromkeys(range(3), "503") | {3: "429"}, retry_after="9"))
    sleeps = Sleeps()
    with client_for(server.url, sleeps, max_tries=6, backoff=1.0) as client:
        client.query_events()
    assert [0.5 <= s / 2**i <= 1.0 for i, s in enumerate(sleeps[:3])] == [True] * 3
    assert sleeps[3] == 9  # at least what Retry-After asks (the backoff alone would be <= 8)


def test_retry_after_is_capped() -> None:
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "3600"}), httpx.Response(200, json=page([]))]
    )
    client = mock(lambda r: next(answers), retry_after_cap=30)
    sleeps: Sleeps = client._sleep  # type: ignore[assignment]
    client.query_events()
    assert sleeps == [30]


def test_retry_after_parsing() -> None:
    assert retry_after("12") == 12
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert retry_after("soon") is None


def test_gives_up_after_bounded_tries(server: DemoServer) -> None:
    server.set_faults(Faults(rate=1.0, kinds=("html",)))
    sleeps = Sleeps()
    with client_for(server.url, sleeps, max_tries=3) as client, pytest.raises(ClientError) as info:
        client.query_events()
    assert str(info.value) == "502 from a proxy (HTML page), not DataStorage: 502 Bad Gateway"
    assert len(server.requests) == 3 and len(sleeps) == 2


def test_500_is_not_retried(server: DemoServer) -> None:
    server.set_faults(Faults(script={0: "500"}))
    with client_for(server.url) as client, pytest.raises(ClientError, match=r"^500 Internal"):
        client.query_events()
    assert len(server.requests) == 1


def test_dead_server_is_a_clear_error(server: DemoServer) -> None:
    server.set_faults(Faults(die_after_pages=0))
    with (
        client_for(server.url, max_tries=2) as client,
        pytest.raises(ClientError, match="broke mid-answer after 2 tries"),
    ):
        client.query_events()


def test_nothing_listening() -> None:
    with DemoServer() as server:
        url = server.url
    with (
        client_for(url, max_tries=2) as client,
        pytest.raises(ClientError, match="cannot connect after 2 tries"),
    ):
        client.query_events()


def test_slow_answer_times_out(server: DemoServer) -> None:
    server.set_faults(Faults(script={0: "slow"}, slow_seconds=5))
    with (
        client_for(server.url, read_timeout=0.2, max_tries=1) as client,
        pytest.raises(ClientError, match=r"no answer within 0\.2 s"),
    ):
        client.query_events()


def test_a_trickling_answer_ends(server: DemoServer) -> None:
    server.set_faults(Faults(script={0: "trickle"}))
    with client_for(server.url, total_timeout=0.2) as client:
        with pytest.raises(ClientError, match=r"the answer took over 0\.2 s; stopped reading"):
            client.query_events()
        assert client.retries == 0


def test_an_oversized_answer_ends(server: DemoServer) -> None:
    client = client_for(server.url, max_body=1000)
    with client, pytest.raises(ClientError, match="over 1,000 bytes"):
        client.query_events()


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("notjson", "the answer is not JSON"),
        ("badjson", "not valid JSON: truncated"),
        ("badshape", "data is a JSON object, not an array"),
    ],
)
def test_bad_bodies(server: DemoServer, kind: Any, message: str) -> None:
    server.set_faults(Faults(script={0: kind}))
    with client_for(server.url) as client, pytest.raises(ClientError, match=message):
        client.query_events()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "not a query page"),
        ({"data": []}, "no pagination"),
        ({"data": [], "pagination": {"limit": 1, "offset": 0, "total": "3"}}, "total"),
        ({"data": [], "pagination": {"limit": 1, "offset": 0, "total": 3}}, "has_more"),
    ],
)
def test_page_shape_is_checked(body: Any, message: str) -> None:
    client = mock(lambda r: httpx.Response(200, json=body))
    with pytest.raises(ClientError, match=message):
        client.query_events()


def test_redirect_and_bad_url() -> None:
    login = {"Location": "https://sso.example/login"}
    client = mock(lambda r: httpx.Response(302, headers=login))
    with pytest.raises(ClientError, match=r"302 Found: redirected to https://sso\.example/login"):
        client.query_events()
    with pytest.raises(ClientError, match="bad DataStorage URL"):
        client_for("http://ds:port")


def test_null_data_is_an_empty_page() -> None:
    client = mock(lambda r: httpx.Response(200, json={**page([]), "data": None}))
    assert client.query_events().events == []


def test_server_text_is_scrubbed_of_the_token() -> None:
    problem = {"title": "Bad", "status": 400, "detail": f"token {TOKEN} is\nnot\x1b[31m ok"}
    client = mock(lambda r: httpx.Response(400, json=problem))
    with pytest.raises(ClientError) as info:
        client.query_events()
    message = str(info.value)
    assert TOKEN not in message and "\n" not in message and "\x1b" not in message
    assert message == "400 Bad Request: token *** is not\\x1b[31m ok"


def test_the_token_never_shows(server: DemoServer) -> None:
    client = client_for(server.url)
    assert TOKEN not in repr(client) and TOKEN not in repr(client.settings)
    assert TOKEN not in str(Secret(TOKEN)) and TOKEN not in f"{Secret(TOKEN)!r}"
    server.set_faults(Faults(rate=1.0, kinds=("drop",)))
    with pytest.raises(ClientError) as info:
        client.query_events()
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)
    client.close()


def test_token_sources(tmp_path: Path) -> None:
    file = tmp_path / "token"
    file.write_text(" from-file\n")
    account = tmp_path / "sa-token"
    account.write_text("from-sa")
    env = {"AUDIT_EXPLORER_TOKEN": "from-env"}
    missing = tmp_path / "none"
    assert resolve_token("flag", file, env=env, service_account=account) == Secret("flag")
    assert resolve_token(None, file, env=env, service_account=account) == Secret("from-file")
    assert resolve_token(None, None, env=env, service_account=account) == Secret("from-env")
    assert resolve_token(None, None, env={}, service_account=account) == Secret("from-sa")
    assert resolve_token(None, None, env={}, service_account=missing) is None
    with pytest.raises(ClientError, match="cannot read token file"):
        resolve_token(None, missing, env={}, service_account=missing)
    with pytest.raises(ClientError, match="control characters"):
        resolve_token("a\nb", env={})


def test_filters_are_checked() -> None:
    with pytest.raises(ClientError, match="outcome"):
        EventFilters(event_outcome="meh")
    with pytest.raises(ClientError, match="since"):
        EventFilters(since="last tuesday")
    with pytest.raises(ClientError, match="until"):
        EventFilters(until="tomorrow")
    with pytest.raises(ClientError, match="together"):
        EventFilters(detail_key="task_id")
    with pytest.raises(ClientError, match="letters"):
        EventFilters(detail_key="a.b", detail_value="x")
    # the server gets absolute RFC 3339 UTC times, resolved client side (never "168h")
    now = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert EventFilters(since="7d").resolved(now).since == "2026-11-13T10:00:00Z"
    assert EventFilters(since="1d2h30m").resolved(now).since == "2026-11-19T07:30:00Z"
    assert EventFilters(until="90m").resolved(now).until == "2026-11-20T08:30:00Z"
    assert EventFilters(since="7d").params()["since"].endswith("Z")
    assert EventFilters(since="7d").key() == EventFilters(since="7d").key()  # not clock-bound
    assert FILTERS.key() == EventFilters(**{**FILTERS.params(), "until": None}).key()
    assert FILTERS.key() != EventFilters(**{**FILTERS.params(), "since": "1h"}).key()
    assert json.loads(FILTERS.key())["event_type"] == "gateway.signal.received"


def test_base_url() -> None:
    assert base_url("http://localhost:8080/") == "http://localhost:8080"
    assert base_url("https://ds:8443/api/v1/audit/events") == "https://ds:8443"
    with pytest.raises(ClientError, match="http"):
        base_url("localhost:8080")


def test_untrusted_certificate_is_not_retried() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] self-signed certificate")

    client = mock(handler)
    with pytest.raises(ClientError, match="TLS failed, use --ca-bundle FILE"):
        client.query_events()
    assert client.retries == 0


def test_tls_options(tmp_path: Path) -> None:
    insecure = mock(lambda r: httpx.Response(200, json=page([])), insecure=True)
    insecure.query_events()
    with pytest.raises(ClientError, match="cannot use CA bundle"):
        client_for("https://ds.test", ca_bundle=tmp_path / "missing.pem")


@pytest.mark.parametrize("url", ["http://qa:pw-9f3@ds:8080", "https://qa@ds", "HTTP://a:b@ds/x"])
def test_a_url_with_a_user_or_password_is_refused_without_repeating_it(url: str) -> None:
    with pytest.raises(ClientError, match="carries a user or password") as caught:
        base_url(url)
    assert url not in str(caught.value) and "pw-9f3" not in str(caught.value)
    assert base_url("http://ds:8080/path@not-userinfo") == "http://ds:8080/path@not-userinfo"
