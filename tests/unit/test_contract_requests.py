"""Every request sync, verify, holds and reconstruct send conforms to the contract.

The requests go through :class:`tests.requests_check.Checking`, which checks each one
against the operation the contract defines for it (path, method, query parameter names,
types, formats and ranges, body, Accept) and forwards it to the loopback stand-in.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from explorer.client.datastorage import ClientSettings, DataStorageClient, EventFilters, Secret
from explorer.client.evidence import ExportFilters
from explorer.demo.generator import demo_events
from explorer.demo.server import DemoServer
from explorer.ingest.evidence import run_verify
from explorer.ingest.sync import run_sync
from explorer.store.cache import Cache
from tests.requests_check import Checking, RequestChecker, response_problems

TOKEN = "contract-token-1f"


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with DemoServer(list(demo_events(250, 5, mismatch_rate=0.0)), token=TOKEN) as server:
        yield server


@pytest.fixture
def checking() -> Checking:
    return Checking(RequestChecker("main"))


@pytest.fixture
def client(server: DemoServer, checking: Checking) -> Iterator[DataStorageClient]:
    settings = ClientSettings(server.url, token=Secret(TOKEN), max_tries=1)
    with DataStorageClient(settings, transport=checking) as client:
        yield client


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with Cache.open(tmp_path / "c.duckdb", notify=lambda _: None) as cache:
        yield cache


def test_sync_requests_conform(client: DataStorageClient, checking: Checking, cache: Cache) -> None:
    filters = EventFilters(since="30d", until="now", event_outcome="success")
    result = run_sync(cache, client, filters, source="s", page_size=40)
    assert result.complete, result.stopped
    assert "GET /api/v1/audit/events" in checking.seen
    assert "GET /api/v1/audit/legal-hold" in checking.seen  # read at the end of the sync
    assert checking.violations == []


def test_verify_requests_conform(
    client: DataStorageClient, checking: Checking, cache: Cache, server: DemoServer
) -> None:
    correlation = server.events[0]["correlation_id"]
    for filters in (
        ExportFilters(start_time="30d", end_time="now", event_category="gateway"),
        ExportFilters(correlation_id=correlation),
        ExportFilters(),
    ):
        run_verify(cache, client, filters, source="s", page_size=60)
    # the range is synced first (events, then the hold list), then exported page by page
    assert set(checking.seen) == {
        "GET /api/v1/audit/export",
        "GET /api/v1/audit/events",
        "GET /api/v1/audit/legal-hold",
    }
    assert checking.seen.count("GET /api/v1/audit/export") >= 5  # 250 events by 60
    assert checking.violations == []


def test_holds_and_reconstruct_requests_conform(
    client: DataStorageClient, checking: Checking, server: DemoServer
) -> None:
    client.legal_holds()
    correlation = next(
        e["correlation_id"] for e in server.events if e["event_type"] == "gateway.signal.received"
    )
    client.reconstruct(correlation)
    assert checking.seen == [
        "GET /api/v1/audit/legal-hold",
        f"POST /api/v1/audit/remediation-requests/{correlation}/reconstruct",
    ]
    assert checking.violations == []


def test_a_wrong_request_is_reported(server: DemoServer, checking: Checking) -> None:
    """The check can fail: each kind of mistake is named."""
    with httpx.Client(base_url=server.url, transport=checking) as http:
        http.get(
            "/api/v1/audit/export",
            params={"limit": "20000", "start_time": "24h", "bogus": "1", "format": "csv"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        http.post(
            "/api/v1/audit/remediation-requests/x/reconstruct",
            json={"unexpected": True},
            headers={"Accept": "text/html", "Authorization": f"Bearer {TOKEN}"},
        )
        http.get("/api/v1/audit/events", params={"limit": "ten", "offset": "-1"})
        http.post("/api/v1/audit/legal-hold", json={"reason": "no correlation"})
        http.delete("/api/v1/audit/export")
    found = "\n".join(checking.violations)
    for expected in (
        "limit: 20000 is above the maximum 10000",
        "start_time: '24h' is not an RFC 3339 date-time",
        "query parameter 'bogus' is not declared",
        "format: 'csv' is not one of ['json']",
        "a body was sent, but the operation takes none",
        "Accept 'text/html' refuses application/json",
        "limit: 'ten' is not an integer",
        "offset: -1 is below the minimum 0",
        "body: $.correlation_id is required",
        "DELETE /api/v1/audit/export: no such operation",
    ):
        assert expected in found, (expected, found)
    assert len(checking.violations) == 10


@pytest.mark.parametrize("contract", ["v1.5.7", "main"])
def test_the_evidence_operations_exist_in_the_contract(contract: str) -> None:
    checker = RequestChecker(contract)
    for method, path in (
        ("GET", "/api/v1/audit/export"),
        ("GET", "/api/v1/audit/legal-hold"),
        ("POST", "/api/v1/audit/remediation-requests/abc/reconstruct"),
    ):
        assert checker.find(method, path) is not None, (contract, method, path)


def test_the_stand_in_answers_to_the_contract(server: DemoServer) -> None:
    """The stand-in's export, hold list and reconstruction fit the contract's 200 schemas."""
    checker = RequestChecker("main")
    correlation = next(
        e["correlation_id"] for e in server.events if e["event_type"] == "gateway.signal.received"
    )
    auth = {"Authorization": f"Bearer {TOKEN}"}
    reconstruct = f"/api/v1/audit/remediation-requests/{correlation}/reconstruct"
    with httpx.Client(base_url=server.url, headers=auth) as http:
        answers = [
            ("GET", "/api/v1/audit/export", http.get("/api/v1/audit/export").json()),
            ("GET", "/api/v1/audit/legal-hold", http.get("/api/v1/audit/legal-hold").json()),
            ("POST", reconstruct, http.post(reconstruct).json()),
        ]
    for method, path, body in answers:
        assert body  # not an error
        assert response_problems(checker, method, path, body) == [], path
    broken = dict(answers[0][2], hash_chain_verification={"total_events_verified": "1"})
    found = response_problems(checker, "GET", "/api/v1/audit/export", broken)
    assert "$.hash_chain_verification.total_events_verified is not a JSON integer" in found
    assert "$.hash_chain_verification.valid_chain_events is required" in found
