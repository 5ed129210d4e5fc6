"""Counts over the ``events`` a filter selects: non-ok events by kind and fits, outcomes,
the time span and per-bucket counts. Plain rows; ``explorer.core.stats`` shapes them.

``where`` is SQL from the filter parser (fixed fragments); values are in ``params``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from explorer.store.connection import Cursor
from explorer.store.reads import execute
from explorer.store.schema import CACHE_CONTRACT_SQL, FITS_OK_SQL, FITS_SQL


def mismatch_rows(cur: Cursor, where: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
    """Non-ok events per (service, event_type, status, issue kind, fits, fits_ok): rows of
    those with the count fifth, most events first, and an example field path last.

    An event with several kinds of issue counts once under each kind ('-' for none).
    """
    sql = f"""
        WITH bad AS (
            SELECT event_id, service, event_type, decode_status, decode_issues,
                   {FITS_SQL} AS fits, {FITS_OK_SQL} AS fits_ok
            FROM events
            WHERE ({where}) AND coalesce(decode_status, '') <> 'ok'
        ), kinds AS (
            SELECT event_id, service, event_type, decode_status, fits, fits_ok,
                   unnest(CASE WHEN coalesce(json_array_length(decode_issues), 0) > 0
                          THEN json_extract_string(decode_issues, '$[*].kind')
                          ELSE ['-'] END) AS kind,
                   unnest(CASE WHEN coalesce(json_array_length(decode_issues), 0) > 0
                          THEN json_extract_string(decode_issues, '$[*].path')
                          ELSE ['-'] END) AS path
            FROM bad
        )
        SELECT coalesce(service, '-'), coalesce(event_type, '-'), coalesce(decode_status, '-'),
               coalesce(kind, '-'), count(DISTINCT event_id) AS n, fits, fits_ok,
               coalesce(min(nullif(path, '')), '-')
        FROM kinds GROUP BY ALL ORDER BY n DESC, 1, 2, 3, 4, 6, 7
    """  # noqa: S608
    return execute(cur, sql, params).fetchall()


def mismatch_type_rows(
    cur: Cursor, where: str, params: Sequence[object]
) -> list[tuple[str, str, int]]:
    """Non-ok events (each once) per (service, event_type), '-' for none."""
    sql = f"""
        SELECT coalesce(service, '-'), coalesce(event_type, '-'), count(*)
        FROM events WHERE ({where}) AND coalesce(decode_status, '') <> 'ok' GROUP BY ALL
    """  # noqa: S608
    return [(str(s), str(t), int(n)) for s, t, n in execute(cur, sql, params).fetchall()]


def fits_rows(cur: Cursor, where: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
    """Non-ok events (each once) per (decode_status, fits, fits_ok, the cache's contract),
    with the count last."""
    sql = f"""
        SELECT decode_status, {FITS_SQL}, {FITS_OK_SQL}, {CACHE_CONTRACT_SQL}, count(*)
        FROM events WHERE ({where}) AND coalesce(decode_status, '') <> 'ok' GROUP BY ALL
    """  # noqa: S608
    return execute(cur, sql, params).fetchall()


def outcome_rows(cur: Cursor, where: str, params: Sequence[object]) -> list[tuple[str, str, int]]:
    """(service, outcome, events), '-' for none, by service then outcome."""
    sql = f"""
        SELECT coalesce(service, '-'), coalesce(event_outcome, '-'), count(*)
        FROM events WHERE {where} GROUP BY ALL ORDER BY 1, 2
    """  # noqa: S608
    return [(str(s), str(o), int(n)) for s, o, n in execute(cur, sql, params).fetchall()]


def time_span(
    cur: Cursor, where: str, params: Sequence[object]
) -> tuple[datetime, datetime] | None:
    """The oldest and newest event_timestamp, or None when nothing is selected."""
    sql = f"SELECT min(event_timestamp), max(event_timestamp) FROM events WHERE {where}"  # noqa: S608
    span = execute(cur, sql, params).fetchone()
    if span is None or span[0] is None:
        return None
    return span[0], span[1]


def bucket_counts(
    cur: Cursor, where: str, params: Sequence[object], start: float, step: int
) -> list[tuple[int, int]]:
    """(bucket, events) for the buckets of ``step`` seconds from epoch ``start`` that have
    events (bucket ``i`` covers ``start + i * step``)."""
    sql = f"""
        SELECT CAST(floor((epoch(event_timestamp) - ?) / ?) AS BIGINT) AS b, count(*)
        FROM events WHERE {where} GROUP BY b
    """  # noqa: S608
    return [(int(b), int(n)) for b, n in execute(cur, sql, [start, step, *params]).fetchall()]
