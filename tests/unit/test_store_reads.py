"""The store's reads: export columns follow the schema, JSON comes back parsed, and a
DuckDB error is a StoreError of one line, wherever it happens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pytest

from explorer.errors import StoreError
from explorer.ingest.importer import upsert
from explorer.models.decode import decode
from explorer.store import counts, reads
from explorer.store.cache import Cache
from explorer.store.connection import first_line
from explorer.store.results import result_table, stream_rows
from explorer.store.schema import COLUMN_NAMES, COLUMNS, EXPORT_COLUMNS, JSON_COLUMNS
from tests.factories import event

ID = "00000000-0000-4000-8000-000000000001"


def test_export_columns_are_every_column_but_fetched_at_and_the_conflict_flag() -> None:
    names = [column.split(" AS ")[-1] for column in EXPORT_COLUMNS.split(", ")]
    assert sorted(names) == sorted([n for n in COLUMN_NAMES if n != "fetched_at"] + ["conflict"])
    assert names[:2] == ["event_id", "event_timestamp"]
    # the envelope in table order, then where it came from, what decoding found, the payload
    tail = ["extra", "source", "decode_status", "decode_issues", "decode_fits", "conflict"]
    tail.append("event_data")
    assert names[-len(tail) :] == tail
    envelope = names[: -len(tail) + 1]
    assert envelope == [n for n in COLUMN_NAMES if n in envelope]


def test_json_columns_are_the_json_typed_columns() -> None:
    assert {name for name, sql in COLUMNS if "JSON" in sql} == JSON_COLUMNS
    assert {"event_data", "extra", "decode_issues", "decode_fits"} == JSON_COLUMNS


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cache]:
    path = tmp_path_factory.mktemp("reads") / "cache.duckdb"
    stored = event(event_id=ID, correlation_id="rr-1", surplus={"a": 1})
    stored["event_data"]["undeclared"] = True  # drift: decode_fits is filled
    with Cache.open(path, notify=lambda _: None) as cache:
        upsert(cache, [decode(stored)], source="test")
        yield cache


def test_an_event_row_has_its_json_columns_parsed(cache: Cache) -> None:
    row = reads.event_row(cache.cursor(), ID)
    assert row is not None and list(row) == list(COLUMN_NAMES)
    assert row["extra"] == {"surplus": {"a": 1}}
    assert row["event_data"]["undeclared"] is True
    assert isinstance(row["decode_issues"], list) and isinstance(row["decode_fits"], dict)
    assert reads.event_row(cache.cursor(), "absent") is None


def test_window_rows_have_event_data_parsed(cache: Cache) -> None:
    start, rows = reads.EventPages().window(cache.cursor(), 0, 10)
    assert start == 0 and [r[0] for r in rows] == [ID]
    assert dict(zip(reads.ROW_COLUMNS, rows[0], strict=True))["event_data"]["undeclared"] is True


Read = Callable[[duckdb.DuckDBPyConnection], Any]
READS: list[tuple[str, Read]] = [
    ("cannot read the cache", lambda c: reads.EventPages().count(c)),
    ("cannot read the cache", lambda c: reads.event_row(c, ID)),
    ("cannot read the timeline", lambda c: reads.timeline_rows(c, "rr-1")),
    ("cannot read values of service", lambda c: reads.distinct_values(c, "service", "%", 5)),
    ("cannot read the cache", lambda c: counts.mismatch_rows(c, "TRUE", [])),
    ("cannot read the cache", lambda c: counts.fits_rows(c, "TRUE", [])),
    ("cannot read the cache", lambda c: counts.outcome_rows(c, "TRUE", [])),
    ("cannot read the cache", lambda c: counts.time_span(c, "TRUE", [])),
    ("query failed", lambda c: stream_rows(c, "SELECT * FROM events", what="query failed")),
    ("query x failed", lambda c: result_table(c, "SELECT * FROM events", what="query x failed")),
]


@pytest.mark.parametrize(("what", "read"), READS)
def test_a_duckdb_error_is_a_store_error_of_one_line(what: str, read: Read) -> None:
    empty = duckdb.connect()  # no events table: every read fails inside DuckDB
    with pytest.raises(StoreError) as caught:
        read(empty)
    message = str(caught.value)
    assert message.startswith(f"{what}: Catalog Error") and "\n" not in message


def test_error_messages_escape_control_characters() -> None:
    with pytest.raises(StoreError) as caught:
        stream_rows(duckdb.connect(), "SELECT CAST(? AS INTEGER)", ["\x1b[31m"], what="x")
    assert "\x1b" not in str(caught.value) and "\\x1b[31m" in str(caught.value)
    assert first_line(ValueError("one\ntwo")) == "one" and first_line(ValueError()) == "ValueError"
