"""The filter language: parsing, SQL, errors, hostile values, completion."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer.core.filters import (
    FILTER_KEYS,
    apply_completion,
    complete,
    completion_span,
    distinct_values,
    events_sql,
    like_escape,
    parse_filter,
    parse_terms,
    quote_value,
)
from explorer.errors import FilterError
from explorer.ingest.importer import upsert
from explorer.models.decode import decode
from explorer.store.cache import Cache
from tests.factories import event

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HOSTILE = (
    "'; DROP TABLE events; --",
    'a" OR 1=1 --',
    "x') OR ('1'='1",
    "/* comment */ ? $1 $since",
    "back\\slash\\",
    "100%",
    "under_score",
    "semi;colon",
    "\x00nul",
)


def _event(
    n: int, minutes_ago: float, event_type: str = "gateway.signal.received", **kw: Any
) -> Any:
    stamp = (NOW - timedelta(minutes=minutes_ago)).isoformat().replace("+00:00", "Z")
    kw.setdefault("correlation_id", f"rr-{n}")
    return event(event_type, event_id=f"e{n:02d}", event_timestamp=stamp, **kw)


def _events() -> list[Any]:
    mismatch = _event(6, 50, "aiagent.session.started", correlation_id="rr-payment-01")
    mismatch["event_data"] = {"event_type": "gateway.signal.received"}
    unknown = _event(7, 60, "gateway.signal.received", correlation_id="rr-payment-01")
    unknown["event_type"] = "mystery.thing.happened"
    return [
        _event(1, 10, correlation_id="rr-payment-01", severity="critical", namespace="payment"),
        _event(
            2, 20, "orchestrator.lifecycle.failed", event_outcome="failure", cluster_id="prod-east"
        ),
        _event(3, 30, "aiagent.session.started", event_category="analysis", severity="warning"),
        _event(4, 3 * 60, "aiagent.session.failed", event_outcome="failure", namespace="Payment"),
        _event(5, 3 * 24 * 60, "workflowexecution.workflow.started", actor_id="alice"),
        mismatch,
        unknown,
        _event(8, 70, "gateway.signal.received", correlation_id="rr_9"),
        _event(9, 80, "gateway.signal.received", correlation_id="rrX9"),
        _event(10, 90, correlation_id="50%"),
        _event(11, 100, correlation_id="50abc"),
        *[_event(20 + i, 200 + i, correlation_id=value) for i, value in enumerate(HOSTILE)],
    ]


@pytest.fixture(scope="module")
def conn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    path: Path = tmp_path_factory.mktemp("filters") / "cache.duckdb"
    with Cache.open(path, notify=lambda _: None) as cache:
        upsert(cache, [decode(e) for e in _events()], source="file:test.ndjson")
        yield cache.connection


def ids(conn: duckdb.DuckDBPyConnection, expr: str) -> list[str]:
    sql, params = events_sql(parse_filter(expr, now=NOW), columns="event_id")
    return [row[0] for row in conn.execute(sql, params).fetchall()]


def test_empty_expression_is_true() -> None:
    flt = parse_filter("   ", now=NOW)
    assert flt.where == "TRUE" and flt.params == [] and flt.empty


def test_everything_newest_first(conn: duckdb.DuckDBPyConnection) -> None:
    got = ids(conn, "")
    assert got[:3] == ["e01", "e02", "e03"]
    assert len(got) == 11 + len(HOSTILE)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("service:orchestrator", {"e02"}),
        ("service:orchestrator,workflowexecution", {"e02", "e05"}),
        ("type:aiagent.session.*", {"e03", "e04", "e06"}),
        ("type:AIAGENT.SESSION.FAILED", {"e04"}),
        ("corr:rr-payment-01", {"e01", "e06", "e07"}),
        ("outcome:failure", {"e02", "e04"}),
        ("category:analysis", {"e03"}),
        ("severity:critical", {"e01"}),
        ("ns:payment", {"e01", "e04"}),
        ("namespace:payment", {"e01", "e04"}),
        ("cluster:prod-east", {"e02"}),
        ("actor:alice", {"e05"}),
        ("id:e03", {"e03"}),
        ("id:e0*", {f"e0{i}" for i in range(1, 10)}),
        ("source:file:*", None),  # every event
        ("status:mismatch", {"e06"}),
        ("status:discriminator_mismatch", {"e06"}),
        ("status:unknown", {"e07"}),
        ("status:unknown_type,mismatch", {"e06", "e07"}),
        ("status:*mis*", {"e06"}),
        ("issue:discriminator", {"e06", "e07"}),
        ("issue:missing", {"e06"}),
        ("issue:unknown_type,discriminator", {"e06", "e07"}),
        ("issue:unknown*", {"e07"}),
        ("outcome:failure -type:aiagent.*", {"e02"}),
        ("-severity:critical corr:rr-payment-01", {"e06", "e07"}),
        ("service:gateway corr:rr-payment-01", {"e01"}),
        ("service:mystery", {"e07"}),
        ('corr:"rr-payment-01","rr-2"', {"e01", "e02", "e06", "e07"}),
        ("since:1h", {"e01", "e02", "e03", "e06", "e07"}),  # >= since
        ("since:1h until:25m", {"e03", "e06", "e07"}),  # < until
        ("since:2026-11-20T11:00Z until:2026-11-20T11:35:00+00:00", {"e03", "e06", "e07"}),
        ("until:2026-11-19", {"e05"}),
        # the window is half-open: e03 is exactly at 11:30, e02 exactly at 11:40
        ("since:2026-11-20T11:30Z until:2026-11-20T11:40Z", {"e03"}),
        ("since:30m until:20m", {"e03"}),
        ("until:2026-11-20T11:30Z since:2026-11-20T11:30Z", set()),
        ("-since:2d", {"e05"}),
        ("PAYMENT-01", {"e01", "e06", "e07"}),
        ("session.fail", {"e04"}),
        ("rr_9", {"e08"}),
        ("corr:50%", {"e10"}),
    ],
)
def test_filters_select_the_right_events(
    conn: duckdb.DuckDBPyConnection, expr: str, expected: set[str] | None
) -> None:
    got = set(ids(conn, expr))
    assert got == (expected if expected is not None else set(ids(conn, "")))


def test_payload_text_is_searched(conn: duckdb.DuckDBPyConnection) -> None:
    # The minimal gateway payload holds string fields; a payload-only word finds them.
    row = conn.execute("SELECT CAST(event_data AS VARCHAR) FROM events WHERE event_id='e03'")
    assert "aiagent" in row.fetchone()[0]  # type: ignore[index]
    assert "e06" in ids(conn, '"gateway.signal.received"')  # the mismatched payload's type


def test_glob_escapes_like_metacharacters(conn: duckdb.DuckDBPyConnection) -> None:
    assert ids(conn, "corr:rr_9") == ["e08"]  # _ is not a wildcard
    assert ids(conn, "corr:50*") == ["e10", "e11"]
    assert ids(conn, 'corr:"50*"') == []  # a quoted star is a literal star


def test_values_never_change_the_query(conn: duckdb.DuckDBPyConnection) -> None:
    shape = parse_filter("corr:x -type:y,z", now=NOW)
    for value in HOSTILE:
        quote = "'" if '"' in value else '"'
        expr = f"corr:{quote}{value}{quote} -type:{quote}{value}{quote},z"
        flt = parse_filter(expr, now=NOW)
        assert flt.where == shape.where, value
        assert flt.params[:2] == [like_escape(value)] * 2
        assert len(ids(conn, f"corr:{quote}{value}{quote}")) == 1, value
    assert conn.execute("SELECT count(*) FROM events").fetchone() == (11 + len(HOSTILE),)


@pytest.mark.parametrize(
    ("expr", "message", "position"),
    [
        ("service:gateway sevrity:critical", "unknown key 'sevrity' (did you mean severity?)", 16),
        ("since:24x", "bad time '24x': use 30m, 24h, 7d or an ISO date", 6),
        ("until:2026-13-01", "bad time '2026-13-01': use 30m, 24h, 7d or an ISO date", 6),
        ('corr:"abc', "unclosed quote", 5),
        ("service:", "missing value after 'service:'", 8),
        ("service:a,", "missing value after 'service:a,'", 10),
        ("ok -", "nothing after '-'", 4),
        (
            "status:fine",
            "unknown status 'fine' (use ok, drift, invalid, discriminator_mismatch, unknown_type)",
            7,
        ),
        ("since:1h,2h", "since takes one time", 9),
        ("since:9999999w", "time '9999999w' is out of range", 6),
    ],
)
def test_errors_point_at_the_bad_token(expr: str, message: str, position: int) -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter(expr, now=NOW)
    assert str(caught.value) == message
    assert caught.value.position == position
    assert caught.value.length >= 1


def test_relative_times_use_the_injected_now() -> None:
    flt = parse_filter("since:30m until:2w", now=NOW)
    assert flt.params == [NOW - timedelta(minutes=30), NOW - timedelta(weeks=2)]
    naive = parse_filter("since:2026-11-20", now=NOW).params[0]
    assert naive == datetime(2026, 11, 20, tzinfo=UTC)
    offset = parse_filter("since:2026-11-20T10:00+02:00", now=NOW).params[0]
    assert offset == datetime(2026, 11, 20, 8, tzinfo=UTC)


def test_terms_keep_their_positions() -> None:
    terms = list(parse_terms('-service:a,"b c" word'))
    assert [(t.key, t.negated, t.start, t.end) for t in terms] == [
        ("service", True, 0, 16),
        (None, False, 17, 21),
    ]
    assert [v.text for v in terms[0].values] == ["a", "b c"]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from([*FILTER_KEYS, ":", "-", ",", "*", '"', "'", " ", "1", "h", "Z"])).map(
        "".join
    )
    | st.text()
)
def test_parser_raises_only_filter_errors_and_its_sql_runs(
    conn: duckdb.DuckDBPyConnection, text: str
) -> None:
    try:
        flt = parse_filter(text, now=NOW)
    except FilterError as exc:
        assert 0 <= exc.position <= len(text)
        assert "\n" not in str(exc)
        return
    sql, params = events_sql(flt, columns="count(*)")
    conn.execute(sql.replace(" ORDER BY event_timestamp DESC, event_id DESC", ""), params)


def test_events_sql_limits_and_orders() -> None:
    sql, params = events_sql(parse_filter("service:a", now=NOW), limit=5)
    assert sql.endswith("ORDER BY event_timestamp DESC, event_id DESC LIMIT ?")
    assert params == ["a", 5]


def _values(key: str, prefix: str) -> list[str]:
    return [v for v in {"service": ["gateway", "gateway two"]}.get(key, []) if v.startswith(prefix)]


@pytest.mark.parametrize(
    ("expr", "cursor", "expected"),
    [
        ("se", 2, ["service:", "severity:"]),
        ("-se", 3, ["service:", "severity:"]),
        ("service:g", 9, ["gateway", '"gateway two"']),
        ("service:a,g", 11, ["gateway", '"gateway two"']),
        ("status:d", 8, ["drift", "discriminator_mismatch"]),
        ("since:2", 7, ["24h"]),
        ("bogus:x", 7, []),
    ],
)
def test_completion(expr: str, cursor: int, expected: list[str]) -> None:
    assert complete(expr, cursor, _values) == expected


def test_apply_completion_replaces_the_fragment() -> None:
    assert completion_span("ns:x service:ga,orch", 18) == (16, 20)
    assert apply_completion("ns:x service:ga", 15, "gateway") == ("ns:x service:gateway", 20)
    assert apply_completion("-sev", 4, "severity:") == ("-severity:", 10)


def test_distinct_values_reads_the_cache(conn: duckdb.DuckDBPyConnection) -> None:
    assert distinct_values(conn, "service", "w") == ["workflowexecution"]
    assert distinct_values(conn, "ns", "P") == ["Payment", "payment"]
    assert distinct_values(conn, "corr", "50%") == ["50%"]  # % is literal, not a wildcard
    assert distinct_values(conn, "status", "") == [
        "ok",
        "drift",
        "invalid",
        "discriminator_mismatch",
        "unknown_type",
    ]
    assert distinct_values(conn, "since", "") == []
    assert len(distinct_values(conn, "id", "", limit=3)) == 3


@given(st.text())
def test_quote_value_round_trips(value: str) -> None:
    term = next(parse_terms(f"corr:{quote_value(value)}"))
    assert len(term.values) == 1
    assert term.values[0].text == value and not term.values[0].glob
