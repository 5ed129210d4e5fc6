"""Huge and deep input: memory stays a bounded multiple of the line, nesting never crashes.

Memory is measured with tracemalloc (Python allocations, which is where a ballooning
decode would show), with generous bounds and no timing.
"""

from __future__ import annotations

import json
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from explorer.client.files import EventReader, decode_record
from explorer.core.export import export_query
from explorer.core.filters import events_sql, parse_filter
from explorer.ingest.batch import ImportResult
from explorer.ingest.importer import import_files
from explorer.models.decode import Status, decode
from explorer.store.cache import Cache
from tests.factories import event
from tests.hostile import MEGABYTE, corpus

MB = 1_000_000


def _peak(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with Cache.open(tmp_path / "cache.duckdb", notify=lambda _: None) as db:
        yield db


def _file(tmp_path: Path, *lines: bytes) -> Path:
    path = tmp_path / f"in-{uuid.uuid4().hex[:8]}.ndjson"
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def _line(name: str) -> bytes:
    return dict(corpus())[name]


OK = json.dumps(event()).encode()  # a first line keeps the file NDJSON, not one document


@pytest.mark.parametrize(
    "name", ["megabyte-strings-in-many-fields", "one-megabyte-string"], ids=["5-MB", "1-MB"]
)
def test_a_huge_line_costs_a_bounded_multiple_of_its_size(
    cache: Cache, tmp_path: Path, name: str
) -> None:
    line = _line(name)
    path = _file(tmp_path, OK, line)
    results: list[ImportResult] = []
    peak = _peak(lambda: results.append(import_files(cache, [path])))
    assert results[0].new == 2 and results[0].rejected_count == 0
    assert peak < 25 * len(line) + 10 * MB, f"{peak / MB:.0f} MB for a {len(line) / MB:.0f} MB line"
    validate_peak = _peak(lambda: [decode_record(r) for r in EventReader(path)])
    assert validate_peak < 25 * len(line) + 10 * MB


def test_a_batch_of_huge_lines_costs_about_their_size(cache: Cache, tmp_path: Path) -> None:
    def big(index: int) -> bytes:
        raw = event(event_id=str(uuid.UUID(int=index)))
        raw["event_data"]["signal_name"] = "S" * MEGABYTE
        return json.dumps(raw).encode()

    one = _peak(lambda: import_files(cache, [_file(tmp_path, big(0))]))
    sixteen = _peak(lambda: import_files(cache, [_file(tmp_path, *map(big, range(1, 17)))]))
    # a batch holds its rows (about their size); not a multiple of the 15x one line costs
    # (the batch is counted in rows, not bytes: 10,000 such lines would all be held)
    assert sixteen < one + 16 * 3 * MEGABYTE, f"{one / MB:.0f} MB vs {sixteen / MB:.0f} MB"
    assert cache.count() == 17


@pytest.mark.parametrize(
    "name",
    ["deep-nesting", "deep-nesting-inside-a-valid-event", "deep-objects-in-event-data"],
)
def test_deep_nesting_is_a_reported_rejection_in_little_memory(
    cache: Cache, tmp_path: Path, name: str
) -> None:
    path = _file(tmp_path, OK, _line(name))
    results: list[ImportResult] = []
    peak = _peak(lambda: results.append(import_files(cache, [path])))
    result = results[0]
    assert result.new == 1 and result.rejected_count == 1
    assert result.rejected[0].locator == "line 2"
    assert "depth" in result.rejected[0].reason
    assert peak < 5 * MB


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("depth", [100, 250, 600])
def test_deep_but_readable_nesting_is_stored_and_exported(
    cache: Cache, tmp_path: Path, depth: int
) -> None:
    raw = event(event_id=str(uuid.UUID(int=depth)))
    raw["event_data"]["deep"] = _nested(depth)
    path = _file(tmp_path, OK, json.dumps(raw).encode())
    result = import_files(cache, [path])
    assert result.new == 2 and result.rejected_count == 0
    sql, params = events_sql(parse_filter(""))
    for fmt in ("json", "ndjson", "csv", "parquet"):
        out = tmp_path / f"deep.{fmt}"
        assert export_query(cache.connection, sql, params, out, fmt).rows == 2


def test_an_undeclared_deep_field_is_drift_not_invalid() -> None:
    raw = event()
    raw["event_data"]["deep"] = _nested(220)
    decoded = decode(raw)
    assert [issue.kind for issue in decoded.issues] == ["unexpected_field"]
    assert decoded.status == Status.DRIFT


def test_nesting_just_below_the_read_limit_does_not_crash_the_import(
    cache: Cache, tmp_path: Path
) -> None:
    # written out by hand: json.dumps itself cannot write 1,010 levels
    deep = "[" * 1010 + "]" * 1010
    line = (json.dumps(event())[:-1] + f', "deep": {deep}}}').encode()
    result = import_files(cache, [_file(tmp_path, OK, line)])
    assert result.new + result.rejected_count == 2
