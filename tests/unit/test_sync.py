"""Sync against the stand-in DataStorage over loopback, into a real DuckDB cache."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from explorer.client.datastorage import ClientSettings, DataStorageClient, EventFilters, Secret
from explorer.demo.server import DemoServer, Faults
from explorer.ingest.sync import SyncProgress, SyncResult, run_sync
from explorer.store.cache import Cache, load_watermark
from tests.factories import event
from tests.unit.test_demo_server import START, TYPES, make_events

TOKEN = "sync-token-5e1f0c"


@pytest.fixture
def events() -> list[dict[str, Any]]:
    return make_events(230, step=timedelta(seconds=-10))  # 38 minutes of history


@pytest.fixture
def server(events: list[dict[str, Any]]) -> Iterator[DemoServer]:
    with DemoServer(events, token=TOKEN) as server:
        yield server


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    cache = Cache.open(tmp_path / "cache.duckdb", notify=lambda _: None)
    yield cache
    cache.close()


def client_for(server: DemoServer, **settings: Any) -> DataStorageClient:
    settings.setdefault("token", Secret(TOKEN))
    return DataStorageClient(ClientSettings(server.url, **settings), sleep=lambda _: None)


def sync(
    cache: Cache, server: DemoServer, filters: EventFilters | None = None, **options: Any
) -> SyncResult:
    options.setdefault("page_size", 40)
    options.setdefault("source", "test")
    with client_for(server) as client:
        return run_sync(cache, client, filters or EventFilters(), **options)


def ids(cache: Cache, where: str = "TRUE") -> set[str]:
    return {
        r[0]
        for r in cache.connection.execute(f"SELECT event_id FROM events WHERE {where}").fetchall()
    }


def all_ids(events: list[dict[str, Any]]) -> set[str]:
    return {e["event_id"] for e in events}


def test_full_sync(cache: Cache, server: DemoServer, events: list[Any]) -> None:
    seen: list[SyncProgress] = []
    result = sync(cache, server, progress=seen.append)
    assert result.complete and result.stopped is None
    assert (result.fetched, result.new, result.updated, result.pages) == (230, 230, 0, 6)
    assert ids(cache) == all_ids(events)
    assert sum(result.by_status.values()) == 230 and result.by_status["drift"] == 230
    assert seen[0] == SyncProgress(40, 1, 230) and seen[-1].fetched == 230
    sources = cache.connection.execute("SELECT DISTINCT source FROM events").fetchall()
    assert sources == [("test",)]


def test_two_syncs_give_the_same_rows(cache: Cache, server: DemoServer) -> None:
    columns = "* EXCLUDE (fetched_at)"
    sync(cache, server)
    first = cache.connection.execute(f"SELECT {columns} FROM events ORDER BY event_id").fetchall()
    again = sync(cache, server, full=True)
    assert (again.new, again.updated, again.fetched) == (0, 230, 230)
    second = cache.connection.execute(f"SELECT {columns} FROM events ORDER BY event_id").fetchall()
    assert first == second


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        (EventFilters(event_type=TYPES[1]), lambda e: e["event_type"] == TYPES[1]),
        (EventFilters(event_category="analysis"), lambda e: e["event_category"] == "analysis"),
        (EventFilters(event_outcome="pending"), lambda e: e["event_outcome"] == "pending"),
        (EventFilters(severity="critical"), lambda e: e["severity"] == "critical"),
        (EventFilters(correlation_id="rr-1"), lambda e: e["correlation_id"] == "rr-1"),
        (
            EventFilters(detail_key="task_id", detail_value="task-7"),
            lambda e: e["event_data"]["task_id"] == "task-7",
        ),
        (
            EventFilters(since="2026-11-20T09:48:30Z", until="2026-11-20T09:55:10Z"),
            lambda e: "09:48:30" <= e["event_timestamp"][11:19] <= "09:55:10",
        ),
    ],
)
def test_every_filter(
    cache: Cache, server: DemoServer, events: list[Any], filters: Any, keep: Any
) -> None:
    expected = all_ids([e for e in events if keep(e)])
    result = sync(cache, server, filters, page_size=7)
    assert result.complete and expected and ids(cache) == expected
    sent = server.requests[-1].params
    assert {k: v for k, v in filters.params().items() if k != "until"}.items() <= sent.items()


def test_incremental_sync_asks_only_for_what_is_new(cache: Cache, server: DemoServer) -> None:
    first = sync(cache, server)
    newest = START
    assert first.watermark == newest
    assert load_watermark(cache, "test", EventFilters().key()) == newest
    server.add_events(make_events(12, start=START + timedelta(minutes=30), tag="later"))
    before = len(server.requests)
    second = sync(cache, server)
    asked = server.requests[before].params
    assert asked["since"] == "2026-11-20T09:50:00.000000Z"  # watermark - 10 min overlap
    assert second.complete and second.new == 12
    assert second.fetched < 230  # the overlap window only, not the history
    assert second.watermark == START + timedelta(minutes=30)
    assert len(ids(cache)) == 242


def test_watermark_is_per_filter_and_skipped_for_a_window(cache: Cache, server: DemoServer) -> None:
    sync(cache, server, EventFilters(severity="critical"))
    other = sync(cache, server, EventFilters(severity="info"))
    assert other.since is None
    window = sync(cache, server, EventFilters(until="2026-11-20T10:00:00Z"))
    assert window.since is None and window.complete
    keys = cache.connection.execute("SELECT filter_key FROM sync_state ORDER BY 1").fetchall()
    assert keys == [('{"severity":"critical"}',), ('{"severity":"info"}',)]


def test_nothing_lost_while_the_server_grows(cache: Cache, events: list[Any]) -> None:
    newer = make_events(60, start=START + timedelta(minutes=5), tag="newer")
    late = make_events(15, start=START - timedelta(seconds=150), tag="late")  # mid-history
    # exactly one page of newer events after page 1: an offset pager's page 2 would then be
    # page 1 again (and one that stops on a repeated page would lose the rest)
    growth = {1: newer[:25], 2: late, 3: newer[25:]}
    with DemoServer(events, token=TOKEN, faults=Faults(growth=growth)) as server:
        result = sync(cache, server, page_size=25)
    assert result.complete
    assert all_ids(events) <= ids(cache)
    # each later request is pinned below what the sync had already seen
    assert all("until" in r.params for r in server.requests[1:])


def test_many_events_at_one_timestamp(cache: Cache) -> None:
    same = make_events(95, step=timedelta(0), tag="tie")
    with DemoServer(same, token=TOKEN) as server:
        result = sync(cache, server, page_size=10)
    assert result.complete and ids(cache) == all_ids(same)
    assert result.pages <= 11


def test_server_dying_then_resume(cache: Cache, server: DemoServer, events: list[Any]) -> None:
    server.set_faults(Faults(die_after_pages=2))
    broken = sync(cache, server)
    assert not broken.complete and broken.stopped is not None
    assert "broke mid-answer" in broken.stopped
    assert broken.fetched == 80 and len(ids(cache)) == 80
    assert load_watermark(cache, "test", EventFilters().key()) is None
    server.set_faults(Faults())
    resumed = sync(cache, server)
    assert resumed.complete and ids(cache) == all_ids(events)
    assert resumed.new == 150


def test_ctrl_c_keeps_finished_pages(cache: Cache, server: DemoServer, events: list[Any]) -> None:
    def interrupt(progress: SyncProgress) -> None:
        if progress.pages == 3:
            raise KeyboardInterrupt

    stopped = sync(cache, server, progress=interrupt)
    assert stopped.stopped == "interrupted" and not stopped.complete
    assert len(ids(cache)) == 120
    assert sync(cache, server).complete and ids(cache) == all_ids(events)


def test_cancel_and_max_events(cache: Cache, server: DemoServer) -> None:
    calls = iter([False, False, True])
    cancelled = sync(cache, server, cancel=lambda: next(calls))
    assert cancelled.stopped == "cancelled" and cancelled.pages == 2
    capped = sync(cache, server, max_events=55, full=True)
    assert capped.fetched == 55 and not capped.complete
    assert capped.stopped is not None and "--max-events 55" in capped.stopped
    assert server.requests[-1].params["limit"] == "15"


def test_retries_are_counted(cache: Cache, server: DemoServer, events: list[Any]) -> None:
    server.set_faults(Faults(rate=0.4, kinds=("503", "429", "truncate", "504"), seed=7))
    result = sync(cache, server)
    assert result.complete and ids(cache) == all_ids(events)
    assert result.retries == sum(1 for r in server.requests if r.fault)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("500", "500 Internal Server Error: injected fault"),
        ("503", "503 Service Unavailable: injected fault"),
        ("429", "429 Too Many Requests: slow down"),
        ("html", "502 from a proxy (HTML page), not DataStorage"),
        ("truncate", "the connection broke mid-answer after 3 tries"),
        ("reset", "after 3 tries"),
        ("slow", "no answer within 0.3 s after 3 tries"),
        ("notjson", "the answer is not JSON"),
        ("badjson", "not valid JSON: truncated"),
        ("badshape", "data is a JSON object"),
    ],
)
def test_each_failure_after_a_good_page(
    cache: Cache, server: DemoServer, kind: Any, message: str
) -> None:
    script = dict.fromkeys(range(1, 10), kind)
    server.set_faults(Faults(script=script, slow_seconds=5.0))
    timeout = 0.3 if kind == "slow" else 30.0  # short only where the answer is meant to stall
    with client_for(server, max_tries=3, read_timeout=timeout) as client:
        result = run_sync(cache, client, EventFilters(), source="test", page_size=40)
    assert not result.complete and result.stopped is not None
    assert message in result.stopped
    assert result.fetched == 40 and len(ids(cache)) == 40
    assert load_watermark(cache, "test", EventFilters().key()) is None


def test_auth_failure_stops_with_one_line(cache: Cache, server: DemoServer) -> None:
    with DataStorageClient(
        ClientSettings(server.url, token=Secret("bad")), sleep=lambda _: None
    ) as c:
        result = run_sync(cache, c, EventFilters(), source="test")
    assert result.stopped is not None and result.stopped.startswith("401 Unauthorized")


@pytest.mark.parametrize("mode", ["same_page", "ignore_window", "negative_total"])
def test_nonsense_pagination_is_bounded(cache: Cache, server: DemoServer, mode: Any) -> None:
    server.set_faults(Faults(pagination=mode))
    result = sync(cache, server)
    assert not result.complete and result.stopped is not None
    assert result.pages <= 3
    assert load_watermark(cache, "test", EventFilters().key()) is None


@pytest.mark.parametrize("mode", ["has_more_forever", "ignore_offset"])
def test_pagination_quirks_the_time_cursor_survives(
    cache: Cache, server: DemoServer, events: list[Any], mode: Any
) -> None:
    server.set_faults(Faults(pagination=mode))
    result = sync(cache, server)
    assert result.complete and ids(cache) == all_ids(events)
    assert result.pages <= 8


def test_neighbours_a_microsecond_apart_are_not_a_repeat(cache: Cache) -> None:
    pair = make_events(2, step=timedelta(microseconds=-1), tag="pair")
    pair[1]["event_timestamp"] = "2026-11-20T09:59:59.999999Z"
    with DemoServer(pair, faults=Faults(pagination="has_more_forever")) as server:
        result = sync(cache, server, page_size=2)
    # page 2 (until = oldest + 1 us) holds only the older event again: a subset, not a repeat
    assert result.complete and ids(cache) == all_ids(pair) and result.pages == 3


def test_ignored_offset_with_ties_stops(cache: Cache) -> None:
    same = make_events(30, step=timedelta(0), tag="tie")
    with DemoServer(same, token=TOKEN, faults=Faults(pagination="ignore_offset")) as server:
        result = sync(cache, server, page_size=10)
    assert not result.complete and "same page" in (result.stopped or "")


def test_odd_events_are_counted_not_fatal(cache: Cache) -> None:
    odd = [
        event(event_timestamp="2026-11-20T10:00:00Z"),
        event(event_timestamp="2026-11-20T09:00:00Z") | {"event_type": "no.such.type"},
        {"event_type": "gateway.signal.received", "event_timestamp": "2026-11-20T08:00:00Z"},
    ]
    with DemoServer(odd, token=TOKEN) as server:
        result = sync(cache, server)
    assert result.complete and result.fetched == 3 and result.rejected == 1
    assert result.by_status == {"ok": 1, "unknown_type": 1}


def test_the_token_stays_out_of_the_cache(tmp_path: Path, server: DemoServer) -> None:
    path = tmp_path / "leak.duckdb"
    with Cache.open(path, notify=lambda _: None) as cache:
        result = sync(cache, server)
    assert TOKEN not in repr(result)
    assert TOKEN.encode() not in path.read_bytes()
    assert result.watermark is not None and result.watermark.tzinfo is not None


def test_since_after_the_watermark_wins(cache: Cache, server: DemoServer) -> None:
    recent = datetime.now(UTC) - timedelta(minutes=1)
    server.add_events(make_events(3, start=recent, tag="now"))
    sync(cache, server, EventFilters(since="1h"))
    again = sync(cache, server, EventFilters(since="1h"))
    assert again.since is not None and again.since != "1h"
    assert again.fetched == 3
