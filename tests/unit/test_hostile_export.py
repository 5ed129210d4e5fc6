"""The core on a cache built from the hostile corpus: exports read back exactly, every
built-in named query runs and exports, timelines build for every correlation ID."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from explorer.core.export import FORMATS, export_query, export_rows
from explorer.core.filters import events_sql, parse_filter
from explorer.core.queries import load_queries, query_rows
from explorer.core.timeline import build_timeline
from explorer.store.cache import Cache
from tests.hostile import ANSI, EVIL_ID, HUGE_CORR, MARKUP, hostile_cache, read_export

NOW = datetime(2026, 11, 21, tzinfo=UTC)


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = hostile_cache(tmp_path_factory.mktemp("hostile-core") / "hostile.duckdb")
    with Cache.open(path, read_only=True) as cache:
        yield cache.connection


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_carry_hostile_values_exactly(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, fmt: str
) -> None:
    sql, params = events_sql(parse_filter(""))
    out = tmp_path / f"all.{fmt}"
    result = export_query(conn, sql, params, out, fmt)
    rows = read_export(out, fmt)
    total = conn.execute("SELECT count(*) FROM events").fetchall()[0][0]
    assert result.rows == len(rows) == total
    by_id = {row["event_id"]: row for row in rows}
    assert by_id[EVIL_ID]["correlation_id"] == EVIL_ID
    types = {str(row["event_type"]) for row in rows}
    assert any(t.endswith(ANSI) for t in types) and any(t.endswith(MARKUP) for t in types)
    assert any(row["correlation_id"] == HUGE_CORR for row in rows)
    manifest = out.with_name(out.name + ".manifest.json")
    assert sorted(tmp_path.iterdir()) == [out, manifest], "no temporary file is left behind"


@pytest.mark.parametrize("name", sorted(load_queries()))
def test_every_builtin_query_runs_and_exports_on_hostile_data(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path, name: str
) -> None:
    query = load_queries()[name]
    for fmt in FORMATS:
        out = tmp_path / f"{name}.{fmt}"
        result = export_rows(query_rows(conn, query, {}, now=NOW), out, fmt)
        assert result.rows == len(read_export(out, fmt))


def test_a_timeline_for_every_correlation_id(conn: duckdb.DuckDBPyConnection) -> None:
    ids = [r[0] for r in conn.execute("SELECT DISTINCT correlation_id FROM events").fetchall()]
    assert len(ids) >= 8
    for corr in ids:
        if corr is None:
            continue
        timeline = build_timeline(conn, corr)
        assert timeline.steps and timeline.correlation_id == corr
        assert all(step.timestamp.tzinfo is not None for step in timeline.steps)
        stamps = [step.timestamp for step in timeline.steps]
        assert stamps == sorted(stamps)
