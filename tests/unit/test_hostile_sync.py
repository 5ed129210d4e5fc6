"""Hostile events arriving by sync: each is stored or counted as rejected, paging survives
the edges of time (year 1, year 9999), and the sync completes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from explorer.client.datastorage import ClientSettings, DataStorageClient, EventFilters
from explorer.demo.server import DemoServer
from explorer.ingest.sync import SyncResult, run_sync
from explorer.store.cache import Cache
from tests.factories import TIMESTAMP, event
from tests.hostile import servable_events


def _sync(path: Path, events: list[dict[str, Any]], page_size: int) -> tuple[SyncResult, set[str]]:
    with (
        DemoServer(events) as server,
        Cache.open(path, notify=lambda _: None) as cache,
        DataStorageClient(ClientSettings(server.url), sleep=lambda _: None) as client,
    ):
        result = run_sync(cache, client, EventFilters(), source="hostile", page_size=page_size)
        stored = {r[0] for r in cache.connection.execute("SELECT event_id FROM events").fetchall()}
    return result, stored


def test_the_corpus_by_sync_is_stored_or_counted(tmp_path: Path) -> None:
    events = servable_events()
    result, stored = _sync(tmp_path / "c.duckdb", events, page_size=3)
    assert result.complete, result.stopped
    assert result.fetched == len(events)
    assert result.new + result.updated + result.rejected == result.fetched
    with_ids = {e["event_id"] for e in events if isinstance(e.get("event_id"), str)}
    assert stored <= with_ids and len(with_ids - stored) <= result.rejected
    assert "s-\ud800" not in stored  # a lone surrogate id cannot be stored: counted


def test_paging_through_year_1(tmp_path: Path) -> None:
    stamps = ["2026-11-20T10:00:00Z", "0001-01-01T00:00:01Z"] + ["0001-01-01T00:00:00Z"] * 3
    events = [event(event_timestamp=stamp) for stamp in stamps]
    result, stored = _sync(tmp_path / "year-1.duckdb", events, page_size=2)
    assert result.complete, result.stopped  # the cursor is sent as 0001-..., not 1-...
    assert stored == {e["event_id"] for e in events}


def test_paging_through_the_last_microsecond_of_year_9999(tmp_path: Path) -> None:
    stamps = ["9999-12-31T23:59:59.999999Z"] * 3 + ["2026-11-20T10:00:00Z"]
    events = [event(event_timestamp=stamp) for stamp in stamps]
    result, stored = _sync(tmp_path / "year-9999.duckdb", events, page_size=2)
    assert result.complete, result.stopped
    assert stored == {e["event_id"] for e in events}


def test_a_future_dated_event_does_not_hide_later_events(tmp_path: Path) -> None:
    events = [event(event_timestamp="2400-01-01T00:00:00Z"), event(event_timestamp=TIMESTAMP)]
    newer = event(event_timestamp="2026-11-21T10:00:00Z")
    with (
        DemoServer(events) as server,
        Cache.open(tmp_path / "future.duckdb", notify=lambda _: None) as cache,
    ):
        for added in ([newer], []):
            with DataStorageClient(ClientSettings(server.url), sleep=lambda _: None) as client:
                result = run_sync(cache, client, EventFilters(), source="h", page_size=10)
            assert result.complete
            server.add_events(added)
        assert cache.count() == 3, "the event that arrived between the syncs is missing"
