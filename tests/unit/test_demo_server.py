"""The stand-in DataStorage over a real loopback socket, spoken to with plain httpx."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from explorer.demo.server import DemoServer, Faults
from tests.factories import event

START = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
TYPES = (
    "gateway.signal.received",
    "orchestrator.lifecycle.started",
    "aianalysis.analysis.completed",
)
CATEGORIES = ("gateway", "orchestration", "analysis")
OUTCOMES = ("success", "failure", "pending")


def make_events(
    count: int, *, start: datetime = START, step: timedelta = timedelta(seconds=-1), tag: str = "e"
) -> list[dict[str, Any]]:
    """``count`` events, one per ``step`` from ``start``; a few share a timestamp."""
    events = []
    for i in range(count):
        when = start + step * (i - i % 7 // 6)  # every 7th pair shares a timestamp
        e = event(
            TYPES[i % 3],
            event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tag}-{i}")),
            event_timestamp=when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            event_category=CATEGORIES[i % 3],
            event_outcome=OUTCOMES[i % 3 if i % 4 else 0],
            severity="critical" if i % 5 == 0 else "info",
            correlation_id=f"rr-{i % 4}",
        )
        e["event_data"]["task_id"] = f"task-{i % 10}"
        events.append(e)
    return events


def order(events: list[dict[str, Any]]) -> list[str]:
    ranked = sorted(events, key=lambda e: (e["event_timestamp"], e["event_id"]), reverse=True)
    return [e["event_id"] for e in ranked]


@pytest.fixture
def events() -> list[dict[str, Any]]:
    return make_events(250)


@pytest.fixture
def server(events: list[dict[str, Any]]) -> Iterator[DemoServer]:
    with DemoServer(events) as server:
        yield server


_HTTP = httpx.Client(timeout=5)  # one client: building an SSL context per call is slow


def get(server: DemoServer, **params: Any) -> httpx.Response:
    return _HTTP.get(f"{server.url}/api/v1/audit/events", params=params)


def test_pages_newest_first_with_default_limit(server: DemoServer, events: list[Any]) -> None:
    body = get(server).json()
    assert body["pagination"] == {"limit": 100, "offset": 0, "total": 250, "has_more": True}
    seen = [e["event_id"] for e in body["data"]]
    for offset in (100, 200):
        body = get(server, offset=offset, limit=100).json()
        seen += [e["event_id"] for e in body["data"]]
    assert body["pagination"]["has_more"] is False
    assert seen == order(events)


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"event_type": TYPES[1]}, lambda e: e["event_type"] == TYPES[1]),
        ({"event_category": "analysis"}, lambda e: e["event_category"] == "analysis"),
        ({"event_outcome": "failure"}, lambda e: e["event_outcome"] == "failure"),
        ({"severity": "critical"}, lambda e: e["severity"] == "critical"),
        ({"correlation_id": "rr-2"}, lambda e: e["correlation_id"] == "rr-2"),
        (
            {"detail_key": "task_id", "detail_value": "task-3"},
            lambda e: e["event_data"]["task_id"] == "task-3",
        ),
        (
            {"since": "2026-11-20T09:59:00Z", "until": "2026-11-20T09:59:30Z"},
            lambda e: "09:59:00" <= e["event_timestamp"][11:19] <= "09:59:30",
        ),
    ],
)
def test_every_filter(server: DemoServer, events: list[Any], params: Any, keep: Any) -> None:
    body = get(server, limit=1000, **params).json()
    expected = order([e for e in events if keep(e)])
    assert expected
    assert [e["event_id"] for e in body["data"]] == expected
    assert body["pagination"]["total"] == len(expected)


def test_relative_since() -> None:
    recent = make_events(3, start=datetime.now(UTC) - timedelta(minutes=5), tag="recent")
    with DemoServer(make_events(5) + recent) as server:
        assert len(get(server, since="1h").json()["data"]) == 3
        assert len(get(server, since="1d2h").json()["data"]) == 3


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"limit": 0}, "limit must be between 1 and 1000"),
        ({"limit": 1001}, "limit must be between 1 and 1000"),
        ({"limit": "ten"}, "limit must be between 1 and 1000"),
        ({"offset": -1}, "offset must be"),
        ({"event_outcome": "maybe"}, "event_outcome must be one of"),
        ({"since": "yesterday"}, "since must be"),
        ({"until": "24h"}, "until must be"),
        ({"detail_key": "task_id"}, "together"),
        ({"detail_key": "a-b", "detail_value": "x"}, "detail_key may hold only"),
    ],
)
def test_bad_parameters_are_problem_json(server: DemoServer, params: Any, detail: str) -> None:
    response = get(server, **params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["title"] and problem["type"]
    assert detail in problem["detail"]


def test_token_is_required_when_set(events: list[Any]) -> None:
    with DemoServer(events, token="s3cret") as server:
        assert get(server).status_code == 401
        wrong = httpx.get(
            f"{server.url}/api/v1/audit/events", headers={"Authorization": "Bearer nope"}
        )
        assert wrong.status_code == 401 and "s3cret" not in wrong.text
        right = httpx.get(
            f"{server.url}/api/v1/audit/events",
            headers={"Authorization": "Bearer s3cret", "X-Auth-Request-User": "sre"},
        )
        assert right.status_code == 200
        assert [r.authorized for r in server.requests] == [False, False, True]
        assert server.requests[-1].user == "sre"


def test_add_events_keeps_order(server: DemoServer, events: list[Any]) -> None:
    newer = make_events(3, start=START + timedelta(hours=1), tag="newer")
    server.add_events(newer)
    body = get(server, limit=5).json()
    assert [e["event_id"] for e in body["data"][:3]] == order(newer)
    assert body["pagination"]["total"] == 253


def test_scripted_faults(server: DemoServer) -> None:
    server.set_faults(Faults(script={0: "503", 1: "429", 2: "html", 3: "notjson"}, retry_after="7"))
    first = get(server)
    assert first.status_code == 503 and first.json()["status"] == 503
    limited = get(server)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "7"
    html = get(server)
    assert html.status_code == 502 and html.text.startswith("<!DOCTYPE html>")
    assert get(server).text == "service warming up, try later"
    assert get(server).status_code == 200


@pytest.mark.parametrize("kind", ["truncate", "reset", "drop"])
def test_broken_connections(server: DemoServer, kind: Any) -> None:
    server.set_faults(Faults(script={0: kind}))
    with pytest.raises(httpx.TransportError):
        get(server)
    assert get(server).status_code == 200


def test_random_faults_are_seeded(events: list[Any]) -> None:
    def statuses() -> list[int]:
        with DemoServer(events, faults=Faults(rate=0.5, kinds=("500", "503"), seed=3)) as server:
            return [get(server).status_code for _ in range(12)]

    first = statuses()
    assert first == statuses()
    assert {500, 503, 200} <= set(first)


def test_growth_and_death(server: DemoServer) -> None:
    newer = make_events(4, start=START + timedelta(hours=1), tag="grown")
    server.set_faults(Faults(growth={1: newer}, die_after_pages=2))
    assert get(server).json()["pagination"]["total"] == 250
    assert get(server).json()["pagination"]["total"] == 254
    with pytest.raises(httpx.TransportError):
        get(server)


def test_nonsense_pagination(server: DemoServer) -> None:
    server.set_faults(Faults(pagination="negative_total"))
    assert get(server).json()["pagination"]["total"] == -1
    server.set_faults(Faults(pagination="has_more_forever"))
    assert get(server, offset=5000).json()["pagination"]["has_more"] is True
    server.set_faults(Faults(pagination="same_page"))
    assert get(server, offset=100).json()["data"] == get(server).json()["data"]
    server.set_faults(Faults(pagination="ignore_offset"))
    assert get(server, offset=100).json()["data"] == get(server, offset=0).json()["data"]


def test_other_routes(server: DemoServer) -> None:
    assert httpx.get(f"{server.url}/api/v1/nope").status_code == 404
    assert httpx.post(f"{server.url}/api/v1/audit/events", json={}).status_code == 405


def test_time_window_search_matches_a_full_scan() -> None:
    from explorer.demo.server import Query

    base = datetime(2026, 11, 20, tzinfo=UTC)
    stamps = [base + timedelta(minutes=m % 17) for m in range(60)]
    items = [event(event_timestamp=s.isoformat().replace("+00:00", "Z")) for s in stamps]
    items.append(event(event_timestamp="not a time"))
    demo = DemoServer(items)
    try:
        for since, until in [(None, 5), (3, None), (3, 9), (4, 4), (20, 30), (None, None)]:
            params = {}
            if since is not None:
                params["since"] = (base + timedelta(minutes=since)).isoformat()
            if until is not None:
                params["until"] = (base + timedelta(minutes=until)).isoformat()
            query = Query(params)
            scanned = [e for e in demo.events if query.matches(e)]
            assert demo.matching(query) == scanned, (since, until)
    finally:
        demo.httpd.server_close()
