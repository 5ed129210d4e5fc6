"""Write query results to CSV, JSON, NDJSON or Parquet; shared by the CLI and the TUI.

- CSV (RFC 4180, written by Arrow): one header row; nested values (JSON columns, lists,
  structs) as JSON text, times as ``2026-11-20 10:00:00.123000Z``, booleans as
  ``true``/``false``, NULL as an empty field.
- JSON (one array) and NDJSON: JSON columns such as ``event_data`` and ``decode_issues``
  are nested data, not strings.
- Parquet: the column types DuckDB gives (TIMESTAMPTZ, INTEGER, BOOLEAN, ...); JSON columns
  are string columns with the Parquet JSON logical type (``arrow.json`` in pyarrow, ``JSON``
  when DuckDB reads the file back). Intervals become text.

A file is written to a temporary name in the target directory and renamed when complete,
so an error never leaves a partial file behind. Files are readable by their owner only.

Every file export from a cursor also writes ``<file>.manifest.json`` (see
``explorer.core.manifest``). The old manifest is removed first, then the file renamed into
place, then its new manifest: a crash leaves a file without a manifest, never a manifest
that describes another file.

CSV written to a file escapes formulas as OWASP recommends: a text cell (or a column name)
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
``'``, so a spreadsheet shows it instead of running it. Numbers in numeric columns (``-5`` in
``duration_ms``) are left alone: a spreadsheet reads them as numbers, and they cannot hold
a formula. JSON text in a CSV cell is text and is escaped too. ``csv_exact`` writes every
value untouched; a stream (stdout) is always exact.
"""

from __future__ import annotations

import base64
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import IO, Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from explorer.core.manifest import (
    CSV_ESCAPED,
    CSV_EXACT,
    MANIFEST_SUFFIX,
    Provenance,
    manifest_json,
    manifest_path,
    provenance,
    sql_selection,
    write_private,
)
from explorer.errors import ExportError, StoreError
from explorer.store.connection import Cursor, first_line
from explorer.store.results import Rows as Rows  # re-exported: what the writers take
from explorer.store.results import stream_rows

FORMATS = ("csv", "json", "ndjson", "parquet")
STREAM_FORMATS = ("csv", "json", "ndjson")


_FORMULA = r"^([=+\-@\t\r])"  # what a spreadsheet may run: OWASP's CSV injection list


@dataclass(frozen=True)
class ExportResult:
    rows: int
    path: Path | None  # None when written to a stream
    manifest: Path | None = None


def query_rows(cur: Cursor, sql: str, params: Any = None) -> Rows:
    """Run ``sql`` with ``params`` (positional list or named dict) and stream the result."""
    try:
        rows = stream_rows(cur, sql, params, what="query failed")
    except StoreError as exc:
        raise ExportError(str(exc)) from None
    if rows is None:
        raise ExportError("the statement returns no rows (only SELECT-like queries export)")
    return rows


def export_query(
    cur: Cursor,
    sql: str,
    params: Any,
    path: str | Path,
    fmt: str,
    *,
    selection: dict[str, Any] | None = None,
    csv_exact: bool = False,
) -> ExportResult:
    """Run ``sql`` and write its rows to ``path`` in ``fmt`` (csv, json, ndjson, parquet),
    with its manifest; ``selection`` says what the rows are (else the SQL and params)."""
    try:
        facts = provenance(cur, selection or sql_selection(sql, params))
    except StoreError as exc:
        raise ExportError(str(exc)) from None
    rows = query_rows(cur, sql, params)
    return export_rows(rows, path, fmt, facts=facts, csv_exact=csv_exact)


def export_rows(
    rows: Rows,
    path: str | Path,
    fmt: str,
    *,
    facts: Provenance | None = None,
    csv_exact: bool = False,
) -> ExportResult:
    """Write ``rows`` to ``path`` atomically: a temporary file renamed when complete, and
    its manifest when ``facts`` (read by :func:`explorer.core.manifest.provenance`) are
    given. An old manifest of ``path`` is removed either way."""
    try:
        return _export(rows, Path(path).expanduser(), fmt, facts, csv_exact)
    finally:
        rows.reader.close()  # the DuckDB result, even when nothing was read


def _export(
    rows: Rows, target: Path, fmt: str, facts: Provenance | None, csv_exact: bool
) -> ExportResult:
    _check_format(fmt, FORMATS)
    if target.is_dir():
        raise ExportError(f"cannot write {target}: it is a directory")
    try:  # mkstemp creates the file 0600: exports hold the same data as the cache
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
    tmp, staged = Path(tmp_name), None
    manifest = manifest_path(target)
    try:
        with os.fdopen(fd, "wb") as out:
            count = _write(rows, out, fmt, escape_formulas=not csv_exact)
            out.flush()
            os.fsync(out.fileno())
        if facts is not None:
            staged = tmp.with_name(tmp.name + MANIFEST_SUFFIX)
            csv_mode = (CSV_EXACT if csv_exact else CSV_ESCAPED) if fmt == "csv" else None
            document = manifest_json(tmp, fmt=fmt, rows=count, csv_mode=csv_mode, facts=facts)
            write_private(staged, document)
        manifest.unlink(missing_ok=True)  # never beside a file it does not describe
        os.replace(tmp, target)
        if staged is not None:
            os.replace(staged, manifest)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if staged is not None:
            staged.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from None
        if isinstance(exc, StoreError | pa.ArrowException):
            raise ExportError(f"export to {target} failed: {first_line(exc)}") from None
        raise
    return ExportResult(count, target, manifest if staged is not None else None)


