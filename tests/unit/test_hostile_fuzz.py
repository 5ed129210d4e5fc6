"""Fuzzing with a bounded budget: mutated hostile lines through reading, decoding and row
building; arbitrary filter values and query parameters as pure values. And a check that
every hypothesis test of the suite keeps a bounded budget (CI runs them on every check).
"""

from __future__ import annotations

import importlib
import inspect
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.client.files import EventReader, decode_record
from explorer.core.filters import events_sql, parse_filter, quote_value
from explorer.core.queries import parse_query, run_query
from explorer.errors import InputError
from explorer.ingest.batch import prepare
from explorer.ingest.importer import upsert
from explorer.models.decode import decode
from explorer.store.cache import Cache
from tests.factories import event
from tests.hostile import EVIL_STRINGS, corpus
from tests.unit.test_decode import assert_decoded_by_the_decoder

FETCHED = datetime(2026, 11, 21, tzinfo=UTC)
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
# small lines only: the megabyte and 10,000-deep ones are covered in test_hostile_limits
SMALL = [line for _, line in corpus() if len(line) < 5_000]
FUZZ_MODULES = ("test_decode", "test_files", "test_filters", "test_hostile_fuzz")
BUDGET = 500  # examples per test at most


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    line = bytearray(draw(st.sampled_from(SMALL)))
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, max(len(line) - 1, 0)))
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip" and line:
            line[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del line[at : at + draw(st.integers(1, 40))]
        else:
            line[at:at] = draw(st.sampled_from([b"[", b"{", b'"', b"\\", b"\x1b", b"\xff", b"\n"]))
    return bytes(line)


@settings(max_examples=250, deadline=None)
@given(st.lists(mutated(), min_size=1, max_size=4))
def test_mutated_hostile_lines_get_a_status_or_a_rejection(lines: list[bytes]) -> None:
    data = b"\n".join(lines) + b"\n"
    try:
        records = list(EventReader(io.BytesIO(data), name="fuzz"))
    except InputError as exc:  # a whole-input refusal is one line
        assert "\n" not in str(exc)
        return
    for record in records:
        # a status the issues justify (ok only without issues), never the crash fallback
        assert_decoded_by_the_decoder(decode_record(record))
    prepared = prepare(records, source="fuzz", fetched_at=FETCHED)
    assert len(prepared.rejected) + len(prepared.rows) <= len(records)


STORED = [*EVIL_STRINGS, "rr-plain", "50%", "a_b", "both \" and '"]


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path_factory.mktemp("fuzz") / "cache.duckdb"
    with Cache.open(path, notify=lambda _: None) as cache:
        upsert(cache, [decode(event(correlation_id=c)) for c in STORED], source="fuzz")
        yield cache.connection


def _count(conn: duckdb.DuckDBPyConnection) -> int:
    return int(conn.execute("SELECT count(*) FROM events").fetchall()[0][0])


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.sampled_from(STORED) | st.text(max_size=40))
def test_any_filter_value_is_only_a_value(conn: duckdb.DuckDBPyConnection, value: str) -> None:
    shape = parse_filter("corr:x -type:y", now=NOW)
    quoted = quote_value(value) if value else '""'
    flt = parse_filter(f"corr:{quoted} -type:{quoted}", now=NOW)
    if value:
        assert flt.where == shape.where
    sql, params = events_sql(flt, columns="correlation_id")
    found = [row[0] for row in conn.execute(sql, params).fetchall()]
    if value in STORED:
        assert value in found
    assert _count(conn) == len(STORED)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60))
def test_any_query_parameter_is_only_a_value(conn: duckdb.DuckDBPyConnection, value: str) -> None:
    query = parse_query(
        "-- param: v\nSELECT $v AS v, (SELECT count(*) FROM events WHERE correlation_id = $v) AS n"
    )
    rows = run_query(conn, query, {"v": value}).to_pylist()
    assert rows == [{"v": value, "n": STORED.count(value)}]
    assert _count(conn) == len(STORED)


def _hypothesis_tests(module: ModuleType) -> Iterator[tuple[str, Any]]:
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if getattr(function, "is_hypothesis_test", False):
            yield name, function


def test_every_fuzz_test_has_a_bounded_budget() -> None:
    found: dict[str, list[str]] = {}
    for module_name in FUZZ_MODULES:
        module = importlib.import_module(f"tests.unit.{module_name}")
        for name, function in _hypothesis_tests(module):
            budget = function._hypothesis_internal_use_settings
            assert budget.max_examples <= BUDGET, f"{module_name}.{name}"
            assert budget.deadline is None, f"{module_name}.{name}: no timing in tests"
            found.setdefault(module_name, []).append(name)
    # decode, input-shape detection and the filter parser are each fuzzed
    assert any("decode" in name for name in found["test_decode"])
    assert any("shape" in name for name in found["test_files"])
    assert any("parser" in name for name in found["test_filters"])
    assert len(found["test_hostile_fuzz"]) == 3
    assert Path(__file__).name == "test_hostile_fuzz.py"
