"""Every CLI error line is terminal-safe: one line, controls escaped, no markup, no traceback.

The hostile text reaches the messages through paths, names, filter values and parameters.
Checked with colour on (``color=True``) so click does not strip escape sequences for us.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.cli.render import json_safe
from explorer.demo.server import DemoServer
from tests.cli.test_hostile_cli import UNSAFE, assert_terminal_safe
from tests.factories import event, unversioned_cache

EVIL = "\x1b]0;owned\x07\x1b[31m[bold]B[/bold]\x9b\u202e\nsecond line"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-errors")
    source = folder / "one.ndjson"
    source.write_text(json.dumps(event()) + "\n", encoding="utf-8")
    path = folder / "c.duckdb"
    assert CliRunner().invoke(main, ["import", str(source), "--cache", str(path)]).exit_code == 0
    return path


CASES = {
    "missing-cache": ["events", "--cache", "DIR/EVIL.duckdb"],
    "unwritable-output": ["events", "--cache", "CACHE", "-o", "DIR/EVIL/x.csv"],
    "unknown-extension": ["events", "--cache", "CACHE", "-o", "DIR/EVIL.xyz"],
    "bad-filter-key": ["events", "sevrity:EVIL", "--cache", "CACHE"],
    "unclosed-quote": ["events", 'corr:"EVIL', "--cache", "CACHE"],
    "bad-time": ["events", "since:EVIL", "--cache", "CACHE"],
    "unknown-timeline": ["timeline", "EVIL", "--cache", "CACHE"],
    "unknown-query": ["query", "EVIL", "--cache", "CACHE"],
    "missing-query-file": ["query", "DIR/EVIL.sql", "--cache", "CACHE"],
    "bad-param-shape": ["query", "latest-state", "-p", "EVIL", "--cache", "CACHE"],
    "unknown-param": ["query", "latest-state", "-p", "EVIL=1", "--cache", "CACHE"],
    "bad-param-value": ["query", "latest-state", "-p", "since=EVIL", "--cache", "CACHE"],
    "missing-import": ["import", "DIR/EVIL.ndjson", "--cache", "DIR/new.duckdb"],
    "missing-validate": ["validate", "DIR/EVIL.ndjson"],
    "bad-url": ["sync", "--url", "http://EVIL", "--cache", "DIR/new.duckdb"],
}
USAGE = {
    "bad-choice": ["events", "--cache", "CACHE", "--format", "EVIL"],
    "unknown-command": ["EVIL"],
    "bad-since": ["sync", "--url", "http://127.0.0.1:9", "--since", "EVIL"],
    "missing-token-file": ["sync", "--url", "http://127.0.0.1:9", "--token-file", "DIR/EVIL"],
}


def _args(args: list[str], cache: Path, folder: Path) -> list[str]:
    return [
        a.replace("CACHE", str(cache)).replace("DIR", str(folder)).replace("EVIL", EVIL)
        for a in args
    ]


NOT_QUOTED = {"bad-filter-key", "unclosed-quote"}  # these name the problem, not the input


@pytest.mark.parametrize("name", CASES)
def test_error_is_one_safe_line(cache: Path, tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(main, _args(CASES[name], cache, tmp_path), color=True)
    assert result.exit_code in (1, 2), result.output
    assert result.stderr.startswith("audit-explorer: ")
    assert result.stderr.count("\n") == 1 and result.stderr.endswith("\n")
    assert_terminal_safe(result.stderr)
    if name not in NOT_QUOTED:
        assert "[bold]B[/bold]" in result.stderr, "the input is quoted, as text"
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("args", USAGE.values(), ids=USAGE.keys())
def test_usage_errors_quote_input_safely(cache: Path, tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(main, _args(args, cache, tmp_path), color=True)
    assert result.exit_code == 2, result.output
    assert_terminal_safe(result.stderr)
    assert result.stderr.splitlines()[-1].startswith("Error: ")


def test_a_real_process_prints_one_escaped_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "explorer", "events", "--cache", str(tmp_path / f"{EVIL}.duckdb")],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 1
    err = result.stderr.decode("utf-8")
    assert err.count("\n") == 1 and err.startswith("audit-explorer: no cache at ")
    assert UNSAFE.search(err) is None and "\\x1b]0;owned\\x07" in err


def test_json_on_stdout_escapes_what_a_terminal_acts_on() -> None:
    text = "a\x7fb\x9bc\u202ed\u2069e é € \x85"
    out = json_safe(json.dumps(text, ensure_ascii=False).encode("utf-8"))
    assert json.loads(out) == text
    assert UNSAFE.search(out.decode("utf-8")) is None
    assert "é €".encode() in out  # ordinary characters stay as they are


@pytest.mark.parametrize("command", ["import", "sync"])
def test_cache_notices_about_a_hostile_path_are_escaped(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "evil-\x1b]0;owned\x07-dir"
    folder.mkdir()
    path = folder / "cache.duckdb"
    unversioned_cache(path)  # moved aside and rebuilt, with a notice naming both files
    source = folder / "in.ndjson"
    source.write_text(json.dumps(event()) + "\n", encoding="utf-8")
    with DemoServer([event()]) as server:
        args = {"import": ["import", str(source)], "sync": ["sync", "--url", server.url]}
        result = CliRunner().invoke(main, [*args[command], "--cache", str(path)], color=True)
    assert result.exit_code == 0, result.output
    assert "older audit-explorer" in result.stderr
    assert_terminal_safe(result.stderr + result.stdout)
