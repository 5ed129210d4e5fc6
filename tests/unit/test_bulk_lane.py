"""The bulk lane (``explorer.ingest.lanes``): DuckDB's ``read_json`` stores exactly the rows the
Python lane stores, and the lane takes only the events for which that holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.ingest import importer, lanes, ndjson
from explorer.ingest.batch import ImportResult
from explorer.ingest.importer import import_files
from explorer.ingest.lanes import bulk_text
from explorer.store import batches
from explorer.store.cache import Cache
from tests.factories import event

_ID = "0b7e3c1a-9a5e-4c0e-8f1e-2d5b6a7c8d9e"


def _event(**changes: Any) -> dict[str, Any]:
    data = changes.pop("event_data", {})
    retyped = changes.pop("event_type_", None)
    base = event(**{"event_id": str(uuid.uuid4()), **changes})
    base["event_data"] = {**base["event_data"], **data}
    if retyped is not None:  # a type the contract does not map, on both sides
        base["event_type"] = base["event_data"]["event_type"] = retyped
    return base


def _line(**changes: Any) -> bytes:
    return json.dumps(_event(**changes), ensure_ascii=False).encode()


def _raw(text: str) -> bytes:
    """A line with the whole event written by hand (duplicate keys, odd spellings)."""
    return text.replace("@ID@", str(uuid.uuid4())).encode()


_DATA = json.dumps(event()["event_data"], separators=(",", ":"))


def _nested(depth: int) -> bytes:
    """A valid event with arrays ``depth`` deep in a free-form payload property."""
    line = _line(event_data={"original_payload": {"deep": "@DEEP@"}})
    return line.replace(b'"@DEEP@"', b"[" * depth + b"]" * depth)


_HEAD = (
    '"event_id":"@ID@","version":"1.0","event_type":"gateway.signal.received",'
    '"event_category":"gateway","event_action":"received","event_outcome":"success",'
    '"correlation_id":"rr-1"'
)

# (name, line, whether the bulk lane takes it)
VARIANTS: list[tuple[str, bytes, bool]] = [
    ("plain", _line(), True),
    (
        "every envelope column",
        _line(
            event_date="2026-11-20",
            actor_type="user",
            actor_id="a",
            actor_ip="10.0.0.1",
            resource_type="Pod",
            resource_id="p",
            parent_event_id=_ID,
            parent_event_date="2026-11-19T09:00:00.5+02:00",
            namespace="ns",
            cluster_id="c",
            severity="high",
            duration_ms=2**31 - 1,
            error_code="E1",
            error_message="boom",
            retention_days=30,
            is_sensitive=True,
            event_hash="h",
            previous_event_hash="p",
            legal_hold=True,
            legal_hold_reason="r",
            legal_hold_placed_by="b",
            legal_hold_placed_at="2026-11-20T10:00:00.123456Z",
            hash_algorithm="sha256",
        ),
        True,
    ),
    ("explicit nulls where allowed", _line(namespace=None, duration_ms=None), True),
    ("an upper-case uuid", _line(event_id=_ID.upper()), True),
    (
        "non-ASCII and escapes",
        _line(
            actor_id="zoë 😀 \u2028 \x00 \x1f", event_data={"original_payload": {"s": '\x1f"\\/'}}
        ),
        True,
    ),
    (
        "floats DuckDB writes its own way",
        _line(
            event_data={
                "original_payload": {
                    "big": 2.7890840981819507e20,
                    "small": 1e-7,
                    "neg": -0.0,
                    "plain": 1.5,
                }
            }
        ),
        True,
    ),
    (
        "duplicate keys in the payload",
        _raw(
            "{"
            + _HEAD
            + ',"event_timestamp":"2026-11-20T10:00:00Z","event_data":'
            + _DATA[:-1]
            + ',"original_payload":{"a":1,"a":2}}}'
        ),
        False,
    ),
    (
        "duplicate envelope keys",
        _raw(
            "{" + _HEAD + ',"event_timestamp":"2026-11-20T10:00:00Z","correlation_id":"rr-2",'
            '"event_data":' + _DATA + "}"
        ),
        False,
    ),
    ("spaces and a CR", b"  " + _line() + b" \r", True),
    ("a byte-order mark", b"\xef\xbb\xbf" + _line(), False),
    ("integer past 32 bits", _line(duration_ms=2**31), False),
    (
        "integer past 64 bits in the payload",
        _line(event_data={"original_payload": {"n": 2**70}}),
        False,
    ),
    ("seven fractional digits", _line(event_timestamp="2026-11-20T10:00:00.1234567Z"), False),
    ("lower-case t and z", _line(event_timestamp="2026-11-20t10:00:00z"), False),
    ("a space for the T", _line(event_timestamp="2026-11-20 10:00:00Z"), False),
    ("a date with a time", _line(event_date="2026-11-20T00:00:00Z"), False),
    ("past year 9999 in UTC", _line(event_timestamp="9999-12-31T23:30:00-01:00"), False),
    ("before year 1 in UTC", _line(event_timestamp="0001-01-01T00:30:00+01:00"), False),
    ("year 9999 in UTC", _line(parent_event_date="9999-12-31T23:59:59Z"), False),
    ("year 9998 with an offset", _line(event_timestamp="9998-12-31T23:30:00-01:00"), True),
    ("hash_algorithm of the wrong type", _line(hash_algorithm=256), False),
    ("an undeclared envelope property", _line(trace_id="t"), False),
    ("payload drift", _line(event_data={"tenant": "t"}), False),
    ("discriminator mismatch", _line(event_data={"event_type": "gateway.crd.created"}), False),
    ("unknown type", _line(event_type_="gateway.signal.teleported"), False),
    ("invalid enum", _line(event_outcome="maybe"), False),
    (
        "a lone surrogate escape",
        _raw(
            "{" + _HEAD + ',"event_timestamp":"2026-11-20T10:00:00Z","actor_id":"\\ud800",'
            '"event_data":' + _DATA + "}"
        ),
        False,
    ),
    ("nesting orjson reads but cannot write", _nested(300), False),
    ("nesting pydantic stops at", _nested(201), False),
    ("nesting orjson cannot read", _nested(1100), False),
    ("not an object", b"[1, 2]", False),
    ("not JSON", b"{nope", False),
]


@pytest.mark.parametrize(("name", "line", "takes"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_the_bulk_lane_takes_only_what_duckdb_stores_alike(
    name: str, line: bytes, takes: bool
) -> None:
    assert (bulk_text(line) is not None) is takes


def test_duplicate_keys_take_the_python_lane() -> None:
    # decode calls them invalid (duplicate_key), and DuckDB would keep the first value.
    line = dict((v[0], v[1]) for v in VARIANTS)["duplicate envelope keys"]
    assert bulk_text(line) is None
    assert bulk_text(line.replace(b'"correlation_id":"rr-2",', b"")) is not None


def _rows(cache: Cache) -> list[tuple[Any, ...]]:
    sql = "SELECT * EXCLUDE (fetched_at) FROM events ORDER BY event_id"
    return cache.connection.execute(sql).fetchall()


def _summary(result: ImportResult) -> tuple[Any, ...]:
    rejected = [(r.locator, r.reason) for r in result.rejected]
    counts = (result.read, result.new, result.updated, result.conflicts)
    return *counts, dict(result.by_status), rejected


def _conflicts(cache: Cache) -> list[tuple[Any, ...]]:
    sql = "SELECT event_id, received, source, paths FROM event_conflicts ORDER BY ALL"
    return cache.connection.execute(sql).fetchall()


def test_both_lanes_store_the_same_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [line for _, line, _ in VARIANTS]
    again = _event(event_id=_ID, correlation_id="first")
    repeated = [  # the same event_id within a span, across spans and across groups
        json.dumps(again).encode(),
        json.dumps({**again, "correlation_id": "2nd"}).encode(),
        *lines[:6],
        json.dumps({**again, "correlation_id": "third"}).encode(),
        *lines[:3],
        json.dumps({**again, "correlation_id": "fourth", "severity": "low"}).encode(),
    ]
    source = tmp_path / "in.ndjson"
    wide = _line(event_data={"original_payload": {"pad": "x" * 5000}})  # a span of its own,
    source.write_bytes(b"\n".join([*lines, wide, *repeated]) + b"\n")  # so one starts here
    monkeypatch.setattr(importer, "BATCH_SIZE", 8)  # the plain lane's batches
    monkeypatch.setattr(ndjson, "BLOCK", 2 * len(repeated[0]) + 2)  # 1-2 lines per span
    monkeypatch.setattr(ndjson, "SPOOL_EVENTS", 5)
    spooled: list[int] = []
    real = batches.SpooledBatch.relation

    def spy(self: batches.SpooledBatch, con: Any) -> Any:
        spooled.append(self.count)
        return real(self, con)

    monkeypatch.setattr(batches.SpooledBatch, "relation", spy)
    with (
        Cache.open(tmp_path / "plain.duckdb", notify=lambda _: None) as plain,
        Cache.open(tmp_path / "bulk.duckdb", notify=lambda _: None) as quick,
    ):
        expected = import_files(plain, [source])
        assert not spooled
        monkeypatch.setattr(ndjson, "PARALLEL_BYTES", 0)
        got = import_files(quick, [source])
        assert len(spooled) > 1 and sum(spooled) > len(lines) // 2
        assert _summary(got) == _summary(expected)
        assert _rows(quick) == _rows(plain)
        stored = quick.connection.execute(
            "SELECT correlation_id, severity FROM events WHERE event_id = ?", [_ID]
        ).fetchall()
        assert stored == [("first", None)]  # the first version stays; the others are kept
        assert sorted((c[0], c[3]) for c in _conflicts(quick)) == [
            (_ID, ["correlation_id"]),
            (_ID, ["correlation_id"]),
            (_ID, ["correlation_id", "severity"]),
        ]
        assert _conflicts(quick) == _conflicts(plain)
        assert got.conflicts == 3
        # Everything again: every event_id is stored, so each write takes the careful path.
        twice = import_files(quick, [source])
        assert (twice.new, twice.updated) == (0, got.new + got.updated)
        assert twice.conflicts == 3  # counted again, kept once
        assert _rows(quick) == _rows(plain)
        assert len(_conflicts(quick)) == 3


def test_spools_left_by_a_killed_import_are_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / "tmp" / f"{ndjson.SPOOL_PREFIX}{dead.pid}-abc"
    live = tmp_path / "tmp" / f"{ndjson.SPOOL_PREFIX}{os.getppid()}-abc"
    for folder in (stale, live):
        folder.mkdir()
        (folder / "0.ndjson").write_bytes(b"{}\n")
    source = tmp_path / "in.ndjson"
    source.write_bytes(_line() + b"\n" + _line() + b"\n")
    monkeypatch.setattr(ndjson, "PARALLEL_BYTES", 0)
    with Cache.open(tmp_path / "c.duckdb", notify=lambda _: None) as cache:
        assert import_files(cache, [source]).new == 2
    assert not stale.exists()
    assert live.exists()
    assert sorted(p.name for p in (tmp_path / "tmp").iterdir()) == [live.name]


def test_without_room_to_spool_the_python_lane_takes_everything(tmp_path: Path) -> None:
    lines = [(n, _line()) for n in range(1, 4)]
    fetched = datetime(2026, 11, 21, tzinfo=UTC)
    unwritable = str(tmp_path / "missing" / "0.ndjson")
    sorted_ = lanes.sort_lines(lines, "s", fetched, "", unwritable)
    assert sorted_.spool is None and not sorted_.ids
    assert len(sorted_.prepared.rows) == 3 and sorted_.prepared.read == 3
    assert sorted_.prepared.by_status == {"ok": 3}


# -- both lanes on generated events -----------------------------------------------------------

_stamps = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.sampled_from(["2026-11-20T10:00:00Z", "2026-11-20t10:00:00z", "9999-12-31T23:59:59-01:00"]),
    st.text(max_size=8),
)
_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**65), 2**65),
    st.sampled_from([2**31 - 1, 2**31, -(2**31), 2**63, 2**64]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    _stamps,
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
_envelope_keys = st.sampled_from(
    [
        "event_timestamp",
        "event_date",
        "event_outcome",
        "actor_id",
        "parent_event_id",
        "parent_event_date",
        "duration_ms",
        "retention_days",
        "is_sensitive",
        "legal_hold",
        "legal_hold_placed_at",
        "hash_algorithm",
        "namespace",
        "severity",
        "correlation_id",
        "trace_id",
    ]
)
_fitting = st.fixed_dictionaries(  # values of the right type, often in the bulk lane
    {},
    optional={
        "event_timestamp": _stamps,
        "duration_ms": st.integers(-(2**32), 2**32),
        "actor_id": st.text(max_size=12),
        "severity": st.one_of(st.none(), st.text(max_size=4)),
    },
)
_changes = st.one_of(st.just({}), _fitting, st.dictionaries(_envelope_keys, _values, max_size=3))
_payload = st.one_of(
    st.just({}),
    st.fixed_dictionaries({"original_payload": st.dictionaries(st.text(max_size=3), _values)}),
    st.dictionaries(
        st.sampled_from(["original_payload", "signal_labels", "restart_delta", "tenant"]),
        _values,
        max_size=2,
    ),
)


_again = st.lists(  # which event comes again, and with which changes (none: the same)
    st.tuples(st.integers(0, 11), st.one_of(st.none(), st.tuples(_changes, _payload))),
    max_size=6,
)


@settings(max_examples=int(os.environ.get("LANES_EXAMPLES", 25)), deadline=None)
@given(events=st.lists(st.tuples(_changes, _payload), min_size=1, max_size=12), again=_again)
def test_both_lanes_agree_on_generated_events(
    events: list[tuple[dict[str, Any], dict[str, Any]]],
    again: list[tuple[int, tuple[dict[str, Any], dict[str, Any]] | None]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("lanes")
    items = []
    for changes, payload in events:
        item = event(event_id=str(uuid.uuid4()))
        item.update(changes)
        item["event_data"].update(payload)
        items.append(item)
    lines = [json.dumps(item, ensure_ascii=False).encode() for item in items]
    for index, change in again:  # arriving again, in the same file and in a second one
        item = json.loads(json.dumps(items[index % len(items)]))
        if change is not None:
            item.update(change[0])
            item["event_data"].update(change[1])
        lines.append(json.dumps(item, ensure_ascii=False).encode())
    source = folder / "in.ndjson"
    source.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ndjson, "make_pool", lambda count=None: None)  # workers in-process
        patch.setattr(ndjson, "BLOCK", 3000)
        with (
            Cache.open(folder / "plain.duckdb", notify=lambda _: None) as plain,
            Cache.open(folder / "bulk.duckdb", notify=lambda _: None) as quick,
        ):
            expected = import_files(plain, [source, source])
            patch.setattr(ndjson, "PARALLEL_BYTES", 0)
            got = import_files(quick, [source, source])
            assert _summary(got) == _summary(expected)
            assert _rows(quick) == _rows(plain)
            assert _conflicts(quick) == _conflicts(plain)