def write_rows(rows: Rows, out: IO[bytes], fmt: str) -> int:
    """Write ``rows`` to a binary stream (stdout) in csv, json or ndjson; return the count."""
    try:
        _check_format(fmt, STREAM_FORMATS)
        return _write(rows, out, fmt)
    except (StoreError, pa.ArrowException) as exc:
        raise ExportError(f"export failed: {first_line(exc)}") from None
    finally:
        rows.reader.close()


def _check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise ExportError(f"unknown export format {fmt!r} (use {', '.join(allowed)})")


def _write(rows: Rows, out: IO[bytes], fmt: str, *, escape_formulas: bool = False) -> int:
    writers: dict[str, Callable[[Rows, IO[bytes]], int]] = {
        "csv": partial(_write_csv, escape_formulas=escape_formulas),
        "json": _write_json,
        "ndjson": _write_ndjson,
        "parquet": _write_parquet,
    }
    return writers[fmt](rows, out)


def records(rows: Rows) -> Iterator[dict[str, Any]]:
    """Rows as dicts, JSON columns parsed into nested data."""
    for batch in rows.reader:
        for record in batch.to_pylist():
            for name in rows.json_columns:
                record[name] = _parse_json(record.get(name))
            yield record


def _parse_json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def _json_batches(rows: Rows) -> Iterator[list[bytes]]:
    """Each batch's rows as JSON documents; JSON columns spliced in as they are stored."""
    for batch in rows.reader:
        records = batch.to_pylist()
        for record in records:
            for name in rows.json_columns:
                if isinstance(text := record.get(name), str):
                    record[name] = orjson.Fragment(text)
        yield [dump_json(record) for record in records]


def _write_ndjson(rows: Rows, out: IO[bytes]) -> int:
    count = 0
    for lines in _json_batches(rows):
        if lines:
            out.write(b"\n".join(lines) + b"\n")
        count += len(lines)
    return count


def _write_json(rows: Rows, out: IO[bytes]) -> int:
    count = 0
    out.write(b"[")
    for lines in _json_batches(rows):
        for line in lines:
            out.write((b",\n" if count else b"\n") + line)
            count += 1
    out.write(b"\n]\n" if count else b"]\n")
    return count


def dump_json(value: Any) -> bytes:
    """orjson with the types DuckDB returns that orjson does not know."""
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_NON_STR_KEYS)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def _write_csv(rows: Rows, out: IO[bytes], *, escape_formulas: bool = False) -> int:
    """Arrow's CSV writer (RFC 4180 quoting, ``true``/``false``, ISO times with ``Z``);
    nested and other types it cannot write become JSON text first."""
    schema = _csv_schema(rows.reader.schema)
    if escape_formulas:  # a PIVOT makes column names of event values
        schema = pa.schema([f.with_name(re.sub(_FORMULA, r"'\1", f.name)) for f in schema])
    count = 0
    with pacsv.CSVWriter(out, schema) as writer:
        for batch in rows.reader:
            batch = _csv_batch(batch, schema)
            writer.write_batch(_escape_formulas(batch) if escape_formulas else batch)
            count += batch.num_rows
    return count


def _escape_formulas(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Text cells a spreadsheet would run as a formula get a leading ``'``."""
    columns = [
        pc.replace_substring_regex(column, pattern=_FORMULA, replacement="'\\1")
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
        else column
        for column in batch.columns
    ]
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def _csv_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema(
        [field if _csv_native(field.type) else field.with_type(pa.utf8()) for field in schema]
    )


def _csv_native(kind: pa.DataType) -> bool:
    return not (
        pa.types.is_nested(kind)
        or pa.types.is_dictionary(kind)  # text to escape like any other
        or pa.types.is_interval(kind)
        or pa.types.is_binary(kind)
        or pa.types.is_large_binary(kind)
        or isinstance(kind, pa.BaseExtensionType)
    )


def _csv_batch(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    columns = [
        column
        if column.type == field.type
        else pa.array(map(_csv_text, column.to_pylist()), pa.utf8())
        for column, field in zip(batch.columns, schema, strict=True)
    ]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _csv_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "nanoseconds"):  # an Arrow MonthDayNano interval
        return _interval_text(value)
    return dump_json(value).decode()


def _write_parquet(rows: Rows, out: IO[bytes]) -> int:
    schema = _parquet_schema(rows.reader.schema, rows.json_columns)
    count = 0
    with pq.ParquetWriter(out, schema) as writer:
        for batch in rows.reader:
            writer.write_batch(_parquet_batch(batch, schema))
            count += batch.num_rows
    return count


def _parquet_schema(schema: pa.Schema, json_columns: frozenset[str]) -> pa.Schema:
    fields = []
    for field in schema:
        if field.name in json_columns and pa.types.is_string(field.type):
            field = field.with_type(pa.json_(pa.utf8()))
        elif pa.types.is_interval(field.type):
            field = field.with_type(pa.utf8())
        fields.append(field)
    return pa.schema(fields, metadata=schema.metadata)


def _parquet_batch(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    columns = []
    for column, field in zip(batch.columns, schema, strict=True):
        if isinstance(field.type, pa.BaseExtensionType):
            column = pa.ExtensionArray.from_storage(field.type, column)
        elif column.type != field.type:
            column = pa.array([_interval_text(v) for v in column.to_pylist()], pa.utf8())
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _interval_text(value: Any) -> str | None:
    if value is None:
        return None
    months, days, nanos = value.months, value.days, value.nanoseconds
    return f"{months} months {days} days {timedelta(microseconds=nanos / 1000)}"
