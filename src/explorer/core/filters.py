"""The filter language of the TUI's filter bar and ``audit-explorer events``.

``service:gateway,orchestrator -status:ok type:aiagent.session.* since:24h "connection refused"``

- ``key:value`` terms are ANDed; a comma inside a value list means OR; a leading ``-``
  negates a term; an unquoted ``*`` globs (``"a*b"`` in quotes is a literal star).
- Text values match case-insensitively (``ILIKE``); bare words are substrings of the event
  type, the correlation ID or the payload's JSON text.
- ``since:`` / ``until:`` take ``30m``, ``24h``, ``7d``, ``2w`` (before ``now``), ``now``, or
  an ISO date or date-time (``Z`` or an offset; no zone or a bare date means UTC). The
  window is half-open: ``since <= event_timestamp < until``.

The SQL uses positional ``?`` parameters (so a caller can append its own conditions and
parameters, e.g. a keyset bound). Keys map to fixed column expressions; values reach
DuckDB only as parameters.
"""

from __future__ import annotations

import difflib
import fnmatch
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from explorer.errors import FilterError
from explorer.models.decode import ISSUE_KINDS, Status
from explorer.models.registry import CONTRACT_NAMES
from explorer.store import reads
from explorer.store.connection import Cursor
from explorer.store.evidence import HOLD_SQL
from explorer.store.schema import CONFLICT_SQL, EXPORT_COLUMNS, FITS_SQL
from explorer.times import aware as _aware
from explorer.times import parse_time as parse_time  # re-exported: the one time grammar

FILTER_KEYS: dict[str, str] = {
    "service": "producing service (first segment of the event type)",
    "type": "event type, e.g. aiagent.session.*",
    "corr": "correlation ID",
    "outcome": "event outcome: success, failure, pending",
    "status": "decode status: ok, drift, invalid, discriminator_mismatch, unknown_type",
    "issue": "decode issue kind, e.g. discriminator, missing, enum, unexpected_field",
    "fits": "contract versions a non-ok event fits: a name (v1.5.7), none or any",
    "category": "event category, e.g. analysis",
    "action": "event action",
    "severity": "severity, e.g. critical",
    "ns": "Kubernetes namespace",
    "cluster": "cluster ID",
    "actor": "actor ID",
    "resource": "resource ID",
    "id": "event ID",
    "source": "where the event was fetched from (server URL or file)",
    "hold": "under legal hold: yes or no (the event's own flag or the server's hold list)",
    "conflict": "arrived again with different content (kept aside): yes or no",
    "since": "events at or after: 30m, 24h, 7d, 2w or an ISO date/time",
    "until": "events before: 30m, 24h, 7d, 2w or an ISO date/time",
}

_ALIASES = {"namespace": "ns", "correlation": "corr", "event_type": "type"}

_COLUMNS: dict[str, str] = {
    "service": "service",
    "type": "event_type",
    "corr": "correlation_id",
    "outcome": "event_outcome",
    "category": "event_category",
    "action": "event_action",
    "severity": "severity",
    "ns": "namespace",
    "cluster": "cluster_id",
    "actor": "actor_id",
    "resource": "resource_id",
    "id": "event_id",
    "source": "source",
}

_BARE_COLUMNS = ("event_type", "correlation_id", "CAST(event_data AS VARCHAR)")

_STATUS_WORDS: dict[str, Status] = {s.badge: s for s in Status} | {str(s): s for s in Status}
_TIME_SUGGESTIONS = ("15m", "1h", "24h", "7d", "30d")
_KEY = re.compile(r"([A-Za-z_]+):")
_LIKE = " ILIKE ? ESCAPE '\\'"
# The same match over a column: DuckDB runs ``lower(x) LIKE lower(p) ESCAPE`` 2-3x faster
# than ``x ILIKE p ESCAPE`` (the filter's p95 on a million events).
_MATCH = " LIKE lower(?) ESCAPE '\\'"
# Any decode issue whose kind matches: the kinds of the JSON array, filtered by a lambda.
_ISSUE_SQL = (
    "len(list_filter(coalesce(json_extract_string(decode_issues, '$[*].kind'), []), "
    "lambda k: k" + _LIKE + ")) > 0"
)

# The contracts an event fits (see explorer.store.schema) include one that matches.
_FITS_MATCH = "len(list_filter(" + FITS_SQL + ", lambda k: k" + _LIKE + ")) > 0"
_FITS_WORDS = ("any", "none")


