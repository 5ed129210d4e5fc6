"""Exports round-trip: CSV, JSON, NDJSON and Parquet read back to the same data."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from explorer.core.export import Rows, export_query, query_rows, write_rows
from explorer.core.filters import events_sql, parse_filter
from explorer.errors import ExportError
from explorer.ingest.importer import upsert
from explorer.models.decode import decode
from explorer.store.cache import Cache
from tests.factories import event

ID = {f"e{n}": str(uuid.UUID(int=n)) for n in (1, 2, 3)}
NAME = {v: k for k, v in ID.items()}
TRICKY = 'comma, "quote", new\nline, tab\t, ünïcode ✓, =1+1'


def _events() -> list[dict[str, Any]]:
    nested = event(
        "gateway.signal.received",
        event_id=ID["e1"],
        event_timestamp="2026-11-20T10:00:00.123456Z",
        duration_ms=1500,
        is_sensitive=True,
        error_message=TRICKY,
    )
    nested["event_data"]["extra_field"] = {"deep": [1, 2.5, None, {"x": TRICKY}]}  # drift
    broken = event("orchestrator.lifecycle.failed", event_id=ID["e2"], event_outcome="failure")
    broken["event_data"] = {"event_type": "gateway.signal.received"}  # mismatch
    plain = event(
        "gateway.signal.received", event_id=ID["e3"], event_timestamp="2026-11-19T00:00:00Z"
    )
    return [nested, broken, plain]


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path = tmp_path_factory.mktemp("export") / "cache.duckdb"
    with Cache.open(path, notify=lambda _: None) as cache:
        upsert(cache, [decode(e) for e in _events()], source="test")
        yield cache.connection


def _export(conn: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> int:
    sql, params = events_sql(parse_filter(""))
    result = export_query(conn, sql, params, path, fmt)
    assert result.path == path
    return result.rows


def _by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {NAME[row["event_id"]]: row for row in rows}


SOURCE = {NAME[e["event_id"]]: e for e in _events()}


def _check_nested(rows: list[dict[str, Any]]) -> None:
    got = _by_id(rows)
    assert list(got) == ["e1", "e2", "e3"]  # newest first
    for event_id, original in SOURCE.items():
        assert got[event_id]["event_data"] == original["event_data"]
    assert got["e1"]["decode_status"] == "drift"
    assert got["e1"]["decode_issues"][0]["kind"] == "unexpected_field"
    assert got["e2"]["decode_status"] == "discriminator_mismatch"
    assert got["e1"]["error_message"] == TRICKY
    assert got["e1"]["duration_ms"] == 1500 and got["e1"]["is_sensitive"] is True
    assert got["e3"]["parent_event_id"] is None


def test_json_round_trip(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    assert _export(conn, path, "json") == 3
    rows = json.loads(path.read_text(encoding="utf-8"))
    _check_nested(rows)
    assert rows[0]["event_timestamp"] == "2026-11-20T10:00:00.123456+00:00"


def test_ndjson_round_trip(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "out.ndjson"
    assert _export(conn, path, "ndjson") == 3
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    _check_nested([json.loads(line) for line in lines])


def test_csv_round_trip(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    assert _export(conn, path, "csv") == 3
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    got = _by_id(rows)
    assert list(got) == ["e1", "e2", "e3"]
    for event_id, original in SOURCE.items():
        assert json.loads(got[event_id]["event_data"]) == original["event_data"]
    assert got["e1"]["error_message"] == TRICKY
    assert got["e1"]["is_sensitive"] == "true" and got["e1"]["duration_ms"] == "1500"
    assert datetime.fromisoformat(got["e1"]["event_timestamp"]).microsecond == 123456
    assert got["e3"]["parent_event_id"] == ""
    assert json.loads(got["e1"]["decode_issues"])[0]["kind"] == "unexpected_field"


def test_parquet_round_trip_keeps_types(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    assert _export(conn, path, "parquet") == 3
    table = pq.read_table(path)
    schema = table.schema
    assert pa.types.is_timestamp(schema.field("event_timestamp").type)
    assert schema.field("event_timestamp").type.tz is not None
    assert schema.field("duration_ms").type == pa.int32()
    assert schema.field("is_sensitive").type == pa.bool_()
    assert schema.field("event_date").type == pa.date32()
    assert schema.field("event_data").type == pa.json_(pa.utf8())
    rows = table.to_pylist()
    for row in rows:
        for name in ("event_data", "decode_issues", "extra"):
            row[name] = json.loads(row[name]) if row[name] is not None else None
    _check_nested(rows)
    # DuckDB reads the JSON columns back as JSON, so they can be queried as such.
    back = duckdb.connect()
    described = dict(
        (r[0], r[1])
        for r in back.execute(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    )
    assert described["event_data"] == "JSON"
    assert described["event_timestamp"] == "TIMESTAMP WITH TIME ZONE"
    deep = back.execute(
        f"SELECT event_data->'extra_field'->'deep'->>3 FROM '{path}' WHERE event_id=?",
        [ID["e1"]],
    ).fetchone()
    assert json.loads(deep[0]) == {"x": TRICKY}  # type: ignore[index]


def test_stream_to_stdout(conn: duckdb.DuckDBPyConnection) -> None:
    sql, params = events_sql(parse_filter("status:drift"))
    out = io.BytesIO()
    assert write_rows(query_rows(conn, sql, params), out, "json") == 1
    assert json.loads(out.getvalue())[0]["event_id"] == ID["e1"]
    with pytest.raises(ExportError, match="unknown export format 'parquet'"):
        write_rows(query_rows(conn, sql, params), io.BytesIO(), "parquet")


def test_empty_results(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    sql, params = events_sql(parse_filter("corr:nothing-like-this"))
    for fmt in ("json", "ndjson", "csv", "parquet"):
        path = tmp_path / f"empty.{fmt}"
        assert export_query(conn, sql, params, path, fmt).rows == 0
    assert json.loads((tmp_path / "empty.json").read_text()) == []
    assert (tmp_path / "empty.ndjson").read_text() == ""
    header = next(csv.reader((tmp_path / "empty.csv").open(newline="")))
    assert header[:2] == ["event_id", "event_timestamp"] and header[-1] == "event_data"
    assert pq.read_table(tmp_path / "empty.parquet").num_rows == 0


def test_other_types_from_named_queries(tmp_path: Path) -> None:
    conn = duckdb.connect()
    sql = (
        "SELECT INTERVAL 90 MINUTE AS span, 1.25::DECIMAL(6, 2) AS price, [1, 2] AS list, "
        "{'k': 'v'} AS struct, '{\"a\": 1}'::JSON AS doc"
    )
    export_query(conn, sql, None, tmp_path / "x.parquet", "parquet")
    row = pq.read_table(tmp_path / "x.parquet").to_pylist()[0]
    assert "1:30:00" in row["span"] and row["list"] == [1, 2] and row["struct"] == {"k": "v"}
    export_query(conn, sql, None, tmp_path / "x.json", "json")
    doc = json.loads((tmp_path / "x.json").read_text())[0]
    assert doc["price"] == 1.25 and doc["doc"] == {"a": 1} and doc["struct"] == {"k": "v"}
    export_query(conn, sql, None, tmp_path / "x.csv", "csv")
    cells = next(csv.DictReader((tmp_path / "x.csv").open(newline="")))
    assert json.loads(cells["list"]) == [1, 2] and json.loads(cells["struct"]) == {"k": "v"}


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_unwritable_path_is_one_line_and_leaves_nothing(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    with pytest.raises(ExportError) as caught:
        _export(conn, tmp_path / "missing-dir" / "out.csv", "csv")
    assert "\n" not in str(caught.value) and "missing-dir" in str(caught.value)
    with pytest.raises(ExportError, match="is a directory"):
        _export(conn, tmp_path, "json")
    assert _leftovers(tmp_path) == []


def test_failure_midway_keeps_the_old_file(tmp_path: Path) -> None:
    conn = duckdb.connect()
    target = tmp_path / "out.ndjson"
    target.write_text("previous export\n")
    # The error happens while rows are streamed, after the file was started.
    sql = (
        "SELECT CASE WHEN i < 30000 THEN i ELSE error('boom at ' || i) END AS n "
        "FROM range(40000) t(i)"
    )
    with pytest.raises(ExportError) as caught:
        export_query(conn, sql, None, target, "ndjson")
    assert "boom" in str(caught.value) and "\n" not in str(caught.value)
    assert target.read_text() == "previous export\n"
    assert _leftovers(tmp_path) == ["out.ndjson"]


def test_rows_from_a_table(tmp_path: Path) -> None:
    table = pa.table({"a": [1, 2], "doc": ['{"x": 1}', None]})
    result = Rows.from_table(table, frozenset({"doc"}))
    out = io.BytesIO()
    assert write_rows(result, out, "ndjson") == 2
    lines = out.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"a": 1, "doc": {"x": 1}},
        {"a": 2, "doc": None},
    ]
    assert lines[0] == b'{"a":1,"doc":{"x": 1}}'  # JSON columns are written exactly as stored
