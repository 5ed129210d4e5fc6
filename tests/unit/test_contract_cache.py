"""One cache, one contract: what it records, refuses, re-decodes, and how fits are kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from explorer.core.browse import as_received, fetch_event
from explorer.core.filters import parse_filter
from explorer.core.redecode import redecode
from explorer.core.stats import fits_sentence, fits_verdict, mismatch_summary
from explorer.errors import StoreError
from explorer.ingest.importer import upsert
from explorer.models import Status, decode, load_contract
from explorer.store import cache as cache_module
from explorer.store.cache import Cache
from tests.factories import event

V157 = "v1.5.7"
# event_id is a UUID in the contract: readable names for a few.
IDS = {
    "ok-1": "00000000-0000-4000-8000-000000000001",
    "lost-1": "00000000-0000-4000-8000-000000000002",
    "b": "00000000-0000-4000-8000-000000000003",
    "e1": "00000000-0000-4000-8000-000000000004",
}
NAMES = {uuid: name for name, uuid in IDS.items()}


def session_lost(**envelope: Any) -> dict[str, Any]:
    """An event a v1.5.7 cluster sends and main retired."""
    lost = "aianalysis.aiagent.session_lost"
    raw = event("aianalysis.aiagent.call", **envelope)
    raw["event_type"] = lost
    raw["event_data"] = {
        "event_type": lost,
        "endpoint": "/api/v1/incident/session/abc",
        "http_status_code": 404,
        "duration_ms": 120,
    }
    return raw


def older_cluster(**envelope: Any) -> dict[str, Any]:
    raw = event("gateway.signal.received", **envelope)
    raw.pop("cluster_id", None)
    raw["cluster_name"] = "prod-east"
    return raw


def store(path: Path, events: list[dict[str, Any]], contract: str | None = None) -> None:
    with Cache.open(path, contract=contract) as cache:
        models = load_contract(cache.contract)
        upsert(cache, [decode(raw, contract=models) for raw in events], source="t")


def rows(path: Path, sql: str, params: list[Any] | None = None) -> list[Any]:
    with Cache.open(path, read_only=True) as cache:
        return cache.connection.execute(sql, params).fetchall()


def test_a_new_cache_records_its_contract_and_refuses_another(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    store(path, [event()], contract=V157)
    assert rows(path, "SELECT value FROM meta WHERE key = 'contract'") == [(V157,)]
    with pytest.raises(StoreError, match=r"decoded against contract v1\.5\.7, not main.*redecode"):
        Cache.open(path, contract="main")
    with pytest.raises(StoreError, match="redecode --contract main"):
        Cache.open(path, read_only=True, contract="main")
    with Cache.open(path) as cache:  # no contract asked: the cache's own
        assert cache.contract == V157


def test_an_empty_cache_takes_the_contract_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    Cache.open(path).close()
    with Cache.open(path, contract=V157) as cache:
        assert cache.contract == V157


def test_an_unknown_contract_fails_before_any_file_is_made(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    with pytest.raises(Exception, match="unknown contract 'v9'"):
        Cache.open(path, contract="v9")
    assert not path.exists()


def test_non_ok_events_store_their_fits_and_ok_events_none(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    bad = event()
    bad["event_data"] = "not an object"
    store(
        path,
        [
            event(event_id=IDS["ok-1"]),
            session_lost(event_id=IDS["lost-1"]),
            dict(bad, event_id=IDS["b"]),
        ],
    )
    found = {NAMES[k]: v for k, v in rows(path, "SELECT event_id, decode_fits FROM events")}
    assert found["ok-1"] is None
    lost = json.loads(found["lost-1"])
    assert "v1.5.7" in lost["ok"] and "main" not in lost["ok"] + lost["drift"]
    assert json.loads(found["b"]) == {"ok": [], "drift": []}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("fits:none", {"b"}),
        ("fits:v1.5.7", {"lost-1"}),
        ("fits:v1.5*", {"lost-1"}),
        ("fits:main", {"ok-1"}),  # an ok event fits the cache's own contract
        ("fits:any", {"ok-1", "lost-1"}),
        ("-fits:none", {"ok-1", "lost-1"}),
        ("fits:none,v1.5.7", {"b", "lost-1"}),
    ],
)
def test_the_fits_filter(tmp_path: Path, expr: str, expected: set[str]) -> None:
    path = tmp_path / "c.duckdb"
    bad = event(event_id=IDS["b"])
    bad["event_data"] = 5
    store(path, [event(event_id=IDS["ok-1"]), session_lost(event_id=IDS["lost-1"]), bad])
    flt = parse_filter(expr)
    found = rows(path, f"SELECT event_id FROM events WHERE {flt.where}", flt.params)
    assert {NAMES[r[0]] for r in found} == expected


def test_an_unknown_contract_in_fits_is_a_filter_error_with_a_hint() -> None:
    with pytest.raises(Exception, match=r"unknown contract 'v1\.5' \(did you mean v1\.5\.7\?\)"):
        parse_filter("fits:v1.5")


def test_cluster_name_fills_cluster_id_and_reads_back_as_received(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    raw = older_cluster(event_id=IDS["e1"])
    store(path, [raw], contract=V157)
    assert rows(path, "SELECT cluster_id, extra FROM events") == [
        ("prod-east", '{"cluster_name":"prod-east"}')
    ]
    flt = parse_filter("cluster:prod-east")
    assert rows(path, f"SELECT count(*) FROM events WHERE {flt.where}", flt.params) == [(1,)]
    with Cache.open(path, read_only=True) as cache:
        record = fetch_event(cache.connection.cursor(), IDS["e1"])
    assert record is not None
    assert "cluster_id" not in record.raw and record.raw["cluster_name"] == "prod-east"
    assert record.decoded.status is Status.OK and record.contract == V157


def test_redecode_changes_statuses_only_and_can_go_back(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    events = [event(), session_lost(), older_cluster(), event("aiagent.rca.complete")]
    store(path, events, contract=V157)
    every = "SELECT * EXCLUDE (decode_status, decode_issues, decode_fits) FROM events ORDER BY 1"
    before = rows(path, every)
    statuses = "SELECT event_type, decode_status FROM events ORDER BY 1"
    under_157 = rows(path, statuses)
    with Cache.open(path) as cache:
        result = redecode(cache, "main")
        assert cache.contract == "main"
    assert result.events == 4 and result.before == V157 and result.after == "main"
    assert dict(rows(path, statuses))["aianalysis.aiagent.session_lost"] == "unknown_type"
    assert result.changed >= 1
    assert rows(path, every) == before  # the events as received are untouched
    assert rows(path, "SELECT value FROM meta WHERE key = 'contract'") == [("main",)]
    with Cache.open(path) as cache:
        back = redecode(cache, V157)
    assert rows(path, statuses) == under_157 and back.changed == result.changed


def test_redecode_against_the_same_contract_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    bad = event()
    bad["event_data"]["extra_field"] = 1
    store(path, [event(), session_lost(), bad, older_cluster()])
    every = "SELECT * FROM events ORDER BY event_id"
    before = rows(path, every)
    with Cache.open(path) as cache:
        assert redecode(cache, "main").changed == 0
    assert rows(path, every) == before


def test_an_interrupted_redecode_leaves_the_cache_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.duckdb"
    store(path, [event(), session_lost()], contract=V157)
    before = rows(path, "SELECT * FROM events ORDER BY event_id")
    real = cache_module._set_meta

    def fail(con: Any, key: str, value: str) -> None:
        if key == "contract":
            raise duckdb.IOException("disk full")
        real(con, key, value)

    monkeypatch.setattr(cache_module, "_set_meta", fail)
    with Cache.open(path) as cache, pytest.raises(StoreError, match="disk full"):
        redecode(cache, "main")
    monkeypatch.undo()
    assert rows(path, "SELECT * FROM events ORDER BY event_id") == before
    assert rows(path, "SELECT value FROM meta WHERE key = 'contract'") == [(V157,)]


def test_typed_views_follow_the_contract(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    store(path, [session_lost()], contract=V157)
    view = "payload_ai_agent_session_lost"  # only v1.5.7 maps session_lost to its own schema
    names = {
        r[0]
        for r in rows(path, "SELECT view_name FROM duckdb_views() WHERE NOT internal")
        if r[0].startswith("payload_")
    }
    v157 = {view for view in names}
    with Cache.open(path) as cache:
        redecode(cache, "main")
    names_main = {
        r[0]
        for r in rows(path, "SELECT view_name FROM duckdb_views() WHERE NOT internal")
        if r[0].startswith("payload_")
    }
    assert v157 != names_main
    assert len(names_main) == len(load_contract("main").payload_schemas)
    assert len(v157) == len(load_contract(V157).payload_schemas)
    del view


def test_a_v1_cache_is_migrated_and_says_to_redecode(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    store(path, [event()])
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE events DROP COLUMN decode_fits")
    con.execute("DELETE FROM meta WHERE key = 'contract'")
    con.execute("DROP TABLE event_conflicts")  # v3
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    notices: list[str] = []
    with Cache.open(path, notify=notices.append) as cache:
        assert cache.contract == "main"
        assert cache.count() == 1
    assert "from schema v1 to v3" in notices[0] and "audit-explorer redecode" in notices[0]
    assert rows(path, "SELECT decode_fits FROM events") == [(None,)]


def test_mismatch_verdicts_separate_skew_from_bugs(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    bad = event()
    bad["event_data"] = [1]
    drift = event()
    drift["event_data"]["zz_undeclared"] = 1
    store(path, [session_lost(), bad, drift, event()])
    with Cache.open(path, read_only=True) as cache:
        found = {
            (r.event_type, r.status): r.verdict(cache.contract)
            for r in mismatch_summary(cache.cursor())
        }
    assert found == {
        ("aianalysis.aiagent.session_lost", "unknown_type"): "version skew",
        ("gateway.signal.received", "invalid"): "no contract",
        ("gateway.signal.received", "drift"): "drift",
    }


@pytest.mark.parametrize(
    ("status", "fits", "verdict", "words", "ok"),
    [
        ("unknown_type", ("v1.5.7",), "version skew", "Does not fit main, but fits v1.5.7", ()),
        ("invalid", (), "no contract", "a producer bug", ()),
        ("drift", ("main",), "drift", "(drift)", ()),
        ("drift", ("v1.5.7", "main"), "drift", "also fits v1.5.7", ()),
        # a v1.5.7 cluster_name: drift under main, ok under v1.5.7
        ("drift", ("v1.5.7", "main"), "version skew", "ok under v1.5.7", ("v1.5.7",)),
        ("ok", None, "ok", "Fits main.", None),
    ],
)
def test_fits_in_words(status: str, fits: Any, verdict: str, words: str, ok: Any) -> None:
    assert fits_verdict(status, fits, "main", ok) == verdict
    assert words in fits_sentence(status, fits, "main", ok)


def test_as_received_keeps_a_real_cluster_id_beside_an_extra_cluster_name() -> None:
    row = {"event_id": "e", "cluster_id": "a", "extra": {"cluster_name": "b"}, "event_data": {}}
    assert as_received(row) == {
        "event_id": "e",
        "cluster_id": "a",
        "cluster_name": "b",
        "event_data": {},
    }


def test_an_undeclared_property_of_a_closed_object_is_invalid_not_drift() -> None:
    raw = event("aiagent.rca.complete")
    data = raw["event_data"]
    rca = next(v for v in data.values() if isinstance(v, dict) and "rootCauseAnalysis" in v)
    rca["rootCauseAnalysis"]["confidenceNote"] = "x"  # additionalProperties: false
    decoded = decode(raw)
    assert decoded.status is Status.INVALID
    [issue] = decoded.issues
    assert issue.kind == "unexpected_field" and issue.path.endswith(
        "rootCauseAnalysis.confidenceNote"
    )
    assert "allows no additional properties" in issue.message
    rca["rootCauseAnalysis"].pop("confidenceNote")
    rca["rootCauseAnalysis"]["summary"] = "ok"
    assert decode(raw).status is Status.OK
    rca["rootCauseAnalysis"].pop("summary")  # required since the contract has it
    missing = decode(raw)
    assert missing.status is Status.INVALID
    assert [i.path.rsplit(".", 1)[-1] for i in missing.issues] == ["summary"]


def test_a_repeated_key_stays_invalid_through_redecode_and_the_detail(tmp_path: Path) -> None:
    """The cache keeps one value per key: the finding from the text as received stays."""
    from explorer.client.files import EventReader
    from explorer.ingest.importer import import_records

    path = tmp_path / "c.duckdb"
    raw = event(event_id=IDS["e1"])
    text = json.dumps(raw)
    doubled = text[:-1] + ', "namespace": "first", "namespace": "second"}'
    source = tmp_path / "e.ndjson"
    source.write_text(doubled + "\n", encoding="utf-8")
    with Cache.open(path) as cache:
        import_records(cache, EventReader(str(source)), source="t")
    status = "SELECT decode_status FROM events"
    assert rows(path, status) == [("invalid",)]
    with Cache.open(path) as cache:
        redecode(cache, V157)
        redecode(cache, "main")
    assert rows(path, status) == [("invalid",)]
    kinds = json.loads(rows(path, "SELECT decode_issues FROM events")[0][0])
    assert [k["kind"] for k in kinds] == ["duplicate_key"] and kinds[0]["path"] == "namespace"
    with Cache.open(path, read_only=True) as cache:
        record = fetch_event(cache.connection.cursor(), IDS["e1"])
    assert record is not None and record.decoded.status is Status.INVALID
    assert [i.kind for i in record.decoded.issues] == ["duplicate_key"]
