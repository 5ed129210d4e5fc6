"""Exports an auditor can check: the manifest beside every file export, verify_export,
CSV formula escaping, and export files readable by their owner only."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

import explorer
from explorer.core.export import FORMATS, export_query, export_rows, query_rows, write_rows
from explorer.core.filters import events_sql, parse_filter
from explorer.core.manifest import (
    filter_selection,
    manifest_path,
    public_url,
    query_selection,
    verify_export,
)
from explorer.errors import InputError
from explorer.ingest.importer import upsert
from explorer.models.decode import decode
from explorer.store.cache import Cache, save_watermark
from tests.factories import event

FORMULAS = {"=": '=HYPERLINK("http://x")', "+": "+1+1", "-": "-2+3", "@": "@SUM(A1)"}
FORMULAS |= {"\t": "\t=1", "\r": "\r=1"}
SAFE = ["plain", "a=b", " =1", "'quoted", "1-2"]
URL = "https://reader:s3cret@ds.example:8443/base?token=abc#frag"


def _events() -> list[dict[str, Any]]:
    texts = [*FORMULAS.values(), *SAFE]
    return [
        event(
            "gateway.signal.received",
            event_id=str(uuid.UUID(int=n + 1)),
            event_timestamp=f"2026-11-20T10:00:{n:02d}Z",
            actor_id=text,
            duration_ms=-5 if n == 0 else n,
        )
        for n, text in enumerate(texts)
    ]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cache]:
    path = tmp_path_factory.mktemp("manifest") / "cache.duckdb"
    with Cache.open(path, notify=lambda _: None) as db:
        events = [decode(e) for e in _events()]
        upsert(db, events[:3], source=URL)
        upsert(db, events[3:], source="/evidence/export-1.json")
        save_watermark(db, URL.replace("s3cret", "other"), "all", None)
        yield db


def _export(db: Cache, path: Path, fmt: str, **kwargs: Any) -> Any:
    sql, params = events_sql(parse_filter("service:gateway"))
    selection = filter_selection("service:gateway")
    return export_query(db.connection, sql, params, path, fmt, selection=selection, **kwargs)


def _manifest(path: Path) -> dict[str, Any]:
    return json.loads(manifest_path(path).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_round_trips_through_its_manifest(
    cache: Cache, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"out.{fmt}"
    result = _export(cache, out, fmt)
    assert result.manifest == manifest_path(out) == tmp_path / f"out.{fmt}.manifest.json"
    doc = _manifest(out)
    assert doc["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert doc["size"] == out.stat().st_size
    assert doc["rows"] == result.rows == len(_events())
    assert doc["format"] == fmt
    assert doc["selection"] == {"filter": "service:gateway"}
    assert doc["contract"] == cache.contract
    assert doc["cache"] == str(cache.path)
    assert doc["tool"] == {"name": "audit-explorer", "version": explorer.__version__}
    assert datetime.fromisoformat(doc["created_at"]).utcoffset() is not None
    assert ("csv_formulas" in doc) == (fmt == "csv")
    check = verify_export(out)
    assert check.ok and check.rows == len(_events()), check.differences
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name, manifest_path(out).name]


def test_sources_carry_urls_without_credentials(cache: Cache, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    _export(cache, out, "json")
    text = manifest_path(out).read_text(encoding="utf-8")
    assert "s3cret" not in text and "other" not in text and "token" not in text
    assert "reader" not in text and "frag" not in text
    sources = {s["source"]: s for s in _manifest(out)["sources"]}
    assert sources["https://ds.example:8443/base"]["url"] == "https://ds.example:8443/base"
    assert sources["https://ds.example:8443/base"]["events"] == 3
    assert sources["/evidence/export-1.json"]["url"] is None
    assert sources["/evidence/export-1.json"]["events"] == len(_events()) - 3


def test_public_url_drops_user_password_query_and_fragment() -> None:
    assert public_url(URL) == "https://ds.example:8443/base"
    assert public_url("http://[::1]:8080/x") == "http://[::1]:8080/x"


def test_a_named_query_records_its_bound_values_and_sql_digest() -> None:
    chosen = query_selection("failed", "SELECT 1", {"limit": 5})
    assert chosen == {
        "query": "failed",
        "params": {"limit": 5},
        "sql_sha256": hashlib.sha256(b"SELECT 1").hexdigest(),
    }


# -- verify_export finds every difference --------------------------------------------------


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle] = ord("x") if data[middle] != ord("x") else ord("y")
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_changed_byte_is_found(cache: Cache, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    _export(cache, out, fmt)
    _flip_a_byte(out)
    check = verify_export(out)
    assert not check.ok
    assert "its sha256 is not the manifest's" in check.differences


def _drop_a_row(path: Path, fmt: str) -> None:
    if fmt == "parquet":
        table = pq.read_table(path)
        pq.write_table(table.slice(1), path)
        return
    lines = path.read_bytes().splitlines(keepends=True)
    if fmt == "json":  # the first element's line goes: "[", "{...},", ...
        del lines[1]
    else:  # the first data line (after the CSV header)
        del lines[1 if fmt == "csv" else 0]
    path.write_bytes(b"".join(lines))


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_dropped_row_is_found_and_counted(cache: Cache, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    _export(cache, out, fmt)
    _drop_a_row(out, fmt)
    check = verify_export(out)
    assert check.rows == len(_events()) - 1
    assert f"{check.rows:,} rows, the manifest says {len(_events())}" in check.differences


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_wrong_row_count_in_the_manifest_is_found(cache: Cache, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    _export(cache, out, fmt)
    doc = _manifest(out)
    doc["rows"] += 1
    manifest_path(out).write_text(json.dumps(doc), encoding="utf-8")
    check = verify_export(out)
    assert check.differences == [f"{len(_events())} rows, the manifest says {doc['rows']}"]


def test_csv_rows_with_newlines_in_cells_count_once(tmp_path: Path) -> None:
    conn = duckdb.connect()
    out = tmp_path / "lines.csv"
    sql = "SELECT 'a\nb\r\nc' AS text, '{\"x\": \"\\n\"}'::JSON AS doc FROM range(3)"
    export_query(conn, sql, None, out, "csv")
    assert verify_export(out).rows == 3


def test_a_json_array_laid_out_otherwise_is_still_counted(cache: Cache, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    _export(cache, out, "json")
    doc = _manifest(out)
    out.write_text(json.dumps(json.loads(out.read_text(encoding="utf-8")), indent=2))
    check = verify_export(out)
    assert check.rows == doc["rows"] and "its sha256 is not the manifest's" in check.differences


def test_a_file_that_is_not_its_format_says_so(cache: Cache, tmp_path: Path) -> None:
    out = tmp_path / "out.ndjson"
    _export(cache, out, "ndjson")
    out.write_bytes(out.read_bytes() + b"{not json\n")
    check = verify_export(out)
    assert check.rows is None
    assert any("does not read as ndjson" in d for d in check.differences)


@pytest.mark.parametrize(
    ("manifest", "says"),
    [
        (None, "no manifest"),
        (b"{oops", "is not JSON"),
        (b"[]", "is not a JSON object"),
        (b'{"sha256": "x", "size": 1, "rows": "3", "format": "csv"}', "no valid 'rows'"),
        (b'{"sha256": "x", "size": 1, "rows": 3, "format": "xlsx"}', "unknown format"),
    ],
)
def test_a_missing_or_unreadable_manifest_is_an_input_error(
    tmp_path: Path, manifest: bytes | None, says: str
) -> None:
    out = tmp_path / "out.csv"
    out.write_text("a\n1\n")
    if manifest is not None:
        manifest_path(out).write_bytes(manifest)
    with pytest.raises(InputError, match=says) as caught:
        verify_export(out)
    assert caught.value.exit_code == 2 and "\n" not in str(caught.value)


def test_an_export_without_facts_removes_the_old_manifest(cache: Cache, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    _export(cache, out, "csv")
    sql, params = events_sql(parse_filter(""))
    result = export_rows(query_rows(cache.connection, sql, params), out, "csv")
    assert result.manifest is None
    assert not manifest_path(out).exists(), "a manifest never describes another file"


def test_a_failed_export_keeps_the_old_file_and_manifest(cache: Cache, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    _export(cache, out, "csv")
    before = out.read_bytes(), manifest_path(out).read_bytes()
    with pytest.raises(Exception, match="failed"):
        export_query(cache.connection, "SELECT error('boom')", None, out, "csv")
    assert (out.read_bytes(), manifest_path(out).read_bytes()) == before
    assert verify_export(out).ok


# -- CSV formulas -------------------------------------------------------------------------


def _csv_by_id(text: str) -> dict[int, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(text, newline=""))
    return {uuid.UUID(row["event_id"]).int - 1: row for row in rows}


def test_a_csv_file_escapes_each_formula_start(cache: Cache, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    _export(cache, out, "csv")
    rows = _csv_by_id(out.read_bytes().decode())  # a CR kept as it is
    for n, text in enumerate(FORMULAS.values()):
        assert rows[n]["actor_id"] == "'" + text, repr(text)
    for n, text in enumerate(SAFE, len(FORMULAS)):
        assert rows[n]["actor_id"] == text
    assert rows[0]["duration_ms"] == "-5", "a number in a numeric column stays a number"
    assert _manifest(out)["csv_formulas"] == "escaped"


def test_csv_exact_writes_values_untouched(cache: Cache, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    _export(cache, out, "csv", csv_exact=True)
    rows = _csv_by_id(out.read_bytes().decode())  # a CR kept as it is
    for n, text in enumerate(FORMULAS.values()):
        assert rows[n]["actor_id"] == text
    assert _manifest(out)["csv_formulas"] == "exact"


def test_csv_to_a_stream_stays_exact(cache: Cache) -> None:
    sql, params = events_sql(parse_filter(""))
    out = io.BytesIO()
    write_rows(query_rows(cache.connection, sql, params), out, "csv")
    rows = _csv_by_id(out.getvalue().decode())
    assert [rows[n]["actor_id"] for n in range(len(FORMULAS))] == list(FORMULAS.values())


def test_other_formats_are_never_escaped(cache: Cache, tmp_path: Path) -> None:
    out = tmp_path / "out.ndjson"
    _export(cache, out, "ndjson")
    actors = {json.loads(line)["actor_id"] for line in out.read_text().splitlines()}
    assert set(FORMULAS.values()) <= actors


# -- owner only -------------------------------------------------------------------------------


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would make new files 0644, as a shell's default does."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_and_manifest_are_owner_only(
    cache: Cache, tmp_path: Path, fmt: str, open_umask: None
) -> None:
    out = tmp_path / f"out.{fmt}"
    _export(cache, out, fmt)
    assert out.stat().st_mode & 0o777 == 0o600
    assert manifest_path(out).stat().st_mode & 0o777 == 0o600


def test_a_header_a_spreadsheet_would_run_is_escaped_too(tmp_path: Path) -> None:
    conn = duckdb.connect()  # a PIVOT turns event values into column names
    sql = 'SELECT 1 AS "=cmd|\' /C calc\'!A0", 2 AS plain, -3 AS "-x"'
    export_query(conn, sql, None, tmp_path / "escaped.csv", "csv")
    export_query(conn, sql, None, tmp_path / "exact.csv", "csv", csv_exact=True)
    escaped = (tmp_path / "escaped.csv").read_text().splitlines()
    assert next(csv.reader(escaped[:1])) == ["'=cmd|' /C calc'!A0", "plain", "'-x"]
    assert escaped[1] == "1,2,-3"
    exact = (tmp_path / "exact.csv").read_text().splitlines()
    assert next(csv.reader(exact[:1])) == ["=cmd|' /C calc'!A0", "plain", "-x"]
