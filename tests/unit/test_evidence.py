"""The evidence endpoints' answers, the signature's bytes, the stand-in's 413, hold filters."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from explorer.client.datastorage import ClientSettings, DataStorageClient
from explorer.client.evidence import export_from_json, holds_from_json, reconstruction_from_json
from explorer.client.signature import check_signature, signed_bytes
from explorer.core.filters import parse_filter
from explorer.demo.evidence import DemoSigner
from explorer.demo.generator import demo_events
from explorer.demo.server import DemoServer
from explorer.errors import ClientError, FilterError


@pytest.fixture(scope="module")
def signer() -> DemoSigner:
    return DemoSigner.generate()


@pytest.fixture(scope="module")
def server(signer: DemoSigner) -> Iterator[DemoServer]:
    events = list(demo_events(120, 3, mismatch_rate=0.0))
    with DemoServer(events, signer=signer, tamper=2) as server:
        yield server


@pytest.fixture
def client(server: DemoServer) -> Iterator[DataStorageClient]:
    with DataStorageClient(ClientSettings(server.url, max_tries=1)) as client:
        yield client


def test_an_export_page_separates_events_from_verdicts(
    client: DataStorageClient, server: DemoServer
) -> None:
    page = client.export_events(limit=10_000)
    assert len(page.events) == 120 and len(page.verdicts) == 120
    assert all("hash_chain_valid" not in event for event in page.events)
    # the export's "" for a chain's first event is the events endpoint's null
    starts = [e for e in page.events if e["previous_event_hash"] is None]
    assert starts and not [e for e in page.events if e["previous_event_hash"] == ""]
    assert len(starts) == len({e["correlation_id"] for e in server.events})
    assert sorted(k for k, v in page.verdicts.items() if not v) == sorted(server.tampered)
    assert page.summary.broken == 2 and set(page.summary.tampered_ids or ()) == set(server.tampered)


def test_the_stand_in_answers_413_above_the_limit_and_the_client_says_why(
    server: DemoServer,
) -> None:
    answer = httpx.get(f"{server.url}/api/v1/audit/export", params={"limit": "10001"})
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"

    def too_large(request: httpx.Request) -> httpx.Response:
        return httpx.Response(413, json={"type": "x", "title": "Payload Too Large", "status": 413})

    settings = ClientSettings("http://ds.test", max_tries=1)
    with DataStorageClient(settings, transport=httpx.MockTransport(too_large)) as client:
        with pytest.raises(ClientError, match=r"^413 .*Too Large.*use a smaller page size"):
            client.export_events(limit=10_000)
        with pytest.raises(ClientError, match="between 1 and 10,000"):
            client.export_events(limit=10_001)  # never sent


def test_the_signature_covers_the_summary(client: DataStorageClient, signer: DemoSigner) -> None:
    page = client.export_events(limit=50)
    assert check_signature(page, signer.certificate) == signer.fingerprint
    altered = copy.deepcopy(page.chain)
    altered["broken_chain_events"] += 1
    forged = export_from_json(
        {"export_metadata": page.metadata, "events": [], "hash_chain_verification": altered}
    )
    with pytest.raises(ClientError, match="does not verify"):
        check_signature(forged, signer.certificate)


def test_signed_bytes_are_go_json_of_the_summary() -> None:
    metadata = {"export_timestamp": "2026-01-07T20:30:00.123456789Z", "total_events": 2}
    chain = {
        "valid_chain_events": 1,
        "broken_chain_events": 1,
        "verification_timestamp": "2026-01-07T20:30:00Z",
        "tampered_event_ids": ["a<b&c>"],
    }
    assert signed_bytes(metadata, chain) == (
        b'{"broken_chain_events":1,"export_timestamp":"2026-01-07T20:30:00.123456789Z",'
        b'"tampered_event_ids":["a\\u003cb\\u0026c\\u003e"],"total_events":2,'
        b'"valid_chain_events":1,"verification_timestamp":"2026-01-07T20:30:00Z"}'
    )
    del chain["tampered_event_ids"]
    assert b'"tampered_event_ids":null' in signed_bytes(metadata, chain)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "not a JSON object"),
        ({"events": {}, "export_metadata": {}, "hash_chain_verification": {}}, "no events array"),
        ({"events": [], "export_metadata": [], "hash_chain_verification": {}}, "export_metadata"),
        (
            {"events": [], "export_metadata": {"total_events": "1"}, "hash_chain_verification": {}},
            "is not an integer",
        ),
    ],
)
def test_a_malformed_export_is_one_clear_error(body: Any, message: str) -> None:
    with pytest.raises(ClientError, match=message):
        export_from_json(body)


def test_holds_and_reconstructions_are_checked() -> None:
    assert holds_from_json({"holds": None, "total": 0}) == []
    with pytest.raises(ClientError, match="no correlation_id"):
        holds_from_json({"holds": [{"reason": "x"}]})
    with pytest.raises(ClientError, match="remediation_request_yaml"):
        reconstruction_from_json({"validation": {}})
    with pytest.raises(ClientError, match="is_valid"):
        reconstruction_from_json({"remediation_request_yaml": "", "validation": {}})


def test_the_hold_filter_takes_yes_or_no() -> None:
    assert "legal_holds" in parse_filter("hold:yes").where
    assert parse_filter("-hold:no").where.startswith("NOT (NOT ")
    assert parse_filter("hold:yes,no").where == "TRUE"
    with pytest.raises(FilterError, match="hold takes yes or no"):
        parse_filter("hold:maybe")


def test_chain_evidence_puts_the_server_verdict_and_the_hold_together(tmp_path: Any) -> None:
    from datetime import UTC, datetime

    from explorer.core.evidence import chain_evidence, verdict_summary
    from explorer.store.cache import Cache
    from explorer.store.evidence import HoldRow, VerificationRun, replace_holds, save_run

    ids = ["e1", "e2", "e3"]
    with Cache.open(tmp_path / "c.duckdb", notify=lambda _: None) as db:
        cur = db.cursor()
        assert verdict_summary(chain_evidence(cur, "rr-1", ids)) == "never verified"
        assert not chain_evidence(cur, "rr-1", ids).hold.held
        run = VerificationRun(
            "run-1", "s", datetime.now(UTC), {}, 2, 1, 2, 1, 1, 50.0, ("e2",), None, None,
            False, None, None,
        )  # fmt: skip
        save_run(cur, run, {"e1": True, "e2": False})
        replace_holds(
            cur, "s", [HoldRow("rr-1", 3, "legal@acme.io", None, "case 7")], run.verified_at
        )
        found = chain_evidence(cur, "rr-1", ids)
    assert verdict_summary(found) == "1 tampered of 2, 1 not verified yet"
    assert found.tampered == ["e2"]
    assert found.hold.held and found.hold.reason == "case 7" and found.hold.listed


def test_a_401_from_the_export_names_the_user_header() -> None:
    def unauthorized(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"type": "x", "title": "Unauthorized", "status": 401})

    settings = ClientSettings("http://ds.test", max_tries=1)
    transport = httpx.MockTransport(unauthorized)
    with (
        DataStorageClient(settings, transport=transport) as client,
        pytest.raises(ClientError, match=r"X-Auth-Request-User.*pass --user"),
    ):
        client.export_events()


def test_windows_mark_the_events_under_legal_hold(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from explorer.core.browse import EventBrowser
    from explorer.ingest.importer import upsert
    from explorer.models.decode import decode
    from explorer.store.cache import Cache
    from explorer.store.evidence import HoldRow, replace_holds
    from tests.factories import event

    own = event(correlation_id="corr-own", legal_hold=True, legal_hold_reason="SOX")
    listed = event(correlation_id="corr-listed")
    free = event(correlation_id="corr-free")
    with Cache.open(tmp_path / "c.duckdb", notify=lambda _: None) as cache:
        upsert(cache, [decode(e) for e in (own, listed, free)], source="s")
        cur = cache.cursor()
        seen = datetime(2026, 11, 20, tzinfo=UTC)
        replace_holds(cur, "s", [HoldRow("corr-listed", 1, "auditor", None, "case 9")], seen)
        rows = EventBrowser().window(cur, 0, 10).rows
        marked = {row.correlation_id: row.hold for row in rows}
        assert marked == {"corr-own": True, "corr-listed": True, "corr-free": False}
        first = EventBrowser().first_window(cur, 10, slice_from=0).rows
        assert {row.correlation_id for row in first if row.hold} == {"corr-own", "corr-listed"}
