"""The performance paths give exactly what the plain paths give.

Parallel import and sync (worker processes), grouped writes that try a plain INSERT
first, and bounded window scans only run on big inputs; here their thresholds are
lowered so that small inputs take them, and the results are compared with the plain way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from explorer.client.datastorage import ClientSettings, DataStorageClient, EventFilters
from explorer.client.files import Record, parse_line
from explorer.core.browse import EventBrowser
from explorer.demo.generator import demo_events
from explorer.demo.server import DemoServer
from explorer.ingest import importer, lanes, ndjson, sync
from explorer.ingest.batch import ImportResult, prepare
from explorer.ingest.importer import import_files
from explorer.ingest.sync import SyncResult, run_sync
from explorer.store import cache as cache_module
from explorer.store import reads
from explorer.store.cache import Cache
from tests.factories import event
from tests.tui.sample import synthetic

_COLUMNS = "* EXCLUDE (fetched_at)"


def rows(cache: Cache) -> list[tuple[Any, ...]]:
    sql = f"SELECT {_COLUMNS} FROM events ORDER BY event_id"
    return cache.connection.execute(sql).fetchall()


def summary(result: ImportResult | SyncResult) -> tuple[Any, ...]:
    rejected = getattr(result, "rejected", None)
    reasons = [(r.locator, r.reason) for r in rejected] if isinstance(rejected, list) else rejected
    return (result.new, result.updated, dict(result.by_status), reasons)


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every input is big enough for the fast paths; batches are tiny."""
    monkeypatch.setattr(ndjson, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(ndjson, "BLOCK", 2000)
    monkeypatch.setattr(importer, "BATCH_SIZE", 7)
    monkeypatch.setattr(sync, "PARALLEL_EVENTS", 0)
    monkeypatch.setattr(sync, "BATCH_SIZE", 25)


@pytest.fixture
def caches(tmp_path: Path) -> Iterator[tuple[Cache, Cache]]:
    plain = Cache.open(tmp_path / "plain.duckdb", notify=lambda _: None)
    quick = Cache.open(tmp_path / "fast.duckdb", notify=lambda _: None)
    yield plain, quick
    plain.close()
    quick.close()


def awkward_ndjson(path: Path) -> Path:
    """Blank lines, a BOM, bad lines, a duplicate id across batches, a big integer."""
    good = [event(event_id=f"e{i:02}") for i in range(30)]
    lines = [json.dumps(e) for e in good]
    lines[0] = "\ufeff" + lines[0]
    lines[5] = ""
    lines[9] = "{not json"
    lines[12] = "[1, 2]"
    lines[20] = json.dumps(event(event_id="e03", duration_ms=10**30))
    lines[25] = "   "
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_parallel_import_stores_what_the_plain_import_stores(
    caches: tuple[Cache, Cache], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = awkward_ndjson(tmp_path / "in.ndjson")
    plain, quick = caches
    monkeypatch.setattr(importer, "BATCH_SIZE", 7)
    expected = import_files(plain, [path])
    monkeypatch.setattr(ndjson, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(ndjson, "BLOCK", 2000)
    ran: list[bool] = []
    real_run = ndjson._run

    def spy(*args: Any, **kwargs: Any) -> None:
        ran.append(True)
        real_run(*args, **kwargs)

    monkeypatch.setattr(ndjson, "_run", spy)
    got = import_files(quick, [path])
    assert ran == [True]
    assert summary(got) == summary(expected) and got.read == expected.read == 28
    assert rows(quick) == rows(plain)
    again = import_files(quick, [path])  # every id stored: the careful write path
    assert (again.new, again.updated) == (0, expected.new + expected.updated)
    assert rows(quick) == rows(plain)


def test_a_json_array_is_left_to_the_reader(tmp_path: Path, fast: None) -> None:
    path = tmp_path / "array.json"
    path.write_text(json.dumps([event(), event()]))
    with Cache.open(tmp_path / "c.duckdb") as cache:
        assert not ndjson.import_ndjson(
            cache, path, source="s", progress=None, prefix="", result=ImportResult()
        )
        assert import_files(cache, [path]).new == 2


def test_validating_the_line_is_validating_the_value() -> None:
    lines = [json.dumps(e).encode() for e in demo_events(300, seed=3)]
    records = [parse_line(i + 1, line) for i, line in enumerate(lines)]
    fetched = datetime(2026, 11, 21, tzinfo=UTC)
    plain = prepare(records, source="s", fetched_at=fetched)
    texts = [lanes.exact_text(r, line) for r, line in zip(records, lines, strict=True)]
    assert all(texts)
    quick = prepare(records, source="s", fetched_at=fetched, texts=texts)
    assert quick.rows.columns == plain.rows.columns


def sync_into(cache: Cache, server: DemoServer) -> SyncResult:
    with DataStorageClient(ClientSettings(url=server.url)) as client:
        return run_sync(cache, client, EventFilters(), source="s", page_size=10)


def test_parallel_sync_stores_what_the_plain_sync_stores(
    caches: tuple[Cache, Cache], monkeypatch: pytest.MonkeyPatch
) -> None:
    events = list(demo_events(120, seed=5))
    events.append({**events[3], "event_data": "not an object"})  # the same id again
    events.append({"event_id": "no-time"})  # rejected
    plain, quick = caches
    with DemoServer(events) as server:
        expected = sync_into(plain, server)
        monkeypatch.setattr(sync, "PARALLEL_EVENTS", 0)
        monkeypatch.setattr(sync, "BATCH_SIZE", 25)
        got = sync_into(quick, server)
        again = sync_into(quick, server)
    assert expected.complete and got.complete
    assert (got.fetched, got.pages) == (expected.fetched, expected.pages)
    assert summary(got) == summary(expected)
    assert rows(quick) == rows(plain)
    assert again.complete and again.new == 0


def test_write_many_counts_each_batch_in_order(tmp_path: Path) -> None:
    fetched = datetime(2026, 11, 21, tzinfo=UTC)
    with Cache.open(tmp_path / "c.duckdb") as cache:

        def batch(*ids: str) -> Any:
            records = [Record(f"item {i}", None, event(event_id=i)) for i in ids]
            return prepare(records, source="s", fetched_at=fetched).rows

        cache.write_rows(batch("a", "b"))
        results = cache.write_many([batch("c"), batch("b", "d"), batch("d", "e")])
        assert [(r.new, r.updated) for r in results] == [(1, 0), (1, 1), (1, 1)]
        assert cache.count() == 5


def test_the_write_memory_limit_grows_with_the_primary_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inserting needs the whole index in memory: a fixed limit fails at a few million events."""
    monkeypatch.setattr(cache_module, "WRITE_MEMORY", 64 * 2**20)
    monkeypatch.setattr(cache_module, "INDEX_BYTES", 2**14)
    fetched = datetime(2026, 11, 21, tzinfo=UTC)
    records = [Record(f"item {i}", None, event(event_id=f"e{i}")) for i in range(300)]
    rows = prepare(records, source="s", fetched_at=fetched).rows

    def limit(cache: Cache) -> str:  # as DuckDB shows it: "71.8 MiB"
        return str(cache.connection.execute("SELECT current_setting('memory_limit')").fetchone())

    with Cache.open(tmp_path / "c.duckdb") as cache:
        cache.write_rows(prepare(records[:200], source="s", fetched_at=fetched).rows)
        default = limit(cache)
        with cache.limited_memory():
            cache.write_rows(rows)  # 200 stored + 300 incoming
            grown = limit(cache)
        assert grown == "('71.8 MiB',)"  # 64 MiB + 500 ids * 16 KiB
        assert limit(cache) == default


def test_a_write_the_memory_limit_cannot_hold_is_written_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "WRITE_MEMORY", 2**20)  # far too little
    monkeypatch.setattr(cache_module, "INDEX_BYTES", 0)
    fetched = datetime(2026, 11, 21, tzinfo=UTC)
    records = [Record(f"item {i}", None, event(event_id=f"{i}-" + "k" * 500)) for i in range(3000)]
    rows = prepare(records, source="s", fetched_at=fetched).rows
    with Cache.open(tmp_path / "c.duckdb") as cache, cache.limited_memory():
        assert cache.write_rows(rows).new == 3000
        assert not cache._memory_limited  # it was refused once, then lifted
        assert cache.count() == 3000


TIE = datetime(2026, 11, 1, tzinfo=UTC)
TIE_ROWS = 270  # ev-00000000 .. ev-00000299 but those ending in 7, the 270 oldest rows


@pytest.fixture(scope="module")
def conn() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    synthetic(conn, 1500)
    # many rows at one timestamp: the bound must keep every tie
    conn.execute("UPDATE events SET event_timestamp = ? WHERE event_id < 'ev-00000300'", [TIE])
    conn.execute(
        "UPDATE events SET event_timestamp = event_timestamp + INTERVAL 1 DAY "
        "WHERE event_id LIKE '%7'"
    )
    tied = conn.execute("SELECT count(*) FROM events WHERE event_timestamp = ?", [TIE]).fetchone()
    assert tied == (TIE_ROWS,)
    return conn


@pytest.fixture
def bounds(
    conn: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> list[datetime | None]:
    """The timestamps that bounded window scans, in order."""
    found: list[datetime | None] = []
    real = reads.execute

    def spy(cur: Any, sql: str, params: Any) -> Any:
        if "LIMIT 1 OFFSET" in sql:
            row = conn.cursor().execute(sql, list(params)).fetchone()
            found.append(row[0] if row else None)
        return real(cur, sql, params)

    monkeypatch.setattr(reads, "execute", spy)
    return found


@pytest.mark.parametrize("start", [0, 1, 199, 250, 700, 1100, 1240, 1300, 1490])
@pytest.mark.parametrize("where", ["TRUE", "event_id LIKE '%3%'"])
def test_bounded_windows_are_the_same_windows(
    conn: duckdb.DuckDBPyConnection,
    monkeypatch: pytest.MonkeyPatch,
    bounds: list[datetime | None],
    start: int,
    where: str,
) -> None:
    plain = EventBrowser(where)
    expected = [r.event_id for r in plain.window(conn.cursor(), start, 200).rows]
    assert bounds == []  # too few candidates for a bound
    monkeypatch.setattr(reads, "BOUND_FROM", 0)
    bounded = EventBrowser(where)
    assert [r.event_id for r in bounded.window(conn.cursor(), start, 200).rows] == expected
    # and through keyset anchors, from either end
    bounded.window(conn.cursor(), max(0, start - 200), 200)
    bounded.last(conn.cursor(), 200)
    assert [r.event_id for r in bounded.window(conn.cursor(), start, 200).rows] == expected
    assert bounds or not expected


def test_a_window_inside_the_big_tie_is_bounded_by_the_tie(
    conn: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch, bounds: list[datetime | None]
) -> None:
    """Rows 1230-1499 share one timestamp: the bound is that timestamp and keeps them all."""
    monkeypatch.setattr(reads, "BOUND_FROM", 0)
    browser, start = EventBrowser(), 1240
    rows = browser.window(conn.cursor(), start, 200).rows  # read upward from the end
    after = browser.window(conn.cursor(), start + 10, 200).rows  # downward from row 1240's key
    assert bounds == [TIE, TIE]
    tied = conn.execute(
        "SELECT event_id FROM events WHERE event_timestamp = ? ORDER BY event_id DESC", [TIE]
    ).fetchall()
    first = start - (1500 - TIE_ROWS)
    assert [r.event_id for r in rows] == [row[0] for row in tied[first : first + 200]]
    assert [r.event_id for r in after] == [row[0] for row in tied[first + 10 : first + 210]]


def test_nesting_orjson_cannot_write_is_stored(tmp_path: Path) -> None:
    """1010 levels: orjson reads them but writes only 255; json.dumps needs more stack."""
    base = json.dumps(event(event_id="deep"))
    line = base[:-1] + ', "deep": ' + "[" * 1010 + "]" * 1010 + "}"
    path = tmp_path / "deep.ndjson"
    path.write_text(line + "\n")
    with Cache.open(tmp_path / "c.duckdb") as cache:
        result = import_files(cache, [path])
        assert (result.new, result.rejected_count) == (1, 0)
        stored = cache.connection.execute("SELECT extra FROM events").fetchone()
        assert stored is not None and stored[0].count("[") == 1010
