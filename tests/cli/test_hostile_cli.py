"""The hostile corpus through every CLI path: import, events (every format), timeline, query.

Machine formats carry the data exactly as received; everything meant for a terminal (the
table, the timeline text, the import summary, every error line) is escaped. Outputs are
checked with colour on (``color=True``), so click does not strip escape sequences for us.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from explorer.cli import events as events_cli
from explorer.cli import main
from explorer.store.cache import Cache
from tests.hostile import (
    ANSI,
    EVIL_ID,
    HUGE_CORR,
    MARKUP,
    corpus,
    corpus_ndjson,
    duplicates_of,
    hostile_cache,
    read_export,
)

# Anything a terminal would act on: C0 controls but newline, DEL, C1, bidi overrides.
UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
FORMATS = ("csv", "json", "ndjson", "parquet")


def run(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin, color=True)


def assert_terminal_safe(text: str) -> None:
    found = UNSAFE.search(text)
    assert found is None, f"raw {found.group()!r} at {found.start()}: {text[:200]!r}"
    assert "Traceback" not in text


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_cache(tmp_path_factory.mktemp("hostile-cli") / "hostile.duckdb")


def stored(cache: Path, sql: str = "SELECT count(*) FROM events") -> Any:
    with Cache.open(cache, read_only=True) as db:
        return db.connection.execute(sql).fetchall()


def count(cache: Path) -> int:
    return int(stored(cache)[0][0])


# -- import ----------------------------------------------------------------------------------


def test_import_in_a_real_process_reports_every_line_safely(tmp_path: Path) -> None:
    source = tmp_path / "hostile.ndjson"
    source.write_bytes(corpus_ndjson())
    target = tmp_path / "cache.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "explorer", "import", str(source), "--cache", str(target)],
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")
    assert_terminal_safe(out)
    assert_terminal_safe(result.stderr.decode("utf-8"))
    numbers = {
        key: int(value.replace(",", ""))
        for key, value in re.findall(
            r"^\s+(stored new|already stored|rejected)\s+([\d,]+)$", out, re.M
        )
    }
    read = int(out.split(" events read", 1)[0].replace(",", ""))
    assert read == len(corpus())
    assert sum(numbers.values()) == read
    assert count(target) == numbers["stored new"]


def test_rejected_lines_with_escapes_are_shown_escaped(tmp_path: Path) -> None:
    lines = [
        json.dumps({"event_id": MARKUP, "event_timestamp": ANSI}).encode(),
        json.dumps({"event_id": ANSI, "event_timestamp": MARKUP}).encode(),
        b'{"event_id": "\x1b]0;title\x07", "\x9b": 1',
        json.dumps([ANSI]).encode(),
    ]
    source = tmp_path / ("evil-\x1b[31m-name.ndjson")
    source.write_bytes(b"\n".join(lines) + b"\n")
    result = run("import", str(source), "--cache", str(tmp_path / "c.duckdb"))
    assert result.exit_code == 0, result.output
    assert_terminal_safe(result.stdout)
    assert "rejected                   4" in result.stdout
    assert "'\\x1b[2J" in result.stdout and "'[reverse]x[/reverse]" in result.stdout


def test_ids_duplicated_with_other_content_across_files(tmp_path: Path) -> None:
    first = tmp_path / "first.ndjson"
    first.write_bytes(corpus_ndjson())
    target = tmp_path / "dup.duckdb"
    one = run("import", str(first), "--cache", str(target))
    before = count(target)
    second = tmp_path / "second.ndjson"
    second.write_bytes(
        duplicates_of(row[0] for row in stored(target, "SELECT event_id FROM events"))
    )
    two = run("import", str(second), "--cache", str(target))
    assert one.exit_code == two.exit_code == 0, two.output
    assert_terminal_safe(two.stdout)
    assert count(target) == before, "the same ids must never add rows"
    assert f"already stored  {before:>12,}" in two.stdout
    # the first version stays, row for row; the second file's are kept aside and counted
    assert ("rr-second-file",) not in stored(target, "SELECT correlation_id FROM events")
    assert f"{before:,} events arrived again with different content" in two.stdout
    kept = stored(target, "SELECT count(DISTINCT event_id) FROM event_conflicts")
    assert kept == [(before,)]


@pytest.mark.parametrize("fmt", ["json", "ndjson", "text"])
def test_validate_output_is_terminal_safe(tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "hostile.ndjson"
    source.write_bytes(corpus_ndjson())
    result = run("validate", str(source), "--format", fmt)
    assert result.exit_code == 1
    assert_terminal_safe(result.stdout)
    if fmt == "ndjson":
        assert len(result.stdout.splitlines()) == len(corpus())


# -- events ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_carries_every_hostile_event_exactly(
    cache: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"out.{fmt}"
    result = run("events", "--cache", str(cache), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert_terminal_safe(result.stderr)
    rows = read_export(out, fmt)
    assert len(rows) == count(cache)
    by_id = {row["event_id"]: row for row in rows}
    assert by_id[EVIL_ID]["correlation_id"] == EVIL_ID  # data, byte for byte
    huge = next(row for row in rows if row["event_id"].endswith("7d0"))
    assert huge["correlation_id"] == HUGE_CORR and huge["actor_id"] == "A" * 1_000_000
    assert any(str(row["event_type"]).endswith(ANSI) for row in rows)


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_stdout_formats_parse(cache: Path, fmt: str) -> None:
    result = CliRunner().invoke(main, ["events", "--cache", str(cache), "--format", fmt])
    assert result.exit_code == 0, result.output
    text = result.stdout
    if fmt != "csv":  # JSON can escape everything a terminal acts on, losslessly
        assert_terminal_safe(text)
    if fmt == "json":
        rows = json.loads(text)
    elif fmt == "ndjson":
        rows = [json.loads(line) for line in text.splitlines()]
    else:
        csv.field_size_limit(sys.maxsize)
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == count(cache)


def test_csv_on_a_terminal_shows_escapes_and_stays_exact_in_a_pipe(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    piped = run("events", "--cache", str(cache), "--format", "csv")
    assert "\x1b]0;owned-title\x07" in piped.stdout  # a pipe gets the data exactly
    monkeypatch.setattr(events_cli, "stdout_is_terminal", lambda: True)
    shown = run("events", "--cache", str(cache), "--format", "csv")
    assert shown.exit_code == 0
    assert_terminal_safe(shown.stdout)
    assert "\\x1b]0;owned-title\\x07" in shown.stdout
    assert shown.stdout.count("\n") == piped.stdout.count("\n")  # rows and newlines kept


def test_table_shows_escapes_as_text_and_cuts_long_cells(cache: Path) -> None:
    result = run("events", "--cache", str(cache), "--format", "table", "--limit", "1000")
    assert result.exit_code == 0, result.output
    assert_terminal_safe(result.stdout)
    lines = result.stdout.splitlines()
    assert len(lines) == 2 + count(cache)
    assert max(len(line) for line in lines) < 800, "megabyte cells are cut"
    assert any("\\x1b[2J" in line for line in lines)
    assert any("[reverse]x[/reverse]" in line for line in lines)
    assert any("  0001-01-01 " in line for line in lines)
    assert any("  9999-12-31 " in line for line in lines)


@pytest.mark.parametrize(
    "expr",
    [
        f"corr:{json.dumps(EVIL_ID)}",
        json.dumps(MARKUP),
        "'; DROP TABLE events; --",
        'corr:"\\x00"',
        "$1",
        "service:*",
    ],
)
def test_filters_on_hostile_values_are_safe(cache: Path, expr: str) -> None:
    before = count(cache)
    result = run("events", expr, "--cache", str(cache), "--format", "table")
    assert_terminal_safe(result.stdout + result.stderr)
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("audit-explorer: ")
    assert count(cache) == before


# -- timeline --------------------------------------------------------------------------------


def test_timeline_of_every_hostile_correlation_id(cache: Path) -> None:
    ids = [row[0] for row in stored(cache, "SELECT DISTINCT correlation_id FROM events")]
    assert EVIL_ID in ids and HUGE_CORR in ids and "rr-\x00-nul" in ids
    for corr in ids:
        if corr is None:
            continue
        text = run("timeline", corr, "--cache", str(cache))
        assert text.exit_code == 0, text.output[:300]
        assert_terminal_safe(text.stdout)
        assert max(len(line) for line in text.stdout.splitlines()) < 800, "cells are cut"
        data = run("timeline", corr, "--cache", str(cache), "--format", "json")
        assert data.exit_code == 0
        parsed = json.loads(data.stdout)
        assert parsed["correlation_id"] == corr and parsed["events"] == len(parsed["steps"])


# -- named queries ---------------------------------------------------------------------------

NASTY = [
    "'; DROP TABLE events; --",
    "$1",
    "$since",
    "1); DELETE FROM events; --",
    "/* */ OR 1=1",
    "\\'",
    '"; DROP VIEW x; --',
    "\x00",
    ANSI,
]


@pytest.mark.parametrize("value", NASTY)
@pytest.mark.parametrize(
    ("name", "param"), [("latest-state", "since"), ("slowest-workflows", "limit")]
)
def test_builtin_query_parameters_never_become_sql(
    cache: Path, name: str, param: str, value: str
) -> None:
    before = count(cache)
    result = run("query", name, "--cache", str(cache), "-p", f"{param}={value}", "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"audit-explorer: query {name}: parameter {param}: ")
    assert result.stderr.count("\n") == 1
    assert_terminal_safe(result.stderr)
    assert count(cache) == before


@pytest.mark.parametrize("value", NASTY)
def test_text_parameters_are_bound_as_values(cache: Path, tmp_path: Path, value: str) -> None:
    sql = tmp_path / "echo.sql"
    sql.write_text(
        "-- name: echo\n-- description: echo\n-- param: v\n"
        "SELECT $v AS v, (SELECT count(*) FROM events) AS n, "
        "(SELECT count(*) FROM events WHERE correlation_id = $v) AS hits\n",
        encoding="utf-8",
    )
    before = count(cache)
    result = run("query", str(sql), "--cache", str(cache), "-p", f"v={value}", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"v": value, "n": before, "hits": 0}]
    assert count(cache) == before
