"""Opening the cache: upserts, schema versions (migrate, rebuild, refuse), the lock."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from explorer.errors import CacheLockedError, StoreError
from explorer.ingest import importer
from explorer.ingest.importer import upsert
from explorer.models.decode import decode
from explorer.store import cache as cache_module
from explorer.store.cache import SCHEMA_VERSION, Cache, UpsertResult
from tests.factories import event, unversioned_cache


def decoded(*events: dict[str, Any]) -> list[Any]:
    return [decode(raw) for raw in events]


def test_open_creates_the_parent_directory_and_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "cache.duckdb"
    with Cache.open(path) as cache:
        assert cache.path == path
        assert cache.count() == 0
        assert cache.notices == []
    assert path.exists()


def test_upsert_counts_new_and_updated_and_is_idempotent(tmp_path: Path) -> None:
    events = [event() for _ in range(5)]
    with Cache.open(tmp_path / "c.duckdb") as cache:
        assert upsert(cache, decoded(*events), source="s") == UpsertResult(5, 0)
        assert upsert(cache, decoded(*events[:3], event()), source="s") == UpsertResult(1, 3)
        assert cache.count() == 6
        before = cache.connection.execute(
            "SELECT * EXCLUDE (fetched_at) FROM events ORDER BY event_id"
        ).fetchall()
        upsert(cache, decoded(*events), source="s")
        after = cache.connection.execute(
            "SELECT * EXCLUDE (fetched_at) FROM events ORDER BY event_id"
        ).fetchall()
        assert before == after


def test_a_changed_version_never_replaces_the_stored_one(tmp_path: Path) -> None:
    raw = event(namespace="old")
    with Cache.open(tmp_path / "c.duckdb") as cache:
        upsert(cache, decoded(raw), source="first")
        changed = {**raw, "namespace": "new", "event_data": {**raw["event_data"], "x": 1}}
        result = upsert(cache, decoded(changed), source="second")
        assert (result.new, result.updated, result.conflicts) == (0, 1, 1)
        rows = cache.connection.execute("SELECT namespace, source FROM events").fetchall()
        kept = cache.connection.execute(
            "SELECT event_id, received, source, paths FROM event_conflicts"
        ).fetchall()
    assert rows == [("old", "first")]
    assert len(kept) == 1
    assert kept[0][0] == raw["event_id"]
    assert json.loads(kept[0][1])["namespace"] == "new"
    assert kept[0][2:] == ("second", ["event_data.x", "namespace"])


def test_the_same_changed_version_is_kept_once_and_counted_each_time(tmp_path: Path) -> None:
    raw = event(namespace="old")
    with Cache.open(tmp_path / "c.duckdb") as cache:
        upsert(cache, decoded(raw), source="s")
        for _ in range(2):
            changed = {**raw, "namespace": "new"}
            assert upsert(cache, decoded(changed), source="s").conflicts == 1
        upsert(cache, decoded({**raw, "namespace": "newer"}), source="s")
        count = cache.connection.execute("SELECT count(*) FROM event_conflicts").fetchall()
    assert count == [(2,)]


def test_key_order_and_the_spelling_of_an_instant_are_not_content(tmp_path: Path) -> None:
    raw = event(event_timestamp="2026-11-20T12:00:00Z")
    again = dict(reversed(list(raw.items())))
    again["event_timestamp"] = "2026-11-20T13:00:00.000+01:00"
    again["event_data"] = dict(reversed(list(raw["event_data"].items())))
    with Cache.open(tmp_path / "c.duckdb") as cache:
        upsert(cache, decoded(raw), source="s")
        result = upsert(cache, decoded(again), source="s")
    assert (result.new, result.updated, result.conflicts) == (0, 1, 0)


def test_duplicates_across_batches_keep_the_first_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_SIZE", 3)
    same = event(event_id="dup", namespace="first")
    last = event(event_id="dup", namespace="last")
    others = [event() for _ in range(6)]
    with Cache.open(tmp_path / "c.duckdb") as cache:
        result = upsert(cache, decoded(same, *others[:3], same, *others[3:], last), source="s")
        assert (result.new, result.updated, result.conflicts) == (7, 2, 1)
        assert cache.count() == 7
        assert cache.connection.execute(
            "SELECT namespace FROM events WHERE event_id = 'dup'"
        ).fetchall() == [("first",)]


def test_duplicates_within_one_batch_keep_the_first_version(tmp_path: Path) -> None:
    first = event(event_id="dup")
    with Cache.open(tmp_path / "c.duckdb") as cache:
        changed = {**first, "event_outcome": "failure"}
        result = upsert(cache, decoded(first, first, changed, event()), source="s")
        assert (result.new, result.updated, result.conflicts) == (2, 2, 1)
        stored = cache.connection.execute(
            "SELECT event_outcome FROM events WHERE event_id = 'dup'"
        ).fetchall()
        paths = cache.connection.execute("SELECT paths FROM event_conflicts").fetchall()
    assert stored == [(first["event_outcome"],)]
    assert paths == [(["event_outcome"],)]


def test_upsert_reports_what_it_could_not_store(tmp_path: Path) -> None:
    good = event()
    with Cache.open(tmp_path / "c.duckdb") as cache:
        result = upsert(cache, decoded({"no": "id"}, good, event(event_timestamp="?")), source="s")
    assert (result.new, result.updated) == (1, 0)
    assert [index for index, _ in result.rejected] == [0, 2]


def test_cursor_works_from_another_thread_in_utc(tmp_path: Path) -> None:
    with Cache.open(tmp_path / "c.duckdb") as cache:
        upsert(cache, decoded(event(event_timestamp="2026-11-20T12:00:00+02:00")), source="s")
        seen: list[Any] = []
        cursor = cache.cursor()
        assert cursor.execute("SELECT current_setting('TimeZone')").fetchall() == [("UTC",)]
        plain = cache.connection.cursor()  # however a cursor is made
        assert plain.execute("SELECT current_setting('TimeZone')").fetchall() == [("UTC",)]
        thread = threading.Thread(
            target=lambda: seen.extend(
                cursor.execute("SELECT event_timestamp FROM events").fetchall()
            )
        )
        thread.start()
        thread.join()
    assert seen == [(datetime(2026, 11, 20, 10, tzinfo=UTC),)]
    assert seen[0][0].utcoffset().total_seconds() == 0


# --- schema versions --------------------------------------------------------------------


def test_a_cache_from_before_versions_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "cache.duckdb"
    unversioned_cache(path)
    said: list[str] = []
    with Cache.open(path, notify=said.append) as cache:
        assert cache.count() == 0
        assert cache.notices == said
        version = cache.connection.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchall()
        assert version == [(str(SCHEMA_VERSION),)]
    assert len(said) == 1 and "older audit-explorer" in said[0] and "v0" in said[0]
    backup = tmp_path / "cache.duckdb.schema-v0.bak"
    assert str(backup) in said[0]
    old = duckdb.connect(str(backup), read_only=True)
    assert old.execute("SELECT event_id FROM events").fetchall() == [("old-1",)]
    old.close()


def test_the_default_notice_goes_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cache.duckdb"
    unversioned_cache(path)
    Cache.open(path).close()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("audit-explorer: cache ")
    assert "started an empty cache" in captured.err


def test_an_older_version_with_migration_steps_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cache.duckdb"
    with Cache.open(path) as cache:
        upsert(cache, decoded(event(event_id="kept")), source="s")
    monkeypatch.setattr(cache_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setattr(
        cache_module,
        "MIGRATIONS",
        {SCHEMA_VERSION: ("CREATE TABLE notes (event_id VARCHAR, note VARCHAR)",)},
    )
    said: list[str] = []
    with Cache.open(path, notify=said.append) as cache:
        assert cache.count() == 1  # data kept
        assert cache.connection.execute("SELECT count(*) FROM notes").fetchall() == [(0,)]
        meta = dict(cache.connection.execute("SELECT key, value FROM meta").fetchall())
    assert meta["schema_version"] == str(SCHEMA_VERSION + 1)
    assert said == [f"migrated cache {path} from schema v{SCHEMA_VERSION} to v{SCHEMA_VERSION + 1}"]


def test_a_newer_cache_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "cache.duckdb"
    with Cache.open(path) as cache:
        upsert(cache, decoded(event()), source="s")
        cache.connection.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match=r"newer audit-explorer \(schema v99") as info:
        Cache.open(path)
    assert "\n" not in str(info.value)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM events").fetchall() == [(1,)]
    con.close()


def test_read_only_does_not_create_or_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "cache.duckdb"
    with pytest.raises(StoreError, match="no cache at"):
        Cache.open(path, read_only=True)
    assert not path.exists()
    unversioned_cache(path)
    with pytest.raises(StoreError, match="older schema"):
        Cache.open(path, read_only=True)


def test_read_only_reads(tmp_path: Path) -> None:
    path = tmp_path / "cache.duckdb"
    with Cache.open(path) as cache:
        upsert(cache, decoded(event()), source="s")
    with Cache.open(path, read_only=True) as cache:
        assert cache.count() == 1
        assert cache.connection.execute("SELECT count(*) FROM payload_gateway_audit").fetchall()


def test_a_file_that_is_not_a_cache_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello\n" * 1000)
    with pytest.raises(StoreError, match=r"^cannot open cache .*notes.txt: ") as info:
        Cache.open(text)
    assert "\n" not in str(info.value)
    assert text.read_text() == "hello\n" * 1000
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE mine (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not an audit-explorer cache"):
        Cache.open(other)


def test_views_are_recreated_when_the_models_change(tmp_path: Path) -> None:
    path = tmp_path / "cache.duckdb"
    with Cache.open(path) as cache:
        cache.connection.execute("DROP VIEW payload_gateway_audit")
        cache.connection.execute("CREATE VIEW payload_retired AS SELECT 1 AS x")
        cache.connection.execute("UPDATE meta SET value = 'stale' WHERE key = 'views'")
    with Cache.open(path) as cache:
        views = {
            name
            for (name,) in cache.connection.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        }
    assert "payload_gateway_audit" in views
    assert "payload_retired" not in views


# --- the lock ---------------------------------------------------------------------------

_HOLDER = """
import sys
from explorer.store.cache import Cache
cache = Cache.open(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
"""


@pytest.fixture
def held(tmp_path: Path) -> Any:
    """A cache file held open by another process."""
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield path, holder.pid
    finally:
        holder.communicate("done\n", timeout=30)


def test_a_cache_held_by_another_process_gives_one_clear_line(held: tuple[Path, int]) -> None:
    path, pid = held
    with pytest.raises(CacheLockedError) as info:
        Cache.open(path)
    assert str(info.value) == (
        f"cache {path} is in use by another process (PID {pid}): close the other "
        "audit-explorer, or pass --cache to use another file"
    )
    with pytest.raises(CacheLockedError):
        Cache.open(path, read_only=True)


def test_a_half_read_result_on_the_connection_does_not_block_writes(tmp_path: Path) -> None:
    with Cache.open(tmp_path / "c.duckdb") as cache:
        upsert(cache, decoded(event(), event()), source="s")
        pending = cache.connection.execute("SELECT event_id FROM events")
        assert pending.fetchone() is not None
        assert upsert(cache, decoded(event()), source="s").new == 1
        assert cache.count() == 3


def test_an_empty_file_becomes_a_new_cache(tmp_path: Path) -> None:
    path = tmp_path / "made-by-mktemp.duckdb"
    path.touch()
    with Cache.open(path) as cache:
        assert cache.count() == 0 and cache.notices == []


def test_close_interrupts_a_query_another_thread_is_running(tmp_path: Path) -> None:
    # The explorer swaps its read-only cache for a writer while workers may be reading:
    # DuckDB refuses to close a connection whose cursor is busy, so close() stops them.
    path = tmp_path / "cache.duckdb"
    Cache.open(path).close()
    cache = Cache.open(path, read_only=True)
    cursor = cache.cursor()
    started, failed = threading.Event(), []

    def long_query() -> None:
        started.set()
        try:
            cursor.execute("SELECT sum(range % 7) FROM range(100000000000)").fetchall()
        except duckdb.Error as exc:
            failed.append(type(exc).__name__)

    worker = threading.Thread(target=long_query)
    worker.start()
    started.wait(5)
    time.sleep(0.2)  # the query is running
    cache.close()  # no ResourceInUseException
    worker.join(10)
    assert not worker.is_alive() and failed == ["InterruptException"]
