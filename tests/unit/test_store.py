"""The cache schema (the public contract), row conversion and the typed payload views."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from explorer.ingest.importer import upsert
from explorer.ingest.rows import build_rows, parse_timestamp
from explorer.models.decode import decode
from explorer.models.registry import PAYLOAD_SCHEMAS, REGISTRY, view_name
from explorer.store.cache import Cache
from explorer.store.schema import COLUMNS
from explorer.store.views import payload_views, sql_type
from tests.factories import event

REPO = Path(__file__).resolve().parents[2]
FETCHED = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def store(cache: Cache, *events: Any) -> None:
    upsert(cache, [decode(raw) for raw in events], source="test", fetched_at=FETCHED)


def row(cache: Cache, event_id: str) -> dict[str, Any]:
    cursor = cache.connection.execute("SELECT * FROM events WHERE event_id = ?", [event_id])
    names = [d[0] for d in cursor.description]
    values = cursor.fetchone()
    assert values is not None, event_id
    return dict(zip(names, values, strict=True))


@pytest.fixture
def cache(tmp_path: Path) -> Any:
    with Cache.open(tmp_path / "cache.duckdb") as opened:
        yield opened


def _documented_columns() -> dict[str, str]:
    text = (REPO / "docs" / "ARCHITECTURE.md").read_text()
    table = text.split("Table `events`", 1)[1].split("\n\n", 2)[1]
    columns: dict[str, str] = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        for name in cells[0].split(","):
            columns[name.strip()] = cells[1].split()[0]
    return columns


def test_events_table_is_exactly_the_documented_contract(cache: Cache) -> None:
    described = cache.connection.execute("DESCRIBE events").fetchall()
    actual = {
        name: kind.replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ")
        for name, kind, *_ in described
    }
    assert actual == _documented_columns()
    assert [name for name, _ in COLUMNS] == [name for name, *_ in described]
    key = cache.connection.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() "
        "WHERE table_name = 'events' AND constraint_type = 'PRIMARY KEY'"
    ).fetchall()
    assert key == [(["event_id"],)]


def test_meta_and_sync_state_tables(cache: Cache) -> None:
    con = cache.connection
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall() == [("3",)]
    assert con.execute("SELECT value FROM meta WHERE key = 'contract'").fetchall() == [("main",)]
    described = {name: kind for name, kind, *_ in con.execute("DESCRIBE sync_state").fetchall()}
    assert described == {
        "source": "VARCHAR",
        "filter_key": "VARCHAR",
        "watermark": "TIMESTAMP WITH TIME ZONE",
        "completed_at": "TIMESTAMP WITH TIME ZONE",
    }


def test_a_valid_event_fills_every_typed_column(cache: Cache) -> None:
    raw = event(
        duration_ms=42,
        is_sensitive=False,
        legal_hold=True,
        legal_hold_placed_at="2026-11-20T12:00:00+02:00",
        event_date="2026-11-20",
        hash_algorithm="sha256",
        namespace="payments",
    )
    store(cache, raw)
    got = row(cache, raw["event_id"])
    assert got["event_timestamp"] == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert got["legal_hold_placed_at"] == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert got["event_date"].isoformat() == "2026-11-20"
    assert (got["duration_ms"], got["is_sensitive"], got["legal_hold"]) == (42, False, True)
    assert got["service"] == "gateway"
    assert got["hash_algorithm"] == "sha256"
    assert got["extra"] is None
    assert got["decode_status"] == "ok"
    assert json.loads(got["decode_issues"]) == []
    assert (got["source"], got["fetched_at"]) == ("test", FETCHED)


def test_values_that_do_not_fit_go_to_extra(cache: Cache) -> None:
    raw = event(duration_ms="12", is_sensitive="yes", retention_days=2**40, mystery={"a": [1]})
    store(cache, raw)
    got = row(cache, raw["event_id"])
    assert (got["duration_ms"], got["is_sensitive"], got["retention_days"]) == (None, None, None)
    assert json.loads(got["extra"]) == {
        "duration_ms": "12",
        "is_sensitive": "yes",
        "retention_days": 2**40,
        "mystery": {"a": [1]},
    }
    assert got["decode_status"] == "invalid"
    issues = json.loads(got["decode_issues"])
    assert issues and all(set(issue) == {"kind", "path", "message"} for issue in issues)
    assert {"kind": "type", "path": "duration_ms"}.items() <= issues[0].items() or any(
        i["path"] == "duration_ms" for i in issues
    )


def test_event_data_is_kept_exactly_with_big_integers(cache: Cache) -> None:
    raw = event()
    raw["event_data"]["occurrence_count"] = -(2**90)
    raw["event_data"]["zeta"] = 1.5
    raw["event_data"]["alpha"] = "ü\u2028"
    store(cache, raw)
    text = row(cache, raw["event_id"])["event_data"]
    assert json.loads(text) == raw["event_data"]
    assert list(json.loads(text)) == list(raw["event_data"])  # key order too
    assert str(-(2**90)) in text


def test_timestamps_without_a_zone_are_utc_and_offsets_are_converted(cache: Cache) -> None:
    naive = event(event_timestamp="2026-11-20T10:00:00")
    offset = event(event_timestamp="2026-11-20T12:00:00.5+02:00")
    store(cache, naive, offset)
    assert row(cache, naive["event_id"])["event_timestamp"] == datetime(
        2026, 11, 20, 10, tzinfo=UTC
    )
    assert row(cache, naive["event_id"])["decode_status"] == "invalid"
    stamp = row(cache, offset["event_id"])["event_timestamp"]
    assert stamp == datetime(2026, 11, 20, 10, 0, 0, 500_000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T10:00:00Z", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        ("2026-11-20t10:00:00z", datetime(2026, 11, 20, 10, tzinfo=UTC)),
        ("2026-11-20T10:00:00.123456789Z", datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=UTC)),
        ("yesterday", None),
        ("0001-01-01T00:00:00+01:00", None),  # before year 1 in UTC
        (1732096800, None),
        (None, None),
    ],
)
def test_parse_timestamp(text: Any, expected: datetime | None) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ([1, 2], "not an event object"),
        ({"event_timestamp": "2026-11-20T10:00:00Z"}, "no event_id"),
        ({"event_id": "", "event_timestamp": "2026-11-20T10:00:00Z"}, "event_id is string ''"),
        ({"event_id": 7, "event_timestamp": "2026-11-20T10:00:00Z"}, "event_id is integer 7"),
        ({"event_id": "a"}, "no event_timestamp"),
        (
            {"event_id": "a\ud800", "event_timestamp": "2026-11-20T10:00:00Z"},
            "event_id is not valid Unicode",
        ),
        ({"event_id": "a", "event_timestamp": "noon"}, "event_timestamp is string 'noon'"),
    ],
)
def test_unstorable_events_are_rejected_with_a_reason(raw: Any, reason: str) -> None:
    batch = build_rows([decode(raw)], source="s", fetched_at=FETCHED)
    assert len(batch) == 0
    assert len(batch.rejected) == 1 and batch.rejected[0][0] == 0
    assert batch.rejected[0][1].startswith(reason)


def test_batch_keeps_every_version_in_order_for_the_cache_to_choose() -> None:
    first, second = event(event_id="same", namespace="a"), event(event_id="same", namespace="b")
    batch = build_rows([decode(first), decode(second)], source="s", fetched_at=FETCHED)
    assert len(batch) == 2  # the cache stores the first, and keeps the second aside
    assert batch.columns["namespace"] == ["a", "b"]
    assert batch.statuses == ["invalid", "invalid"]  # "same" is not a UUID


def test_lone_surrogates_are_stored_not_fatal(cache: Cache) -> None:
    raw = event(correlation_id="rr-\ud800-x")
    raw["event_data"]["signal_name"] = "\udfff"
    store(cache, raw)
    got = row(cache, raw["event_id"])
    assert got["correlation_id"] == "rr-\ufffd-x"
    assert json.loads(got["event_data"])["signal_name"] in ("\udfff", "\ufffd")


# --- views -----------------------------------------------------------------------------


def test_one_view_per_payload_schema_named_from_the_schema() -> None:
    names = {view.name for view in payload_views()}
    assert names == {view_name(schema) for schema in PAYLOAD_SCHEMAS}
    assert {"payload_gateway_audit", "payload_ai_agent_rca_complete"} <= names
    covered = sorted(t for view in payload_views() for t in view.event_types)
    assert covered == sorted(REGISTRY)


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (str, "VARCHAR"),
        (int, "BIGINT"),
        (float | None, "DOUBLE"),
        (bool, "BOOLEAN"),
        (dict[str, Any], "JSON"),
        (list[str], "JSON"),
        (Any, "JSON"),
        (int | str, "JSON"),
    ],
)
def test_sql_type_of_annotations(annotation: Any, expected: str) -> None:
    assert sql_type(annotation) == expected


def test_declared_types_map_to_sql_types() -> None:
    gateway = next(v for v in payload_views() if v.name == "payload_gateway_audit")
    types = {c.name: c.sql_type for c in gateway.columns}
    assert types["signal_name"] == "VARCHAR"
    assert types["occurrence_count"] == "BIGINT"
    assert types["signal_labels"] == "JSON"
    assert types["error_details"] == "JSON"
    assert types["data_event_type"] == "VARCHAR"
    all_types = {c.sql_type for v in payload_views() for c in v.columns}
    assert {"TIMESTAMPTZ", "BOOLEAN", "DOUBLE"} <= all_types


@pytest.fixture(scope="module")
def full_cache(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A cache with one valid event of every event type, plus a few misfits."""
    path = tmp_path_factory.mktemp("views") / "cache.duckdb"
    with Cache.open(path) as opened:
        events = [event(event_type) for event_type in REGISTRY]
        wrong = event(event_id="wrong-types")
        wrong["event_data"].update(occurrence_count="5", signal_name=7)
        rounded = event(event_id="fractional")
        rounded["event_data"]["occurrence_count"] = 5.5
        store(opened, *events, wrong, rounded)
        yield opened


