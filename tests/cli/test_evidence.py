"""``verify``, ``holds`` and ``reconstruct`` end to end, against the stand-in over loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from explorer.cli import main
from explorer.demo.evidence import DemoSigner
from explorer.demo.generator import demo_events
from explorer.demo.server import DemoServer
from explorer.store import evidence
from explorer.store.cache import Cache

TOKEN = "evidence-token-5c1e"
READER = "read-only-token-93ab"  # get/list, no `create`
EVENTS = 300


@pytest.fixture(scope="module")
def signer() -> DemoSigner:
    return DemoSigner.generate()


def events() -> list[dict[str, Any]]:
    return list(demo_events(EVENTS, 11, mismatch_rate=0.0))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {
        "AUDIT_EXPLORER_CONFIG": str(tmp_path / "config.toml"),
        "AUDIT_EXPLORER_CACHE": str(tmp_path / "cache.duckdb"),
        "AUDIT_EXPLORER_TOKEN": None,
        "AUDIT_EXPLORER_URL": None,
    }


def serve(signer: DemoSigner, tamper: int = 0) -> DemoServer:
    return DemoServer(events(), token=TOKEN, read_token=READER, signer=signer, tamper=tamper)


@pytest.fixture
def clean_server(signer: DemoSigner) -> Iterator[DemoServer]:
    with serve(signer) as server:
        yield server


def run(args: list[str], env: dict[str, str | None]) -> Result:
    return CliRunner().invoke(main, args, env=env)


def cache(env: dict[str, str | None]) -> Cache:
    return Cache.open(str(env["AUDIT_EXPLORER_CACHE"]), notify=lambda _: None)


def test_verify_without_tampering_stores_events_verdicts_and_the_run(
    clean_server: DemoServer, env: Any, signer: DemoSigner, tmp_path: Path
) -> None:
    cert = tmp_path / "ds.pem"
    cert.write_bytes(signer.cert_pem)
    args = ["verify", "--url", clean_server.url, "--token", TOKEN, "--page-size", "70"]
    result = run([*args, "--cert", str(cert)], env)
    assert result.exit_code == 0, result.stderr
    assert "no tampered events" in result.stdout
    assert f"verified: signed by {signer.fingerprint}" in result.stdout
    assert "(5 pages)" in result.stdout  # 300 events by 70: every page fetched
    with cache(env) as db:
        assert db.count() == EVENTS
        cur = db.cursor()
        [run_row] = evidence.runs(cur)
        assert (run_row.total_verified, run_row.broken_chain, run_row.pages) == (EVENTS, 0, 5)
        assert run_row.signature_checked and run_row.certificate_fingerprint == signer.fingerprint
        ids = [e["event_id"] for e in clean_server.events]
        verdicts = evidence.verdicts(cur, ids)
        assert len(verdicts) == EVENTS and all(v.hash_chain_valid for v in verdicts.values())
        # the verdict is not stored as a property of the event (it would be drift)
        assert cur.execute(
            "SELECT count(*) FROM events WHERE decode_status != 'ok'"
        ).fetchone() == (0,)


def test_verify_with_tampering_lists_them_and_exits_1(signer: DemoSigner, env: Any) -> None:
    with serve(signer, tamper=4) as server:
        result = run(["verify", "--url", server.url, "--token", TOKEN], env)
        tampered = server.tampered
    assert result.exit_code == 1
    assert "the server reports 4 tampered events" in result.stderr
    assert len(tampered) == 4 and all(event_id in result.stdout for event_id in tampered)
    with cache(env) as db:
        verdicts = evidence.verdicts(db.cursor(), tampered)
        assert {v.hash_chain_valid for v in verdicts.values()} == {False}
        assert set(evidence.runs(db.cursor())[0].tampered_ids) == set(tampered)


def test_verify_of_one_correlation(clean_server: DemoServer, env: Any) -> None:
    correlation = clean_server.events[0]["correlation_id"]
    expected = sum(1 for e in clean_server.events if e["correlation_id"] == correlation)
    result = run(["verify", correlation, "--url", clean_server.url, "--token", TOKEN], env)
    assert result.exit_code == 0, result.stderr
    assert f"correlation_id={correlation}" in result.stdout
    with cache(env) as db:
        assert db.count() == expected


def test_verify_with_the_wrong_certificate_fails(
    clean_server: DemoServer, env: Any, tmp_path: Path
) -> None:
    other = DemoSigner.generate()
    cert = tmp_path / "other.pem"
    cert.write_bytes(other.cert_pem)
    args = ["verify", "--url", clean_server.url, "--token", TOKEN, "--cert", str(cert)]
    result = run(args, env)
    assert result.exit_code == 1
    assert "signed by certificate" in result.stderr and other.fingerprint in result.stderr
    assert "Traceback" not in result.stderr


def test_verify_with_a_certificate_of_the_same_name_but_another_key_fails(
    signer: DemoSigner, env: Any, tmp_path: Path
) -> None:
    """The server claims the right fingerprint but signs with another key: the signature
    itself must be checked, not only the fingerprint."""
    impostor = DemoSigner(DemoSigner.generate().key, signer.certificate)
    cert = tmp_path / "ds.pem"
    cert.write_bytes(signer.cert_pem)
    with DemoServer(events(), token=TOKEN, signer=impostor) as server:
        args = ["verify", "--url", server.url, "--token", TOKEN, "--cert", str(cert)]
        result = run(args, env)
    assert result.exit_code == 1
    assert "signature does not verify" in result.stderr


def test_verify_reads_a_certificate_file_that_is_not_one(
    clean_server: DemoServer, env: Any, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    result = run(["verify", "--url", clean_server.url, "--cert", str(bad)], env)
    assert result.exit_code == 2
    assert "not a PEM certificate" in result.stderr


def test_holds_lists_stores_and_filters(clean_server: DemoServer, env: Any) -> None:
    correlation = clean_server.events[5]["correlation_id"]
    clean_server.placed_holds[correlation] = {
        "correlation_id": correlation,
        "placed_by": "legal@acme.io",
        "placed_at": "2026-11-20T10:00:00Z",
        "reason": "case 42",
    }
    assert run(["sync", "--url", clean_server.url, "--token", TOKEN], env).exit_code == 0
    result = run(["holds", "--url", clean_server.url, "--token", READER], env)
    assert result.exit_code == 0, result.stderr
    assert "1 active legal hold\n" in result.stdout and "case 42" in result.stdout
    held = sum(1 for e in clean_server.events if e["correlation_id"] == correlation)
    listed = run(["events", "hold:yes", "--format", "ndjson"], env)
    assert listed.exit_code == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == held
    others = run(["events", "hold:no", "--format", "ndjson"], env)
    assert len(others.stdout.splitlines()) == EVENTS - held
    with cache(env) as db:
        hold = evidence.hold_of(db.cursor(), event_id=clean_server.events[5]["event_id"])
    assert hold.held and hold.reason == "case 42" and hold.placed_by == "legal@acme.io"


def test_sync_reads_the_hold_list(clean_server: DemoServer, env: Any) -> None:
    correlation = clean_server.events[0]["correlation_id"]
    clean_server.placed_holds[correlation] = {"correlation_id": correlation, "reason": "r"}
    result = run(["sync", "--url", clean_server.url, "--token", TOKEN], env)
    assert result.exit_code == 0, result.stderr
    assert "legal holds: 1 active" in result.stdout
    with cache(env) as db:
        assert evidence.hold_of(db.cursor(), correlation_id=correlation).held


def gateway_correlation(server: DemoServer) -> str:
    return next(
        e["correlation_id"] for e in server.events if e["event_type"] == "gateway.signal.received"
    )


def test_reconstruct_prints_the_request_and_its_completeness(
    clean_server: DemoServer, env: Any
) -> None:
    correlation = gateway_correlation(clean_server)
    result = run(["reconstruct", correlation, "--url", clean_server.url, "--token", TOKEN], env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("apiVersion: remediation.kubernaut.ai/v1alpha1\n")
    assert f'kubernaut.ai/correlation-id: "{correlation}"' in result.stdout
    assert "completeness " in result.stderr and "% (valid)" in result.stderr


def test_reconstruct_with_a_token_without_create_explains_the_403(
    clean_server: DemoServer, env: Any
) -> None:
    correlation = gateway_correlation(clean_server)
    result = run(["reconstruct", correlation, "--url", clean_server.url, "--token", READER], env)
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("audit-explorer: 403 Forbidden")
    assert "`create` verb on the DataStorage service" in line
    assert "Traceback" not in result.stderr and READER not in result.stderr


def test_reconstruct_of_an_unknown_correlation_is_one_line(
    clean_server: DemoServer, env: Any
) -> None:
    result = run(["reconstruct", "nope", "--url", clean_server.url, "--token", TOKEN], env)
    assert result.exit_code == 1
    assert "404" in result.stderr and "No audit events found" in result.stderr


def test_importing_a_saved_export_keeps_its_verdicts(
    signer: DemoSigner, env: Any, tmp_path: Path
) -> None:
    import httpx

    with serve(signer, tamper=2) as server:
        saved = httpx.get(
            f"{server.url}/api/v1/audit/export",
            params={"limit": "10000"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        tampered = server.tampered
    path = tmp_path / "export.json"
    path.write_bytes(saved.content)
    result = run(["import", str(path)], env)
    assert result.exit_code == 0, result.stderr
    with cache(env) as db:
        cur = db.cursor()
        assert db.count() == EVENTS
        [imported] = evidence.runs(cur)
        assert imported.broken_chain == 2 and set(imported.tampered_ids) == set(tampered)
        verdicts = evidence.verdicts(cur, [e["event_id"] for e in server.events])
        assert sorted(k for k, v in verdicts.items() if not v.hash_chain_valid) == sorted(tampered)
        assert cur.execute(
            "SELECT count(*) FROM events WHERE decode_status != 'ok'"
        ).fetchone() == (0,)


def test_verify_compares_the_export_projection_with_the_cached_events(
    clean_server: DemoServer, env: Any
) -> None:
    # The export carries a projection of each event (no actor, resource...): that is not a
    # change. A value the server now gives otherwise is, and is kept as a conflict.
    args = ["verify", "--url", clean_server.url, "--token", TOKEN]
    first = run(args, env)
    assert first.exit_code == 0, first.stderr
    assert "differ from cache            0" in first.stdout
    assert f"same as cached    {EVENTS:>12,}" in first.stdout
    changed = clean_server.events[7]
    changed["event_outcome"] = "success" if changed.get("event_outcome") != "success" else "failure"
    changed["event_data"] = {**changed["event_data"], "injected": 1}
    second = run(args, env)
    assert second.exit_code == 0, second.stderr
    assert "differ from cache            1" in second.stdout
    with cache(env) as db:
        cur = db.cursor()
        kept = cur.execute("SELECT event_id, paths FROM event_conflicts").fetchall()
        stored = cur.execute(
            "SELECT event_outcome FROM events WHERE event_id = ?", [changed["event_id"]]
        ).fetchone()
    assert kept == [(changed["event_id"], ["event_data.injected", "event_outcome"])]
    assert stored is not None and stored[0] != changed["event_outcome"]  # never applied


def test_the_cli_timeline_marks_the_steps_the_server_judged_tampered(
    signer: DemoSigner, env: Any
) -> None:
    with serve(signer, tamper=3) as server:
        assert run(["verify", "--url", server.url, "--token", TOKEN], env).exit_code == 1
        tampered = set(server.tampered)
        by_id = {e["event_id"]: e for e in server.events}
    correlation = by_id[sorted(tampered)[0]]["correlation_id"]
    shown = run(["timeline", correlation, "--format", "table"], env)
    assert shown.exit_code == 0, shown.stderr
    assert "server:" in shown.stdout.splitlines()[0] and "tampered of" in shown.stdout
    marked = [line for line in shown.stdout.splitlines() if "TAMPERED (server)" in line]
    mine = [i for i in tampered if by_id[i]["correlation_id"] == correlation]
    assert len(marked) == len(mine) >= 1
    as_json = run(["timeline", correlation, "--format", "json"], env)
    steps = json.loads(as_json.stdout)["steps"]
    assert {s["event_id"] for s in steps if s["server_chain_valid"] is False} == set(mine)


def test_importing_a_saved_export_after_a_sync_compares_instead_of_storing(
    clean_server: DemoServer, env: Any, tmp_path: Path
) -> None:
    import httpx

    assert run(["sync", "--url", clean_server.url, "--token", TOKEN], env).exit_code == 0
    saved = httpx.get(
        f"{clean_server.url}/api/v1/audit/export",
        params={"limit": "10000"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    ).json()
    changed = saved["events"][3]
    changed["event_outcome"] = "failure" if changed["event_outcome"] != "failure" else "success"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(saved))
    result = run(["import", str(path)], env)
    assert result.exit_code == 0, result.stderr
    with cache(env) as db:
        cur = db.cursor()
        assert db.count() == EVENTS
        # the projection of the 299 others is no change; the edited outcome is
        kept = cur.execute("SELECT event_id, paths FROM event_conflicts").fetchall()
        assert kept == [(changed["event_id"], ["event_outcome"])]
        assert len(evidence.runs(cur)) == 1
