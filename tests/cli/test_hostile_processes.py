"""Two processes, one cache: a clear line (no traceback) or it works; the file is never corrupted.

Another process holds the cache the way the explorer does (``Cache.open``, read-write, for
the whole session); every cache command then says so in one line. An import killed in the
middle leaves a file that opens, and the next import completes it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.demo.generator import demo_events
from explorer.demo.server import DemoServer
from explorer.store.cache import Cache
from explorer.store.schema import BATCH_SIZE
from tests.cli.test_hostile_cli import assert_terminal_safe

HOLDER = """
import sys
from explorer.store.cache import Cache
from explorer.store.schema import BATCH_SIZE
cache = Cache.open(sys.argv[1], notify=lambda _: None)
print("ready", cache.count(), flush=True)
sys.stdin.readline()
"""
EVENTS = 300
BIG = 15_000


def _ndjson(path: Path, count: int, seed: int = 7) -> Path:
    with path.open("wb") as out:
        for item in demo_events(count, seed):
            out.write(json.dumps(item).encode() + b"\n")
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shared")
    path = folder / "template.duckdb"
    source = _ndjson(folder / "first.ndjson", EVENTS)
    assert CliRunner().invoke(main, ["import", str(source), "--cache", str(path)]).exit_code == 0
    return path


@pytest.fixture
def cache(template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "shared.duckdb"
    path.write_bytes(template.read_bytes())
    return path


class Holder:
    def __init__(self, cache: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(cache)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.count = int(self.process.stdout.readline().split()[1])

    def release(self) -> None:
        self.process.communicate("done\n", timeout=30)


@pytest.fixture
def held(cache: Path) -> Iterator[Holder]:
    holder = Holder(cache)
    try:
        yield holder
    finally:
        if holder.process.poll() is None:
            holder.release()


def _count(cache: Path) -> int:
    with Cache.open(cache, read_only=True) as db:
        row = db.connection.execute("SELECT count(*), count(DISTINCT event_id) FROM events")
        total, distinct = row.fetchall()[0]
        assert total == distinct == db.count()
        return int(total)


COMMANDS = {
    "import": ["import", "SOURCE"],
    "sync": ["sync", "--url", "URL", "--max-tries", "1"],
    "events": ["events", "--format", "ndjson"],
    "timeline": ["timeline", "rr-0"],
    "query": ["query", "latest-state", "--format", "json"],
}


@pytest.mark.parametrize("name", COMMANDS)
def test_a_held_cache_gives_one_clear_line_and_stays_whole(
    cache: Path, held: Holder, tmp_path: Path, name: str
) -> None:
    source = _ndjson(tmp_path / "more.ndjson", 50, seed=99)
    with DemoServer(demo_events(20, 3)) as server:
        args = [a.replace("SOURCE", str(source)).replace("URL", server.url) for a in COMMANDS[name]]
        result = CliRunner().invoke(main, [*args, "--cache", str(cache)], color=True)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"audit-explorer: cache {cache} is in use by another process (PID {held.process.pid}): "
        "close the other audit-explorer, or pass --cache to use another file\n"
    )
    assert_terminal_safe(result.stderr)
    held.release()
    assert _count(cache) == held.count == EVENTS
    again = CliRunner().invoke(main, ["import", str(source), "--cache", str(cache)])
    assert again.exit_code == 0 and _count(cache) == EVENTS + 50


def test_two_imports_at_once_one_waits_its_turn_or_says_so(cache: Path, tmp_path: Path) -> None:
    sources = [_ndjson(tmp_path / f"part{i}.ndjson", 2_000, seed=10 + i) for i in range(2)]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "explorer", "import", str(src), "--cache", str(cache)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for src in sources
    ]
    outcomes = [(*run.communicate(timeout=120), run.returncode) for run in runs]
    finished = 0
    for _out, err, code in outcomes:
        assert b"Traceback" not in err
        if code == 0:
            finished += 1
        else:
            assert code == 1 and err.count(b"\n") == 1 and b"in use by another process" in err
    assert finished >= 1
    assert _count(cache) in (EVENTS + 2_000, EVENTS + 4_000)
    assert _count(cache) == EVENTS + 2_000 * finished


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # not yet, or checkpointed away
        return 0


def test_an_import_killed_midway_leaves_a_cache_that_opens(tmp_path: Path) -> None:
    cache = tmp_path / "killed.duckdb"
    source = _ndjson(tmp_path / "big.ndjson", BIG)
    run = subprocess.Popen(
        [sys.executable, "-m", "explorer", "import", str(source), "--cache", str(cache)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wal = cache.with_name(cache.name + ".wal")
    for _ in range(3_000):  # until a first batch is in the write-ahead log
        if _size(wal) > 5_000_000 or run.poll() is not None:
            break
        time.sleep(0.01)
    run.send_signal(signal.SIGKILL)
    run.wait(timeout=30)
    kept = _count(cache)  # opens, replays or drops its WAL, one row per id
    assert kept in (0, BIG) or kept % BATCH_SIZE == 0, "only whole committed batches survive"
    result = CliRunner().invoke(main, ["import", str(source), "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    assert _count(cache) == BIG