@pytest.mark.parametrize("view", payload_views(), ids=lambda v: v.name)
def test_every_view_can_be_queried(full_cache: Cache, view: Any) -> None:
    cursor = full_cache.cursor()
    rows = cursor.execute(f'SELECT * FROM "{view.name}"').fetchall()
    names = [d[0] for d in cursor.description]
    assert names[:5] == [
        "event_id",
        "event_timestamp",
        "correlation_id",
        "event_type",
        "decode_status",
    ]
    assert len(names) == len(set(names))
    assert len(rows) >= len(view.event_types)
    assert {r[3] for r in rows} <= set(view.event_types)
    assert {r[4] for r in rows if r[0] not in ("wrong-types", "fractional")} == {"ok"}


def test_gateway_view_answers_the_issue_query(full_cache: Cache) -> None:
    rows = full_cache.connection.execute(
        "SELECT signal_name, count(*) FROM payload_gateway_audit GROUP BY 1 ORDER BY 1"
    ).fetchall()
    gateway_types = sum(1 for info in REGISTRY.values() if info.schema == "GatewayAuditPayload")
    assert rows == [("x", gateway_types + 1), (None, 1)]


def test_wrong_json_types_read_as_null_not_coerced(full_cache: Cache) -> None:
    got = dict(
        full_cache.connection.execute(
            "SELECT event_id, occurrence_count FROM payload_gateway_audit "
            "WHERE event_id IN ('wrong-types', 'fractional')"
        ).fetchall()
    )
    assert got == {"wrong-types": None, "fractional": None}


