"""The manifest beside every file export, and checking an export against it.

``<file>.manifest.json`` says what the file is (sha256, size, row count, format, whether CSV
formulas were escaped), what it holds (the filter expression, or the named query and the
parameter values bound), and where it came from (the cache file, the contract its
statuses were decoded against, the sources with their URLs, the tool's version, the UTC
time). URLs lose any user, password, query and fragment: a manifest never holds a token.

Rows are counted the way each format holds them: CSV records after the header (quoted
newlines stay inside their cell), NDJSON lines, the elements of the JSON array, and the
row count in the Parquet footer.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import orjson
import pyarrow.parquet as pq

import explorer
from explorer.config import ConfigError, load_config
from explorer.errors import ExplorerError, InputError
from explorer.store.cache import cache_contract
from explorer.store.connection import Cursor
from explorer.store.provenance import SourceRow, database_file, source_rows

MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_VERSION = 1
CSV_ESCAPED = "escaped"  # cells a spreadsheet would run as a formula start with '
CSV_EXACT = "exact"


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


@dataclass(frozen=True)
class Provenance:
    """What a manifest says about an export besides the file itself."""

    selection: dict[str, Any]
    contract: str
    sources: list[dict[str, Any]] = field(default_factory=list)
    cache: str | None = None


def filter_selection(expr: str, limit: int | None = None) -> dict[str, Any]:
    """The events matching a filter expression ('' is every event)."""
    return {"filter": expr} | ({"limit": limit} if limit is not None else {})


def query_selection(name: str, sql: str, values: Mapping[str, Any] | None) -> dict[str, Any]:
    """A named query, the values bound to its parameters, and its SQL's sha256."""
    digest = hashlib.sha256(sql.encode("utf-8")).hexdigest()
    return {"query": name, "params": dict(values or {}), "sql_sha256": digest}


def sql_selection(sql: str, params: Any) -> dict[str, Any]:
    return {"sql": sql, "params": params}


def provenance(cur: Cursor, selection: dict[str, Any]) -> Provenance:
    """Read the cache's contract, sources and file name; call it before streaming rows
    from the same cursor."""
    try:
        config = load_config()
    except ConfigError:
        config = None
    urls = {name: conf.url for name, conf in (config.sources.items() if config else ())}
    sources = [_source(row, urls) for row in source_rows(cur)]
    return Provenance(selection, cache_contract(cur), sources, database_file(cur))


def _source(row: SourceRow, urls: Mapping[str, str]) -> dict[str, Any]:
    label, url = row.source, None
    if label is not None and label in urls:
        url = public_url(urls[label])
    elif label is not None and label.lower().startswith(("http://", "https://")):
        label = url = public_url(label)
    return {
        "source": label,
        "url": url,
        "events": row.events,
        "last_fetched": row.last_fetched,
        "last_sync": row.last_sync,
    }