@dataclass(frozen=True)
class Filter:
    """A parsed expression: ``where`` is SQL over table ``events`` with ``?`` parameters."""

    expr: str
    where: str
    params: list[Any]

    @property
    def empty(self) -> bool:
        return self.where == "TRUE"


@dataclass(frozen=True)
class Value:
    text: str  # the value with quotes removed
    like: str  # an ILIKE pattern: unquoted * -> %, and % _ \ escaped
    start: int
    end: int

    @property
    def glob(self) -> bool:
        return self.like != like_escape(self.text)


@dataclass(frozen=True)
class Term:
    key: str | None  # None for a bare word
    values: tuple[Value, ...]
    negated: bool
    start: int
    end: int


def parse_filter(expr: str, *, now: datetime | None = None) -> Filter:
    """Parse ``expr``; raise FilterError pointing at the offending text."""
    now = _aware(now or datetime.now(UTC))
    parts: list[str] = []
    params: list[Any] = []
    for term in parse_terms(expr):
        sql, values = _term_sql(term, now)
        parts.append(f"NOT ({sql})" if term.negated else sql)
        params += values
    return Filter(expr, " AND ".join(parts) or "TRUE", params)


def parse_terms(expr: str) -> Iterator[Term]:
    """The terms of ``expr`` with their positions (for highlighting and completion)."""
    i, n = 0, len(expr)
    while i < n:
        if expr[i].isspace():
            i += 1
            continue
        start = i
        negated = expr[i] == "-"
        i += negated
        key = None
        if match := _KEY.match(expr, i):
            key = _key(match.group(1), i)
            i = match.end()
        values, i = _read_values(expr, i, start)
        yield Term(key, tuple(values), negated, start, i)


def _key(word: str, position: int) -> str:
    key = _ALIASES.get(word.lower(), word.lower())
    if key in FILTER_KEYS:
        return key
    hint = difflib.get_close_matches(key, list(FILTER_KEYS), n=1)
    suggestion = f" (did you mean {hint[0]}?)" if hint else f" (keys: {', '.join(FILTER_KEYS)})"
    raise FilterError(f"unknown key {word!r}{suggestion}", position, len(word))


def _read_values(expr: str, i: int, term_start: int) -> tuple[list[Value], int]:
    values = []
    while True:
        value, i = _read_value(expr, i)
        if value is None:
            raise FilterError(_missing(expr, term_start, i), i, 1)
        values.append(value)
        if i < len(expr) and expr[i] == ",":
            i += 1
            continue
        return values, i


def _missing(expr: str, term_start: int, i: int) -> str:
    term = expr[term_start:i]
    if term == "-":
        return "nothing after '-'"
    return f"missing value after {term!r}"


def _read_value(expr: str, i: int) -> tuple[Value | None, int]:
    start, n = i, len(expr)
    text: list[str] = []
    like: list[str] = []
    quote, quote_at, quoted = "", 0, False
    while i < n:
        ch = expr[i]
        if quote:
            if ch == quote:
                quote = ""
            else:
                text.append(ch)
                like.append(like_escape(ch))
        elif ch in "\"'":
            quote, quote_at, quoted = ch, i, True
        elif ch.isspace() or ch == ",":
            break
        else:
            text.append(ch)
            like.append("%" if ch == "*" else like_escape(ch))
        i += 1
    if quote:
        raise FilterError("unclosed quote", quote_at, n - quote_at)
    if not text and not quoted:
        return None, i
    return Value("".join(text), "".join(like), start, i), i


