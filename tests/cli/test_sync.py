"""``audit-explorer sync`` and ``demo-server`` end to end, over loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from explorer.cli import main
from explorer.demo.server import DemoServer, Faults
from explorer.store.cache import Cache
from tests.unit.test_demo_server import make_events

TOKEN = "cli-token-77aa0e31"


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(make_events(150), token=TOKEN) as server:
        yield server


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {
        "AUDIT_EXPLORER_CONFIG": str(tmp_path / "config.toml"),
        "AUDIT_EXPLORER_CACHE": str(tmp_path / "cache.duckdb"),
        "AUDIT_EXPLORER_TOKEN": None,
        "AUDIT_EXPLORER_URL": None,
    }


def run(args: list[str], env: dict[str, str | None], **extra: str | None) -> Result:
    return CliRunner().invoke(main, ["sync", *args], env={**env, **extra})


def stored(env: dict[str, str | None]) -> int:
    with Cache.open(str(env["AUDIT_EXPLORER_CACHE"]), notify=lambda _: None) as cache:
        return cache.count()


def no_token_anywhere(result: Result, env: dict[str, str | None]) -> None:
    assert TOKEN not in result.stdout and TOKEN not in result.stderr
    assert TOKEN.encode() not in Path(str(env["AUDIT_EXPLORER_CACHE"])).read_bytes()


def test_sync_prints_a_summary(server: DemoServer, env: Any) -> None:
    result = run(["--url", server.url, "--token", TOKEN, "--page-size", "40"], env)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert f"sync of {server.url}: complete" in out
    for label, value in [
        ("fetched", "150"),
        ("stored new", "150"),
        ("pages", "4"),
        ("retries", "0"),
    ]:
        assert any(line.split() == [*label.split(), value] for line in out.splitlines()), label
    assert "Stored by status:" in out and "events/s" in out and "150 events" in out
    assert result.stderr == ""  # not a terminal: no progress
    assert stored(env) == 150
    no_token_anywhere(result, env)


def test_url_and_token_from_the_environment(server: DemoServer, env: Any) -> None:
    result = run([], env, AUDIT_EXPLORER_URL=server.url, AUDIT_EXPLORER_TOKEN=TOKEN)
    assert result.exit_code == 0, result.stderr
    assert stored(env) == 150


def test_named_source_from_the_config(server: DemoServer, env: Any, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    Path(env["AUDIT_EXPLORER_CONFIG"]).write_text(
        f'[sources.lab]\nurl = "{server.url}"\ntoken_file = "{token_file}"\nuser = "sre"\n'
    )
    result = run(["--source", "lab"], env)
    assert result.exit_code == 0, result.stderr
    assert "sync of lab: complete" in result.stdout
    assert server.requests[-1].user == "sre" and server.requests[-1].authorized
    with Cache.open(env["AUDIT_EXPLORER_CACHE"], notify=lambda _: None) as cache:
        assert cache.connection.execute("SELECT DISTINCT source FROM events").fetchall() == [
            ("lab",)
        ]


def test_filters_reach_the_server(server: DemoServer, env: Any) -> None:
    args = ["--url", server.url, "--token", TOKEN, "--event-type", "gateway.signal.received"]
    args += ["--category", "gateway", "--outcome", "success", "--severity", "critical"]
    args += ["--correlation-id", "rr-0", "--since", "7d", "--until", "2026-11-21T00:00:00Z"]
    args += ["--detail", "task_id", "task-0"]
    before = datetime.now(UTC)
    result = run(args, env)
    after = datetime.now(UTC)
    assert result.exit_code == 0, result.stderr
    params = dict(server.requests[-1].params)
    # relative times reach the server resolved, as RFC 3339 UTC (never "168h")
    since = params.pop("since")
    assert since.endswith("Z")
    assert before - timedelta(days=7) <= datetime.fromisoformat(since) <= after - timedelta(days=7)
    assert params == {
        "event_type": "gateway.signal.received",
        "event_category": "gateway",
        "event_outcome": "success",
        "severity": "critical",
        "correlation_id": "rr-0",
        "until": "2026-11-21T00:00:00Z",
        "detail_key": "task_id",
        "detail_value": "task-0",
        "limit": "1000",
        "offset": "0",
    }


def test_failure_exits_1_then_the_next_sync_finishes(server: DemoServer, env: Any) -> None:
    server.set_faults(Faults(die_after_pages=2))
    args = ["--url", server.url, "--token", TOKEN, "--page-size", "40", "--max-tries", "1"]
    broken = run(args, env)
    assert broken.exit_code == 1
    assert broken.stderr.startswith("audit-explorer: sync stopped: ")
    assert "80 events from 2 pages kept; run it again" in broken.stderr
    assert stored(env) == 80
    server.set_faults(Faults())
    again = run(args, env)
    assert again.exit_code == 0 and stored(env) == 150
    no_token_anywhere(broken, env)


def test_wrong_token_is_one_line_and_never_shown(server: DemoServer, env: Any) -> None:
    result = run(["--url", server.url, "--token", "not-" + TOKEN], env)
    assert result.exit_code == 1
    assert "401 Unauthorized: check the token" in result.stderr
    assert "not-" + TOKEN not in result.stdout + result.stderr


def test_max_events_is_a_success(server: DemoServer, env: Any) -> None:
    result = run(["--url", server.url, "--token", TOKEN, "--max-events", "30"], env)
    assert result.exit_code == 0
    assert "stopped after --max-events 30" in result.stdout and stored(env) == 30


def test_insecure_warns(server: DemoServer, env: Any) -> None:
    result = run(["--url", server.url, "--token", TOKEN, "--insecure"], env)
    assert result.exit_code == 0
    assert "TLS certificates are not verified" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "no DataStorage URL"),
        (["--url", "http://x", "--token", "a", "--token-file", "f"], "not both"),
        (["--url", "http://x", "--insecure", "--ca-bundle", "f"], "not both"),
        (["--url", "http://x", "--since", "yesterday"], "since must be"),
        (["--url", "http://x", "--page-size", "1001"], "1001"),
    ],
)
def test_usage_errors(env: Any, args: list[str], message: str) -> None:
    result = run(args, env)
    assert result.exit_code == 2 and message in result.stderr


def test_ctrl_c_exits_1_and_the_next_sync_finishes(server: DemoServer, env: Any) -> None:
    server.set_faults(Faults(script={2: "slow"}, slow_seconds=30))
    command = [sys.executable, "-m", "explorer", "sync", "--url", server.url, "--token", TOKEN]
    command += ["--page-size", "40"]
    environ = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    proc = subprocess.Popen(command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(400):  # wait (bounded) for the third request: it hangs on purpose
            if len(server.requests) >= 3 or proc.poll() is not None:
                break
            time.sleep(0.025)
        time.sleep(0.3)  # let the second page finish storing
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, err
    assert b"audit-explorer: sync interrupted; " in err and b"run it again" in err
    assert b"stopped: interrupted" in out
    assert stored(env) in (40, 80)  # whole pages only
    server.set_faults(Faults())
    again = run(["--url", server.url, "--token", TOKEN], env)
    assert again.exit_code == 0 and stored(env) == 150


def test_demo_server_command() -> None:
    command = [sys.executable, "-m", "explorer", "demo-server", "--port", "0", "--events", "40"]
    command += ["--token", TOKEN]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("serving 40 demo events on http://127.0.0.1:")
        assert TOKEN not in line
        url = line.split(" on ")[1].split()[0]
        headers = {"Authorization": f"Bearer {TOKEN}"}
        page = httpx.get(f"{url}/api/v1/audit/events", params={"limit": 5}, headers=headers)
        assert page.json()["pagination"]["total"] == 40
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
