"""Named SQL queries: the built-ins shipped in ``queries/`` plus the user's own.

Each query is a ``.sql`` file that starts with a comment header::

    -- name: failed-remediations
    -- description: Remediations that failed in a time window
    -- param: since time default 7d
    -- param: limit int default 100
    -- param: namespace

and uses DuckDB named parameters (``$since``). A parameter line is ``NAME [TYPE]
[default VALUE]``; without a default the parameter is required. TYPE is ``text`` (the
default), ``int``, ``float`` or ``time`` (``24h``, ``7d``, ``now`` or an ISO date/time, read
like the filter language's ``since:``). Values are always bound as parameters, never
interpolated. A later directory overrides an earlier one's query of the same name:
built-ins, then ``explorer.config.queries_dir()``, then ``--queries-dir``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

import explorer
from explorer.config import queries_dir
from explorer.core.filters import parse_time
from explorer.errors import QueryError, StoreError
from explorer.store.connection import Cursor
from explorer.store.results import Rows, result_table, stream_rows

PARAM_TYPES = ("text", "int", "float", "time")
_HEADER = re.compile(r"--\s*(name|description|param)\s*:\s*(.*)", re.IGNORECASE)
_PARAM = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\s+(?P<type>text|int|float|time))?"
    r"(?:\s+default\s+(?P<default>.*))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    params: dict[str, str | None]  # name -> default (None: required)
    sql: str
    path: Path | None = None
    types: dict[str, str] = field(default_factory=dict)  # name -> one of PARAM_TYPES


def builtin_dir() -> Path:
    """The shipped queries: ``explorer/queries`` when installed, ``queries/`` in a checkout."""
    package = Path(explorer.__file__).resolve().parent
    installed = package / "queries"
    return installed if installed.is_dir() else package.parent.parent / "queries"


def load_queries(
    extra_dirs: Iterable[str | Path] = (), *, problems: list[str] | None = None
) -> dict[str, NamedQuery]:
    """Every named query by name: built-ins, the user's config dir, then ``extra_dirs``.

    A file that cannot be read or has a malformed header raises QueryError, unless
    ``problems`` is given: then its message is appended there and the file skipped.
    """
    found: dict[str, NamedQuery] = {}
    for directory in (builtin_dir(), queries_dir(), *map(Path, extra_dirs)):
        if directory.is_dir():
            for path in sorted(directory.glob("*.sql")):
                try:
                    query = load_query_file(path)
                except QueryError as exc:
                    if problems is None:
                        raise
                    problems.append(str(exc))
                    continue
                found[query.name] = query
    return found


def find_query(
    name: str, extra_dirs: Iterable[str | Path] = (), *, problems: list[str] | None = None
) -> NamedQuery:
    """A query by name, or from a file when ``name`` ends in ``.sql`` or holds a ``/``."""
    if name.endswith(".sql") or "/" in name:
        return load_query_file(name)
    found = load_queries(extra_dirs, problems=problems)
    if name not in found:
        known = ", ".join(sorted(found)) or "none"
        raise QueryError(f"unknown query {name!r} (known: {known})")
    return found[name]


def load_query_file(path: str | Path) -> NamedQuery:
    """Read one ``.sql`` file; a malformed header is a QueryError naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read query {path}: {exc}") from None
    return parse_query(text, path=path, default_name=path.stem)


def parse_query(text: str, *, path: Path | None = None, default_name: str = "query") -> NamedQuery:
    name, description = default_name, ""
    params: dict[str, str | None] = {}
    types: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            break
        header = _HEADER.fullmatch(stripped)
        if header is None:
            continue
        key, value = header.group(1).lower(), header.group(2).strip()
        if key == "name":
            name = value or name
        elif key == "description":
            description = value
        else:
            pname, ptype, default = _param(value, path or Path(default_name))
            params[pname], types[pname] = default, ptype
    return NamedQuery(name, description, params, text, path, types)


def _param(spec: str, where: Path) -> tuple[str, str, str | None]:
    match = _PARAM.fullmatch(spec.strip())
    if match is None:
        raise QueryError(f"{where}: bad parameter line {spec!r} (use NAME [TYPE] [default VALUE])")
    default = match.group("default")
    return match.group("name"), (match.group("type") or "text").lower(), default


def bind_params(
    query: NamedQuery, given: dict[str, str], *, now: datetime | None = None
) -> dict[str, Any]:
    """The parameter values to bind: ``given`` over the defaults, converted to their types."""
    unknown = sorted(set(given) - set(query.params))
    if unknown:
        has = ", ".join(query.params) or "none"
        raise QueryError(f"query {query.name} has no parameter {unknown[0]!r} (it has: {has})")
    values: dict[str, Any] = {}
    for name, default in query.params.items():
        raw = given.get(name, default)
        if raw is None:
            raise QueryError(f"query {query.name} needs --param {name}=VALUE")
        values[name] = _convert(query, name, raw, now)
    return values


def _convert(query: NamedQuery, name: str, raw: str, now: datetime | None) -> Any:
    kind = query.types.get(name, "text")
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "time":
            return parse_time(raw, now=now)
    except ValueError as exc:
        raise QueryError(f"query {query.name}: parameter {name}: {_reason(exc, kind)}") from None
    return raw


def _reason(exc: ValueError, kind: str) -> str:
    return str(exc) if kind == "time" else f"not a valid {kind}"


def run_query(
    cur: Cursor, query: NamedQuery, params: dict[str, str], *, now: datetime | None = None
) -> pa.Table:
    """Run ``query`` with ``params`` bound (never interpolated); the whole result as Arrow.

    JSON columns arrive as strings; ``query_rows`` keeps track of them for exports.
    """
    values = bind_params(query, params, now=now)
    try:
        table = result_table(cur, query.sql, values or None, what=_failed(query))
    except StoreError as exc:
        raise QueryError(str(exc)) from None
    if table is None:
        raise QueryError(_no_rows(query))
    return table


def query_rows(
    cur: Cursor, query: NamedQuery, params: dict[str, str], *, now: datetime | None = None
) -> Rows:
    """Run ``query`` for streaming into ``explorer.core.export`` (JSON columns nested)."""
    values = bind_params(query, params, now=now)
    try:
        rows = stream_rows(cur, query.sql, values or None, what=_failed(query))
    except StoreError as exc:
        raise QueryError(str(exc)) from None
    if rows is None:
        raise QueryError(_no_rows(query))
    return rows


def _failed(query: NamedQuery) -> str:
    return f"query {query.name} failed"


def _no_rows(query: NamedQuery) -> str:
    return f"query {query.name} returns no rows (it must be a SELECT)"