def public_url(url: str) -> str:
    """``url`` without user, password, query or fragment (where a token could hide)."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return "(unreadable URL)"
    host = f"[{host}]" if ":" in host else host
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


def manifest_json(
    file: Path, *, fmt: str, rows: int, csv_mode: str | None, facts: Provenance
) -> bytes:
    """The manifest of the complete ``file`` (hashed as it is on disk)."""
    digest, size = file_digest(file)
    document: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "format": fmt,
        "sha256": digest,
        "size": size,
        "rows": rows,
    }
    if csv_mode is not None:
        document["csv_formulas"] = csv_mode
    document |= {
        "selection": facts.selection,
        "contract": facts.contract,
        "sources": facts.sources,
        "cache": facts.cache,
        "tool": {"name": "audit-explorer", "version": explorer.__version__},
        "created_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    return orjson.dumps(document, default=str, option=orjson.OPT_INDENT_2) + b"\n"


def file_digest(path: Path) -> tuple[str, int]:
    with path.open("rb") as stream:
        digest = hashlib.file_digest(stream, "sha256")
    return digest.hexdigest(), path.stat().st_size


# -- checking ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    path: Path
    sha256: str
    rows: int | None  # None when the file does not read as its format
    differences: list[str]

    @property
    def ok(self) -> bool:
        return not self.differences


def verify_export(path: str | Path) -> Verification:
    """Recompute ``path``'s sha256, size and row count and compare them with its manifest.

    A missing or unreadable manifest, or a file that cannot be read at all, is an
    :class:`InputError`; a difference is listed in the result.
    """
    path = Path(path).expanduser()
    manifest = read_manifest(path)
    try:
        digest, size = file_digest(path)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    differences = []
    if size != manifest["size"]:
        differences.append(f"{size:,} bytes, the manifest says {manifest['size']:,}")
    if digest != manifest["sha256"]:
        differences.append("its sha256 is not the manifest's")
    rows: int | None
    try:
        rows = count_rows(path, manifest["format"])
    except _Unreadable as exc:
        rows = None
        differences.append(f"it does not read as {manifest['format']} ({exc})")
    if rows is not None and rows != manifest["rows"]:
        differences.append(f"{rows:,} rows, the manifest says {manifest['rows']:,}")
    return Verification(path, digest, rows, differences)


_FIELDS = {"sha256": str, "size": int, "rows": int, "format": str}
COUNTED_FORMATS = ("csv", "json", "ndjson", "parquet")


def read_manifest(path: Path) -> dict[str, Any]:
    """``path``'s manifest, its fields checked; InputError when it is missing or unreadable."""
    where = manifest_path(path)
    try:
        document = orjson.loads(where.read_bytes())
    except FileNotFoundError:
        raise InputError(f"no manifest {where}: the file was not exported with one") from None
    except OSError as exc:
        raise InputError(f"cannot read manifest {where}: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"manifest {where} is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InputError(f"manifest {where} is not a JSON object")
    for name, kind in _FIELDS.items():
        value = document.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InputError(f"manifest {where} has no valid {name!r}")
    if document["format"] not in COUNTED_FORMATS:
        raise InputError(f"manifest {where} names an unknown format {document['format']!r}")
    return document


class _Unreadable(ExplorerError):
    """The file does not read as the format its manifest names."""


def count_rows(path: Path, fmt: str) -> int:
    counters = {"csv": _csv_rows, "json": _json_rows, "ndjson": _ndjson_rows}
    try:
        if fmt == "parquet":
            return int(pq.ParquetFile(path).metadata.num_rows)
        return counters[fmt](path)
    except (OSError, ValueError, csv.Error, UnicodeDecodeError) as exc:
        raise _Unreadable(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def _csv_rows(path: Path) -> int:
    csv.field_size_limit(2**31 - 1)  # event_data cells run past the 128 KiB default
    with path.open(newline="", encoding="utf-8") as stream:
        records = sum(1 for _ in csv.reader(stream, strict=True))
    if records == 0:
        raise ValueError("no header row")
    return records - 1


def _ndjson_rows(path: Path) -> int:
    count = 0
    with path.open("rb") as stream:
        for number, line in enumerate(stream, 1):
            if line.strip():
                _json_line(line, number)
                count += 1
    return count


def _json_line(line: bytes, number: int) -> None:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        raise ValueError(f"line {number} is not JSON") from None


def _json_rows(path: Path) -> int:
    """The exporter writes one element a line; any other layout is parsed whole."""
    with path.open("rb") as stream:
        count = _element_lines(stream)
    if count is not None:
        return count
    document = orjson.loads(path.read_bytes())
    if not isinstance(document, list):
        raise ValueError("not a JSON array")
    return len(document)


def _element_lines(stream: IO[bytes]) -> int | None:
    """Count ``[``, ``{...},`` ... ``{...}``, ``]`` without holding the file; None when the
    file is laid out otherwise."""
    first = stream.readline().rstrip(b"\r\n")
    if first == b"[]":
        return 0 if not stream.read().strip() else None
    if first != b"[":
        return None
    rows, last, closed = 0, None, False
    for raw in stream:
        line = raw.rstrip(b"\r\n")
        if closed or line == b"]":
            if (closed and line.strip()) or (last is not None and last.endswith(b",")):
                return None
            closed = True
            continue
        if last is not None and not last.endswith(b","):
            return None
        try:
            orjson.loads(line.removesuffix(b","))
        except orjson.JSONDecodeError:
            return None
        rows, last = rows + 1, line
    return rows if closed else None


def write_private(path: Path, data: bytes) -> None:
    """Create ``path`` (which must not exist) readable by its owner only, and sync it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