def test_view_columns_have_the_declared_types(full_cache: Cache) -> None:
    described = full_cache.connection.execute("DESCRIBE payload_gateway_audit").fetchall()
    types = {name: kind for name, kind, *_ in described}
    assert types["occurrence_count"] == "BIGINT"
    assert types["signal_labels"] == "JSON"
    assert types["event_timestamp"] == "TIMESTAMP WITH TIME ZONE"
    stamps = [
        (v.name, c.name) for v in payload_views() for c in v.columns if c.sql_type == "TIMESTAMPTZ"
    ]
    name, column = stamps[0]
    described = full_cache.connection.execute(f'DESCRIBE "{name}"').fetchall()
    assert dict((n, k) for n, k, *_ in described)[column] == "TIMESTAMP WITH TIME ZONE"
    value = full_cache.connection.execute(f'SELECT "{column}" FROM "{name}" LIMIT 1').fetchall()
    assert value[0][0] == datetime(2026, 11, 20, 10, tzinfo=UTC)


def test_view_sql_quotes_every_identifier() -> None:
    for view in payload_views():
        lines = view.sql().splitlines()
        assert lines[0] == f'CREATE OR REPLACE VIEW "{view.name}" AS SELECT'
        columns = lines[1 : 1 + 5 + len(view.columns)]
        assert all(re.search(r'(^  |AS )"[A-Za-z0-9_]+",?$', line) for line in columns), view.name


def test_a_fresh_duckdb_connection_reads_the_views(full_cache: Cache) -> None:
    # Another reader (a user's duckdb shell) sees the same views.
    rows = full_cache.connection.execute(
        "SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'payload_%' AND NOT internal"
    ).fetchall()
    assert rows == [(len(PAYLOAD_SCHEMAS),)]
    assert isinstance(full_cache.connection, duckdb.DuckDBPyConnection)
