"""``audit-explorer import``: summary, exit codes, stdin, the lock error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from explorer.cli import main, progress
from explorer.config import ENV_CACHE
from tests.factories import event
from tests.hostile import corpus, corpus_ndjson


def run(args: list[str], stdin: bytes | None = None, **env: str) -> Any:
    return CliRunner().invoke(main, args, input=stdin, env=env or None, catch_exceptions=False)


def ndjson(*items: Any) -> bytes:
    return b"".join((x if isinstance(x, bytes) else json.dumps(x).encode()) + b"\n" for x in items)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache.duckdb"


def test_import_prints_a_summary(tmp_path: Path, cache: Path) -> None:
    source = tmp_path / "in.ndjson"
    source.write_bytes(ndjson(event(), event(), b"{broken"))
    result = run(["import", str(source), "--cache", str(cache)])
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("3 events read\n")
    assert "stored new                 2" in out
    assert "rejected                   1" in out
    assert "line 3: not valid JSON" in out
    assert "events/s" in out
    assert f"cache {cache}: 2 events" in out
    assert "note: 1 events could not be stored" in out
    assert result.stderr == ""  # no progress when stderr is not a terminal

    again = run(["import", str(source), "--cache", str(cache)])
    assert "stored new                 0" in again.stdout
    assert "already stored             2" in again.stdout


def test_stdin_and_the_cache_from_the_environment(cache: Path) -> None:
    result = run(["import", "-", "--source", "pipe"], ndjson(event()), **{ENV_CACHE: str(cache)})
    assert result.exit_code == 0, result.output
    assert "stored new                 1" in result.stdout
    assert cache.exists()


def test_an_unreadable_input_exits_2(tmp_path: Path, cache: Path) -> None:
    result = CliRunner().invoke(
        main, ["import", str(tmp_path / "nope.ndjson"), "--cache", str(cache)]
    )
    assert result.exit_code == 2
    assert result.stderr == f"audit-explorer: {tmp_path / 'nope.ndjson'}: no such file\n"


def test_a_file_is_required() -> None:
    assert CliRunner().invoke(main, ["import"]).exit_code == 2


_HOLDER = """
import sys
from explorer.store.cache import Cache
cache = Cache.open(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
"""


def test_a_locked_cache_is_one_line_without_traceback(tmp_path: Path, cache: Path) -> None:
    source = tmp_path / "in.ndjson"
    source.write_bytes(ndjson(event()))
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(cache)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        result = subprocess.run(
            [sys.executable, "-m", "explorer", "import", str(source), "--cache", str(cache)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        holder.communicate("done\n", timeout=30)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"audit-explorer: cache {cache} is in use by another process (PID {holder.pid}): "
        "close the other audit-explorer, or pass --cache to use another file\n"
    )


def test_progress_goes_to_stderr_when_it_is_a_terminal(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "_is_terminal", lambda _: True)
    source = tmp_path / "in.ndjson"
    source.write_bytes(ndjson(*[event() for _ in range(3)]))
    result = run(["import", str(source), "--cache", str(cache)])
    assert result.exit_code == 0
    assert "importing" in result.stderr and "3/?" in result.stderr
    assert result.stderr.endswith("\x1b[2K")  # the bar is erased when the import ends
    assert "\r" not in result.stdout and "\x1b" not in result.stdout


def test_hostile_input_never_reaches_the_terminal_raw(tmp_path: Path, cache: Path) -> None:
    source = tmp_path / "hostile.ndjson"
    source.write_bytes(corpus_ndjson())
    result = run(["import", str(source), "--cache", str(cache)])
    assert result.exit_code == 0
    assert f"{len(corpus()):,} events read" in result.stdout
    assert "Rejected (not stored" in result.stdout
    assert not any(c in result.stdout for c in "\x1b\x07\x08\x9b\r")
