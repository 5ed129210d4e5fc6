"""Importing records and files: every input stored or reported, counts, input shapes."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from explorer.client.files import Record
from explorer.demo.generator import generate
from explorer.errors import InputError
from explorer.ingest import batch, importer
from explorer.ingest.batch import prepare
from explorer.ingest.importer import import_files, import_records
from explorer.store.cache import Cache
from tests.factories import event
from tests.hostile import corpus


@pytest.fixture
def cache(tmp_path: Path) -> Any:
    with Cache.open(tmp_path / "cache.duckdb") as opened:
        yield opened


def ndjson(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join(x if isinstance(x, str) else json.dumps(x) for x in lines))
    return path


def lines(*items: Any) -> list[str]:
    return [(x if isinstance(x, str) else json.dumps(x)) + "\n" for x in items]


def test_rejected_lines_are_reported_with_line_numbers(cache: Cache, tmp_path: Path) -> None:
    good = [event(), event()]
    path = ndjson(
        tmp_path / "in.ndjson",
        lines(
            good[0],
            "{not json",
            {"event_timestamp": "2026-11-20T10:00:00Z"},
            [1, 2],
            event(event_timestamp="later"),
            good[1],
        ),
    )
    result = import_files(cache, [path])
    assert (result.read, result.new, result.updated) == (6, 2, 0)
    assert result.rejected_count == 4
    assert [(r.locator, r.reason.split(" (")[0].split(":")[0]) for r in result.rejected] == [
        ("line 2", "not valid JSON"),
        ("line 3", "no event_id"),
        ("line 4", "not an event object"),
        ("line 5", "event_timestamp is string 'later', not an RFC 3339 date-time"),
    ]
    assert result.by_status == {"ok": 2}
    assert cache.count() == 2


def test_importing_twice_leaves_the_same_rows(cache: Cache, tmp_path: Path) -> None:
    path = ndjson(tmp_path / "in.ndjson", lines(*[event() for _ in range(20)]))
    first = import_files(cache, [path])
    snapshot = cache.connection.execute(
        "SELECT * EXCLUDE (fetched_at) FROM events ORDER BY event_id"
    ).fetchall()
    second = import_files(cache, [path])
    assert (first.new, first.updated) == (20, 0)
    assert (second.new, second.updated) == (0, 20)
    assert (
        cache.connection.execute(
            "SELECT * EXCLUDE (fetched_at) FROM events ORDER BY event_id"
        ).fetchall()
        == snapshot
    )


def test_every_status_is_stored(cache: Cache, tmp_path: Path) -> None:
    mismatch = event()
    del mismatch["event_data"]["event_type"]
    drift = event()
    drift["event_data"]["surprise"] = 1
    unknown = event(event_type="gateway.signal.received")
    unknown["event_type"] = "gateway.signal.teleported"
    invalid = event(event_outcome="maybe")
    path = ndjson(tmp_path / "in.ndjson", lines(event(), mismatch, drift, unknown, invalid))
    result = import_files(cache, [path])
    expected = {"ok": 1, "discriminator_mismatch": 1, "drift": 1, "unknown_type": 1, "invalid": 1}
    assert result.by_status == expected
    stored = cache.connection.execute(
        "SELECT decode_status, count(*) FROM events GROUP BY 1"
    ).fetchall()
    assert dict(stored) == expected


@pytest.mark.parametrize("shape", ["array", "page", "export"])
def test_json_documents_are_imported_with_item_locators(
    cache: Cache, tmp_path: Path, shape: str
) -> None:
    items = [event(), {"event_id": "x"}, event()]
    document: Any = {
        "array": items,
        "page": {"data": items, "pagination": {"limit": 3, "offset": 0, "has_more": False}},
        "export": {"events": items, "exported_at": "2026-11-20T10:00:00Z"},
    }[shape]
    path = tmp_path / f"{shape}.json"
    path.write_text(json.dumps(document, indent=2))
    result = import_files(cache, [path])
    assert (result.read, result.new) == (3, 2)
    assert [r.locator for r in result.rejected] == ["item 1"]


def test_source_defaults_to_the_file_name(cache: Cache, tmp_path: Path) -> None:
    a = ndjson(tmp_path / "a.ndjson", lines(event()))
    b = ndjson(tmp_path / "b.ndjson", lines(event(), "oops"))
    result = import_files(cache, [a, b])
    sources = cache.connection.execute("SELECT source FROM events ORDER BY source").fetchall()
    assert sources == [("a.ndjson",), ("b.ndjson",)]
    assert [r.locator for r in result.rejected] == [f"{b} line 2"]
    c = ndjson(tmp_path / "c.ndjson", lines(event()))
    import_files(cache, [a, c], source="staging")  # a's events are stored already: kept
    assert cache.connection.execute(
        "SELECT count(*) FROM events WHERE source = 'staging'"
    ).fetchall() == [(1,)]


def test_an_unreadable_file_stops_before_anything_is_written(cache: Cache, tmp_path: Path) -> None:
    good = ndjson(tmp_path / "good.ndjson", lines(event()))
    with pytest.raises(InputError, match=r"missing\.ndjson: no such file"):
        import_files(cache, [good, tmp_path / "missing.ndjson"])
    with pytest.raises(InputError, match="is a directory"):
        import_files(cache, [good, tmp_path])
    assert cache.count() == 0


def test_batches_and_progress(
    cache: Cache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_SIZE", 7)
    monkeypatch.setattr(importer, "_PROGRESS_EVERY", 5)
    seen: list[int] = []
    records = [Record(f"item {i}", None, event()) for i in range(23)]
    result = import_records(cache, records, source="s", progress=seen.append)
    assert (result.read, result.new) == (23, 23)
    assert seen == [5, 10, 15, 20, 23]
    assert result.elapsed > 0 and result.events_per_s > 0


def test_prepare_is_pure_and_picklable() -> None:
    records = [Record("line 1", 1, event()), Record("line 2", 2, error="not valid JSON: x")]
    fetched = datetime(2026, 11, 21, tzinfo=UTC)
    first = prepare(records, source="s", fetched_at=fetched)
    again = pickle.loads(pickle.dumps(first))
    assert again.rows.columns == first.rows.columns
    assert again.rejected == first.rejected == [batch.Rejected("line 2", "not valid JSON: x")]
    assert prepare(records, source="s", fetched_at=fetched).rows.columns == first.rows.columns


def test_rejected_details_are_capped_but_counted(
    cache: Cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch, "MAX_REJECTED", 3)
    records = [Record(f"line {i}", i, error="bad") for i in range(1, 11)]
    result = import_records(cache, records, source="s")
    assert result.rejected_count == 10 and len(result.rejected) == 3


def test_the_hostile_corpus_is_stored_or_reported_line_by_line(
    cache: Cache, tmp_path: Path
) -> None:
    entries = corpus()
    path = tmp_path / "hostile.ndjson"
    path.write_bytes(b"\n".join(line for _, line in entries) + b"\n")
    result = import_files(cache, [path])
    assert result.read == len(entries)
    assert result.new + result.updated + result.rejected_count == len(entries)
    rejected = {int(r.locator.split()[1]) for r in result.rejected}
    names = {name for index, (name, _) in enumerate(entries, 1) if index in rejected}
    for must_reject in ("line-is-array", "line-is-null", "event-id-missing", "event-id-number"):
        assert must_reject in names
    for name in ("timestamp-unparseable-time", "timestamp-time-is-a-number", "truncated"):
        assert name in names
    for must_store in ("timestamp-no-zone", "integers-beyond-64-bits", "nul-byte-escaped"):
        assert must_store not in names
    assert cache.count() == result.new
    big = cache.connection.execute(
        "SELECT extra, event_data FROM events WHERE extra LIKE '%duration_ms%'"
    ).fetchall()
    assert big and str(2**70) in big[0][0] and str(-(2**90)) in big[0][1]


def test_demo_events_are_stored_as_received(cache: Cache) -> None:
    items = list(generate(3_000, seed=11))
    records = [Record(f"item {i}", None, item.event) for i, item in enumerate(items)]
    result = import_records(cache, records, source="demo")
    ids = {item.event["event_id"] for item in items}
    assert result.rejected_count == 0
    assert (result.read, result.new, result.updated) == (3_000, len(ids), 3_000 - len(ids))
    stored = {
        event_id: (status, json.loads(data))
        for event_id, status, data in cache.connection.execute(
            "SELECT event_id, decode_status, event_data FROM events"
        ).fetchall()
    }
    for item in items:
        status, data = stored[item.event["event_id"]]
        assert data == item.event["event_data"]
        if item.injected is None:
            assert status == "ok", item.event["event_type"]
    assert sum(1 for status, _ in stored.values() if status != "ok") >= 1
    signals = cache.connection.execute(
        "SELECT signal_name, count(*) FROM payload_gateway_audit GROUP BY 1"
    ).fetchall()
    assert len(signals) > 1 and all(count > 0 for _, count in signals)
