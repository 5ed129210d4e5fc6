"""A large import into an empty cache loads without the primary key and swaps the table
in at the end, in one transaction: killed midway, it leaves the empty cache it found."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from explorer.ingest import ndjson
from explorer.ingest.importer import import_files
from explorer.store import cache as cache_module
from explorer.store.cache import STAGING, Cache
from tests.factories import event


def _source(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def _primary_key(cache: Cache) -> list[Any]:
    return cache.connection.execute(
        "SELECT constraint_column_names FROM duckdb_constraints()"
        " WHERE table_name = 'events' AND constraint_type = 'PRIMARY KEY'"
    ).fetchall()


def _tables(cache: Cache) -> set[str]:
    rows = cache.connection.execute("SELECT table_name FROM duckdb_tables()").fetchall()
    return {name for (name,) in rows}


@pytest.fixture
def small_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ndjson, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(ndjson, "make_pool", lambda count=None: None)  # workers in-process
    monkeypatch.setattr(ndjson, "BLOCK", 3000)
    monkeypatch.setattr(ndjson, "SPOOL_EVENTS", 3)


@pytest.mark.usefixtures("small_groups")
def test_a_fresh_load_keeps_the_first_version_and_adds_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = [event() for _ in range(12)]
    changed = {**events[2], "event_outcome": "failure"}
    source = _source(tmp_path / "in.ndjson", [*events, events[0], changed])
    staged: list[int] = []
    real = cache_module._stage

    def spy(con: Any, batches: Any, base: int) -> Any:
        staged.append(base)
        return real(con, batches, base)

    monkeypatch.setattr(cache_module, "_stage", spy)
    with Cache.open(tmp_path / "c.duckdb", notify=lambda _: None) as cache:
        result = import_files(cache, [source])
        assert len(staged) > 1  # the groups went to the staging table
        assert (result.read, result.new, result.updated, result.conflicts) == (14, 12, 2, 1)
        assert cache.count() == 12
        assert _primary_key(cache) == [(["event_id"],)]
        assert STAGING not in _tables(cache)
        outcome = cache.connection.execute(
            "SELECT event_outcome FROM events WHERE event_id = ?", [events[2]["event_id"]]
        ).fetchall()
        assert outcome == [(events[2]["event_outcome"],)]
        paths = cache.connection.execute("SELECT paths FROM event_conflicts").fetchall()
        assert paths == [(["event_outcome"],)]
        views = cache.connection.execute("SELECT count(*) FROM payload_gateway_audit")
        assert views.fetchall() == [(12,)]
        # The next import finds events: no staging, the key refuses repeats as always.
        again = import_files(cache, [source])
        assert (again.new, again.updated, again.conflicts) == (0, 14, 1)
        assert len(staged) == len(set(staged))


@pytest.mark.usefixtures("small_groups")
def test_a_failed_fresh_load_leaves_the_empty_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source(tmp_path / "in.ndjson", [event() for _ in range(30)])
    calls: list[int] = []
    real = cache_module._stage

    def failing(con: Any, batches: Any, base: int) -> Any:
        calls.append(base)
        if len(calls) == 2:
            raise duckdb.IOException("disk full")
        return real(con, batches, base)

    monkeypatch.setattr(cache_module, "_stage", failing)
    with Cache.open(tmp_path / "c.duckdb", notify=lambda _: None) as cache:
        with pytest.raises(Exception, match="disk full"):
            import_files(cache, [source])
        assert cache.count() == 0
        assert STAGING not in _tables(cache)
        monkeypatch.setattr(cache_module, "_stage", real)
        assert import_files(cache, [source]).new == 30


_KILLED_IMPORT = """
import sys, time
from pathlib import Path
from explorer.ingest import ndjson
from explorer.ingest.importer import import_files
from explorer.store import cache as cache_module
from explorer.store.cache import Cache

ndjson.PARALLEL_BYTES = 0
ndjson.make_pool = lambda count=None: None
ndjson.BLOCK = 3000
ndjson.SPOOL_EVENTS = 3
real = cache_module._stage
written = []

def stage(con, batches, base):
    done = real(con, batches, base)
    written.append(base)
    if len(written) == 2:  # two groups committed to the staging table: wait to be killed
        print("staged", flush=True)
        time.sleep(60)
    return done

cache_module._stage = stage
with Cache.open(sys.argv[1], notify=lambda _: None) as cache:
    import_files(cache, [sys.argv[2]])
"""


def test_an_import_killed_mid_load_leaves_the_empty_cache(tmp_path: Path) -> None:
    path = tmp_path / "c.duckdb"
    source = _source(tmp_path / "in.ndjson", [event() for _ in range(12)])
    Cache.open(path, notify=lambda _: None).close()
    run = subprocess.Popen(
        [sys.executable, "-c", _KILLED_IMPORT, str(path), str(source)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert run.stdout is not None and run.stdout.readline() == "staged\n"
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
    raw = duckdb.connect(str(path), read_only=True)  # as the kill left it
    try:
        assert raw.execute(f"SELECT count(*) FROM {STAGING}").fetchall()[0][0] > 0
        assert raw.execute("SELECT count(*) FROM events").fetchall() == [(0,)]
    finally:
        raw.close()
    with Cache.open(path, notify=lambda _: None) as cache:
        assert cache.count() == 0
        assert STAGING not in _tables(cache)  # dropped on open
        assert _primary_key(cache) == [(["event_id"],)]
