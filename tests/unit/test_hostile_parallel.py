"""The fast paths on hostile input: a parallel import and a parallel sync of the corpus store
and reject exactly what the plain paths do (worker processes decode the same hostile bytes)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.client.datastorage import ClientSettings, DataStorageClient, EventFilters
from explorer.demo.server import DemoServer
from explorer.ingest import importer, ndjson, sync
from explorer.ingest.batch import ImportResult
from explorer.ingest.importer import import_files
from explorer.ingest.sync import run_sync
from explorer.store.cache import Cache
from tests.factories import event
from tests.hostile import corpus, servable_events

COLUMNS = "* EXCLUDE (fetched_at)"


def _rows(cache: Cache) -> list[tuple[Any, ...]]:
    sql = f"SELECT {COLUMNS} FROM events ORDER BY event_id"
    return cache.connection.execute(sql).fetchall()


def _summary(result: ImportResult) -> tuple[Any, ...]:
    reasons = [(r.locator, r.reason) for r in result.rejected]
    return result.read, result.new, result.updated, dict(result.by_status), reasons


@pytest.fixture
def caches(tmp_path: Path) -> Iterator[tuple[Cache, Cache]]:
    with (
        Cache.open(tmp_path / "plain.duckdb", notify=lambda _: None) as plain,
        Cache.open(tmp_path / "fast.duckdb", notify=lambda _: None) as fast,
    ):
        yield plain, fast


def _both_ways(
    caches: tuple[Cache, Cache], source: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[ImportResult, ImportResult]:
    plain, fast = caches
    monkeypatch.setattr(importer, "BATCH_SIZE", 5)
    expected = import_files(plain, [source])
    monkeypatch.setattr(ndjson, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(ndjson, "BLOCK", 4096)  # many spans, some a single long line
    return expected, import_files(fast, [source])


def test_parallel_import_of_the_corpus_matches_the_plain_one(
    caches: tuple[Cache, Cache], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [line for _, line in corpus()]
    source = tmp_path / "hostile.ndjson"
    source.write_bytes(b"\n".join(lines) + b"\n")
    expected, got = _both_ways(caches, source, monkeypatch)
    assert _summary(got) == _summary(expected)
    assert got.read == len(lines)
    assert _rows(caches[1]) == _rows(caches[0])


def test_a_line_with_a_byte_order_mark_decodes_alike_in_parallel(
    caches: tuple[Cache, Cache], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [json.dumps(event()).encode(), dict(corpus())["bom-inside"]]
    source = tmp_path / "bom.ndjson"
    source.write_bytes(b"\n".join(lines) + b"\n")
    expected, got = _both_ways(caches, source, monkeypatch)
    assert dict(expected.by_status) == {"ok": 2}
    assert dict(got.by_status) == dict(expected.by_status)


def test_parallel_sync_of_the_corpus_matches_the_plain_one(
    caches: tuple[Cache, Cache], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain, fast = caches
    results = []
    with DemoServer(servable_events()) as server:
        for cache, threshold in ((plain, sync.PARALLEL_EVENTS), (fast, 0)):
            monkeypatch.setattr(sync, "PARALLEL_EVENTS", threshold)
            with DataStorageClient(ClientSettings(server.url), sleep=lambda _: None) as client:
                results.append(run_sync(cache, client, EventFilters(), source="h", page_size=4))
    first, second = results
    assert first.complete and second.complete, (first.stopped, second.stopped)
    keys = ("fetched", "new", "updated", "rejected", "by_status")
    assert [getattr(second, k) for k in keys] == [getattr(first, k) for k in keys]
    assert _rows(fast) == _rows(plain)