def like_escape(text: str) -> str:
    """Escape ``text`` for ``LIKE ... ESCAPE '\\'`` so it matches only itself."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _term_sql(term: Term, now: datetime) -> tuple[str, list[Any]]:
    if term.key is None:
        return _bare_sql(term.values)
    if term.key == "status":
        return _status_sql(term.values)
    if term.key == "issue":
        return _any([_ISSUE_SQL for _ in term.values]), [v.like for v in term.values]
    if term.key == "fits":
        return _fits_sql(term.values)
    if term.key in ("since", "until"):
        return _time_sql(term, now)
    if term.key in _YES_NO_SQL:
        return _yes_no_sql(term)
    column = f"lower(coalesce({_COLUMNS[term.key]}, ''))"
    return _any([column + _MATCH for _ in term.values]), [v.like for v in term.values]


def _any(conditions: list[str]) -> str:
    return conditions[0] if len(conditions) == 1 else "(" + " OR ".join(conditions) + ")"


def _bare_sql(values: tuple[Value, ...]) -> tuple[str, list[Any]]:
    one = "(" + " OR ".join(f"coalesce({c}, '')" + _LIKE for c in _BARE_COLUMNS) + ")"
    params = [f"%{v.like}%" for v in values for _ in _BARE_COLUMNS]
    return _any([one] * len(values)), params


def _status_sql(values: tuple[Value, ...]) -> tuple[str, list[Any]]:
    statuses: list[str] = []
    for value in values:
        found = [str(s) for w, s in _STATUS_WORDS.items() if _status_matches(value, w)]
        if not found:
            words = ", ".join(s.value for s in Status)
            raise FilterError(
                f"unknown status {value.text!r} (use {words})", value.start, value.end - value.start
            )
        statuses += [s for s in found if s not in statuses]
    return "coalesce(decode_status, '') IN (" + ", ".join("?" * len(statuses)) + ")", statuses


def _fits_sql(values: tuple[Value, ...]) -> tuple[str, list[Any]]:
    conditions: list[str] = []
    params: list[Any] = []
    for value in values:
        word = value.text.lower()
        if word == "none":
            conditions.append(f"len({FITS_SQL}) = 0")
        elif word == "any":
            conditions.append(f"len({FITS_SQL}) > 0")
        else:
            if not value.glob and word not in (n.lower() for n in CONTRACT_NAMES):
                hint = difflib.get_close_matches(value.text, CONTRACT_NAMES, n=1)
                known = (
                    f"did you mean {hint[0]}?"
                    if hint
                    else "use " + ", ".join((*CONTRACT_NAMES, *_FITS_WORDS))
                )
                raise FilterError(
                    f"unknown contract {value.text!r} ({known})",
                    value.start,
                    value.end - value.start,
                )
            conditions.append(_FITS_MATCH)
            params.append(value.like)
    return _any(conditions), params


_HOLD_WORDS = {"yes": True, "true": True, "no": False, "false": False}


_YES_NO_SQL = {"hold": HOLD_SQL, "conflict": CONFLICT_SQL}  # keys that take yes or no


def _yes_no_sql(term: Term) -> tuple[str, list[Any]]:
    wanted = set()
    for value in term.values:
        word = _HOLD_WORDS.get(value.text.lower())
        if word is None:
            raise FilterError(
                f"{term.key} takes yes or no, not {value.text!r}",
                value.start,
                value.end - value.start,
            )
        wanted.add(word)
    if len(wanted) == 2:
        return "TRUE", []
    sql = _YES_NO_SQL[str(term.key)]
    return (sql if wanted.pop() else f"NOT {sql}"), []


def _status_matches(value: Value, word: str) -> bool:
    if value.glob:
        return fnmatch.fnmatchcase(word, value.text.lower())
    return word == value.text.lower()


def _time_sql(term: Term, now: datetime) -> tuple[str, list[Any]]:
    if len(term.values) > 1:
        second = term.values[1]
        raise FilterError(f"{term.key} takes one time", second.start, second.end - second.start)
    value = term.values[0]
    op = ">=" if term.key == "since" else "<"
    return f"event_timestamp {op} ?", [_time_param(value, now)]


def _time_param(value: Value, now: datetime) -> datetime:
    try:
        return parse_time(value.text, now=now)
    except ValueError as exc:
        raise FilterError(str(exc), value.start, max(1, value.end - value.start)) from None


def events_sql(
    flt: Filter, *, columns: str = EXPORT_COLUMNS, limit: int | None = None
) -> tuple[str, list[Any]]:
    """The SELECT of the events matching ``flt``, newest first. ``columns`` is code."""
    return reads.events_sql(flt.where, flt.params, columns=columns, limit=limit)


# -- completion ------------------------------------------------------------------------------

ValueSource = Callable[[str, str], list[str]]


def completion_span(expr: str, cursor: int) -> tuple[int, int]:
    """The part of ``expr`` a completion candidate replaces: the key or value at ``cursor``."""
    start, _, _ = _fragment(expr, cursor)
    end = cursor
    while end < len(expr) and not expr[end].isspace() and expr[end] not in ",:":
        end += 1
    return start, end


def complete(expr: str, cursor: int, values: ValueSource) -> list[str]:
    """Candidates for the key or value being typed at ``cursor``.

    Each replaces ``expr[slice(*completion_span(expr, cursor))]``; keys end with ``:``.
    ``values(key, prefix)`` supplies values present in the cache (see distinct_values).
    """
    _, key, prefix = _fragment(expr, cursor)
    if key is None:
        lowered = prefix.lower()
        return [f"{k}:" for k in FILTER_KEYS if k.startswith(lowered)]
    key = _ALIASES.get(key, key)
    if key == "status":
        return [s.value for s in Status if s.value.startswith(prefix.lower())]
    if key == "issue":
        return [k for k in ISSUE_KINDS if k.startswith(prefix.lower())]
    if key == "fits":
        return [n for n in (*CONTRACT_NAMES, *_FITS_WORDS) if n.startswith(prefix.lower())]
    if key in ("since", "until"):
        return [t for t in _TIME_SUGGESTIONS if t.startswith(prefix)]
    if key not in _COLUMNS:
        return []
    return [quote_value(v) for v in values(key, prefix)]


def apply_completion(expr: str, cursor: int, candidate: str) -> tuple[str, int]:
    """``expr`` with ``candidate`` in place, and the cursor after it."""
    start, end = completion_span(expr, cursor)
    return expr[:start] + candidate + expr[end:], start + len(candidate)


def _fragment(expr: str, cursor: int) -> tuple[int, str | None, str]:
    """(start of the fragment, its key or None when typing a key/word, the typed prefix)."""
    cursor = max(0, min(cursor, len(expr)))
    start = cursor
    while start > 0 and not expr[start - 1].isspace():
        start -= 1
    if start < cursor and expr[start] == "-":
        start += 1
    word = expr[start:cursor]
    match = _KEY.match(word)
    if match is None:
        return start, None, word
    last_comma = word.rfind(",", match.end())
    value_start = start + (last_comma + 1 if last_comma >= 0 else match.end())
    prefix = expr[value_start:cursor].lstrip("\"'")
    return cursor - len(prefix), match.group(1).lower(), prefix


def quote_value(value: str) -> str:
    """``value`` as the filter language reads it back literally (quoted when it must be)."""
    if value and not re.search(r"[\s,\"'*]", value):
        return value
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    parts = re.split(r'(")', value)  # adjacent quoted segments join into one value
    return "".join(f"'{part}'" if part == '"' else f'"{part}"' for part in parts if part)


def distinct_values(cur: Cursor, key: str, prefix: str, limit: int = 20) -> list[str]:
    """Values of ``key`` in the cache starting with ``prefix`` (case-insensitive), sorted."""
    key = _ALIASES.get(key.lower(), key.lower())
    if key == "status":
        return [s.value for s in Status if s.value.startswith(prefix.lower())]
    if key == "issue":
        return [k for k in ISSUE_KINDS if k.startswith(prefix.lower())]
    if key in _YES_NO_SQL:
        return [w for w in ("yes", "no") if w.startswith(prefix.lower())]
    column = _COLUMNS.get(key)
    if column is None:
        return []
    return reads.distinct_values(cur, column, like_escape(prefix) + "%", limit)


# Keys with few enough distinct values to offer the close ones for a typo.
_SUGGESTED_KEYS = ("service", "type", "outcome", "category", "action", "severity", "ns", "cluster")
_KNOWN_MAX = 2_000


def value_suggestions(cur: Cursor, expr: str) -> list[str]:
    """For a filter that selects nothing: each plain value the cache never holds, with the
    close values it does (``service:gatway matches nothing; did you mean gateway?``)."""
    hints: list[str] = []
    for term in parse_terms(expr):
        if term.key not in _SUGGESTED_KEYS or term.negated:
            continue
        values = [v for v in term.values if not v.glob and v.text]
        known: list[str] | None = None
        for value in values:
            if known is None:
                known = reads.distinct_values(cur, _COLUMNS[term.key], "%", _KNOWN_MAX)
            by_lower = {k.lower(): k for k in known}
            if value.text.lower() in by_lower:
                continue
            close = difflib.get_close_matches(value.text.lower(), list(by_lower), n=3)
            if close:
                words = " or ".join(by_lower[c] for c in close)
                hints.append(f"{term.key}:{value.text} matches nothing; did you mean {words}?")
    return hints
