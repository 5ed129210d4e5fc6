"""Where a Go client generated from the contract and this tool would read an event
differently: keys written twice, envelope properties the contract does not declare, and
which events such a client refuses (``go_rejects``)."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.client.datastorage import ClientSettings, DataStorageClient, EventFilters
from explorer.client.files import EventReader, decode_record
from explorer.core.validate import go_rejects
from explorer.ingest import batch, importer, ndjson, sync
from explorer.ingest.importer import import_files
from explorer.ingest.lanes import bulk_text
from explorer.jsontext import DuplicateKey, duplicate_keys
from explorer.models.decode import Decoded, Status, decode
from explorer.models.registry import load_contract
from explorer.store import batches
from explorer.store.cache import Cache
from tests.contract import valid_event
from tests.factories import event

MAIN = load_contract("main")


class Pairs(list[tuple[str, Any]]):
    """An object written with exactly these key/value pairs, repeated keys included."""


def write(value: Any) -> str:
    """Compact JSON in which a :class:`Pairs` can repeat a key."""
    if isinstance(value, Pairs | dict):
        items = value if isinstance(value, Pairs) else list(value.items())
        return "{" + ",".join(f"{json.dumps(k)}:{write(v)}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(write(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def repeat(obj: dict[str, Any], key: str, first: Any) -> Pairs:
    """``obj`` with ``key`` written first as ``first``, then again with its own value."""
    return Pairs([(key, first), *obj.items()])


def read_one(text: str | bytes) -> Decoded:
    data = text.encode() if isinstance(text, str) else text
    records = list(EventReader(io.BytesIO(data)))
    assert len(records) == 1
    return decode_record(records[0], contract=MAIN)


def duplicates(decoded: Decoded) -> list[str]:
    return [i.path for i in decoded.issues if i.kind == "duplicate_key"]


# -- duplicate keys ---------------------------------------------------------------------------


def _top(first: Any) -> str:
    raw = event(namespace="b")
    return write(repeat(raw, "namespace", first))


def _payload() -> str:
    raw = event()
    raw["event_data"] = repeat(raw["event_data"], "signal_name", "earlier")
    return write(raw)


def _nested() -> str:
    raw = event()
    details = {"message": "m", "code": "E2", "component": "gateway", "retry_possible": False}
    raw["event_data"]["error_details"] = repeat(details, "code", "E1")
    return write(raw)


def _in_array() -> str:
    raw = event()
    raw["event_data"]["original_payload"] = {"items": [{"k": 1}, repeat({"k": 3}, "k", 2)]}
    return write(raw)


@pytest.mark.parametrize(
    ("text", "path", "values"),
    [
        (_top("a"), "namespace", "first string 'a', last string 'b'"),
        (_top("b"), "namespace", "both string 'b'"),
        (_payload(), "event_data.signal_name", "first string 'earlier', last string 'x'"),
        (_nested(), "event_data.error_details.code", "first string 'E1', last string 'E2'"),
        (_in_array(), "event_data.original_payload.items[1].k", "first integer 2, last integer 3"),
    ],
    ids=["envelope", "envelope-same-value", "payload", "nested", "in-an-array"],
)
def test_a_key_written_twice_is_invalid_at_its_path(text: str, path: str, values: str) -> None:
    decoded = read_one(text)
    assert decoded.status is Status.INVALID
    assert duplicates(decoded) == [path]
    assert [i.kind for i in decoded.issues] == ["duplicate_key"]
    message = decoded.issues[0].message
    assert values in message
    assert "this tool" in message and "read the last" in message and "DuckDB" in message
    assert decoded.fits == ()  # invalid under every contract: a producer bug, not skew
    # Without the repeat the same event is ok: the finding is the repeat alone.
    assert decode(orjson.loads(text)).status is Status.OK


def test_a_repeated_discriminator_says_go_types_the_payload_by_the_first() -> None:
    raw = event()
    raw["event_data"] = repeat(raw["event_data"], "event_type", "gateway.crd.created")
    decoded = read_one(write(raw))
    assert duplicates(decoded) == ["event_data.event_type"]
    assert "a generated Go client types the payload by the first" in decoded.issues[0].message


def test_a_repeat_does_not_hide_a_worse_status() -> None:
    raw = {**_retyped("gateway.signal.teleported", "gateway.signal.teleported"), "namespace": "b"}
    decoded = read_one(write(repeat(raw, "namespace", "a")))
    assert decoded.status is Status.UNKNOWN
    assert {i.kind for i in decoded.issues} >= {"unknown_type", "duplicate_key"}


def _shapes(events: list[Any]) -> dict[str, bytes]:
    items = ",".join(write(e) for e in events)
    page = '{"data":[' + items + '],"pagination":{"limit":9,"offset":0,"total":3,"has_more":false}}'
    pretty_item = json.dumps(orjson.loads(write(events[1])), indent=2)  # the repeat is gone
    return {
        "ndjson": "\n".join(write(e) for e in events).encode() + b"\n",
        "array": f"[{items}]".encode(),
        "pretty array": ("[\n  " + ",\n  ".join(write(e) for e in events) + "\n]").encode(),
        "page": page.encode(),
        "export": ('{"export_metadata":{},"events":[' + items + "]}").encode(),
        "pretty page with a repeat in pagination": (
            '{"data": [\n'
            + ",\n".join(write(e) for e in events)
            + '\n], "pagination": {"total": 3, "total": 4, "limit": 9}}'
        ).encode(),
        "control: without the repeat": f"[{write(events[0])},{pretty_item}]".encode(),
    }


def _events_with_a_repeat() -> list[Any]:
    second = event()
    second["event_data"] = repeat(second["event_data"], "signal_name", "earlier")
    return [event(), second, event()]


@pytest.mark.parametrize("shape", list(_shapes(_events_with_a_repeat())))
def test_repeats_are_found_in_every_input_shape(shape: str) -> None:
    text = _shapes(_events_with_a_repeat())[shape]
    decoded = [decode_record(r, contract=MAIN) for r in EventReader(io.BytesIO(text))]
    found = [(i, duplicates(d)) for i, d in enumerate(decoded) if duplicates(d)]
    if shape.startswith("control"):
        assert found == []
    else:
        assert found == [(1, ["event_data.signal_name"])]
        assert [d.status for d in decoded] == [Status.OK, Status.INVALID, Status.OK]


def test_a_single_event_document_keeps_its_paths() -> None:
    text = json.dumps(orjson.loads(_top("a")), indent=2)[:-1] + ', "namespace": "c"}'
    assert duplicates(read_one(text)) == ["namespace"]


# -- the check itself, on random JSON ---------------------------------------------------------

_keys = st.text(max_size=4)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=4)),
    max_leaves=25,
)


def _inject(
    value: Any, data: st.DataObject, at: tuple[str | int, ...], found: list[tuple[Any, ...]]
) -> str:
    """``value`` as JSON text; some of its objects write one of their keys twice (first
    with a scalar, so every repeat is in what the parser keeps). ``found`` gets each."""
    if isinstance(value, dict):
        pairs = [(k, _inject(v, data, (*at, k), found)) for k, v in value.items()]
        if pairs and data.draw(st.booleans()):
            key = data.draw(st.sampled_from(sorted(value)))
            first = data.draw(_scalars)
            pairs.insert(0, (key, json.dumps(first)))
            found.append((at, key, first))
        return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in pairs) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_inject(v, data, (*at, i), found) for i, v in enumerate(value)) + "]"
    return json.dumps(value)


@settings(max_examples=200, deadline=None)
@given(value=st.dictionaries(_keys, _json, max_size=5), data=st.data())
def test_exactly_the_injected_repeats_are_found(value: dict[str, Any], data: st.DataObject) -> None:
    injected: list[tuple[Any, ...]] = []
    text = _inject(value, data, (), injected).encode()
    found = duplicate_keys(text, orjson.loads(text))
    assert sorted(((d.at, d.key, d.count) for d in found), key=repr) == sorted(
        ((at, key, 2) for at, key, _ in injected), key=repr
    )
    for duplicate, (_, _, first) in zip(
        sorted(found, key=lambda d: repr((d.at, d.key))),
        sorted(injected, key=lambda i: repr((i[0], i[1]))),
        strict=True,
    ):
        assert duplicate.first == first or duplicate.first != duplicate.first  # NaN-free
        assert duplicate.last == _at(value, (*duplicate.at, duplicate.key))


def _at(value: Any, where: tuple[str | int, ...]) -> Any:
    for step in where:
        value = value[step]
    return value


@settings(max_examples=200, deadline=None)
@given(value=_json)
def test_no_repeat_no_finding_whatever_the_spelling(value: Any) -> None:
    for text in (
        orjson.dumps(value),  # canonical: the fast check decides
        json.dumps(value, indent=1).encode(),  # anything else: parsed again
        b"\xef\xbb\xbf " + json.dumps(value, ensure_ascii=True).encode() + b"\r\n",
    ):
        assert duplicate_keys(text, orjson.loads(text.removeprefix(b"\xef\xbb\xbf"))) == ()


def test_the_fast_check_never_answers_for_a_text_with_repeats() -> None:
    text = b'{"a":1,"a":1}'
    # Written back, the parsed value is shorter than the text: the slow check must run.
    assert duplicate_keys(text, orjson.loads(text)) == (DuplicateKey((), "a", 2, 1, 1),)
    assert (
        duplicate_keys(b'{"n":123456789012345678901234,"n":1}', None)[0].first
        == 123456789012345678901234
    )


# -- envelope properties the contract does not declare ---------------------------------------


def _issues(decoded: Decoded) -> list[tuple[str, str]]:
    return [(i.kind, i.path) for i in decoded.issues]


def test_an_undeclared_envelope_property_is_drift() -> None:
    decoded = decode(event(trace_id="t"))
    assert decoded.status is Status.DRIFT
    assert _issues(decoded) == [("unexpected_field", "trace_id")]
    assert "is not declared by AuditEvent" in decoded.issues[0].message
    assert decoded.fits is not None and "main" in decoded.fits


def test_hash_algorithm_is_not_drift() -> None:
    assert decode(event(hash_algorithm="sha256")).status is Status.OK


def test_a_v1_5_7_cluster_name_is_drift_under_main() -> None:
    older = event(cluster_name="prod-east")
    decoded = decode(older, contract=MAIN)
    assert decoded.status is Status.DRIFT
    assert _issues(decoded) == [("unexpected_field", "cluster_name")]
    assert decode(older, contract=load_contract("v1.5.7")).status is Status.OK
    # and the other way round: main's name is drift under v1.5.7
    newer = decode(event(cluster_id="prod-east"), contract=load_contract("v1.5.7"))
    assert ("unexpected_field", "cluster_id") in _issues(newer)


def test_envelope_drift_beside_worse_findings() -> None:
    decoded = decode(event(trace_id="t", event_outcome="maybe"))
    assert decoded.status is Status.INVALID
    assert set(_issues(decoded)) == {("enum", "event_outcome"), ("unexpected_field", "trace_id")}
    unknown = decode({**_retyped("gateway.signal.teleported", None), "trace_id": "t"})
    assert unknown.status is Status.UNKNOWN
    assert ("unexpected_field", "trace_id") in _issues(unknown)


# -- the bulk lane takes exactly the events decode calls ok -----------------------------------


def _lines() -> dict[str, bytes]:
    payload_repeat = event()
    payload_repeat["event_data"] = repeat(payload_repeat["event_data"], "signal_name", "x")
    return {
        "plain": orjson.dumps(event()),
        "hash_algorithm": orjson.dumps(event(hash_algorithm="sha256")),
        "an envelope extra": orjson.dumps(event(trace_id="t")),
        "cluster_name": orjson.dumps(event(cluster_name="c")),
        "a payload repeat, same value": write(payload_repeat).encode(),
        "an envelope repeat": _top("a").encode(),
        "an envelope repeat, spaced": json.dumps(event(namespace="b"), indent=1)[:-1].encode()
        + b', "namespace": "b"}',
    }


@pytest.mark.parametrize("name", list(_lines()))
def test_the_bulk_lane_takes_what_decode_calls_ok(name: str) -> None:
    line = _lines()[name]
    decoded = read_one(line)
    clean = decoded.status is Status.OK and not decoded.issues
    assert (bulk_text(line) is not None) is clean
    assert clean is (name in ("plain", "hash_algorithm"))


# -- import and sync store repeats as invalid, with what orjson read -------------------------


def _import_lines() -> list[bytes]:
    lines = [orjson.dumps(event()) for _ in range(12)]
    repeated = event(event_id=str(uuid.uuid4()))
    repeated["event_data"] = repeat(repeated["event_data"], "signal_name", "first")
    lines[3] = write(repeated).encode()
    lines[8] = _top("a").encode()
    return lines


def _stored(cache: Cache) -> list[tuple[Any, ...]]:
    sql = (
        "SELECT event_id, decode_status, decode_issues, event_data, namespace FROM events"
        " ORDER BY event_id"
    )
    return cache.connection.execute(sql).fetchall()


def _check_repeats(cache: Cache, lines: list[bytes]) -> None:
    by_id = {row[0]: row for row in _stored(cache)}
    assert len(by_id) == len(lines)
    for index, line in enumerate(lines):
        value = orjson.loads(line)
        _, status, issues, data, namespace = by_id[value["event_id"]]
        if index in (3, 8):
            assert status == "invalid"
            paths = [i["path"] for i in json.loads(issues) if i["kind"] == "duplicate_key"]
            assert paths == (["event_data.signal_name"] if index == 3 else ["namespace"])
        else:
            assert status == "ok"
        # What is stored is what orjson read: the last value of a repeated key.
        assert json.loads(data) == value["event_data"]
        assert namespace == value.get("namespace")
    assert json.loads(by_id[orjson.loads(lines[3])["event_id"]][3])["signal_name"] == "x"
    assert by_id[orjson.loads(lines[8])["event_id"]][4] == "b"


def test_import_stores_repeats_as_invalid_in_both_lanes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _import_lines()
    source = tmp_path / "in.ndjson"
    source.write_bytes(b"\n".join(lines) + b"\n")
    spooled: list[int] = []
    real = batches.SpooledBatch.relation

    def spy(self: batches.SpooledBatch, con: Any) -> Any:
        spooled.append(self.count)
        return real(self, con)

    monkeypatch.setattr(batches.SpooledBatch, "relation", spy)
    monkeypatch.setattr(importer, "BATCH_SIZE", 5)
    with Cache.open(tmp_path / "plain.duckdb", notify=lambda _: None) as plain:
        result = import_files(plain, [source])
        assert result.by_status == {"ok": 10, "invalid": 2}
        _check_repeats(plain, lines)
    assert not spooled
    monkeypatch.setattr(ndjson, "make_pool", lambda count=None: None)  # workers in-process
    monkeypatch.setattr(ndjson, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(ndjson, "BLOCK", 3 * len(lines[0]))
    with Cache.open(tmp_path / "bulk.duckdb", notify=lambda _: None) as quick:
        result = import_files(quick, [source])
        assert result.by_status == {"ok": 10, "invalid": 2}
        _check_repeats(quick, lines)
    assert sum(spooled) == 10  # every clean line took the bulk lane, no repeat did


def _page_text(events: list[str]) -> bytes:
    pagination = f'{{"limit":50,"offset":0,"total":{len(events)},"has_more":false}}'
    return ('{"data":[' + ",".join(events) + '],"pagination":' + pagination + "}").encode()


@pytest.fixture
def repeating_server() -> Iterator[tuple[DataStorageClient, list[bytes]]]:
    lines = _import_lines()
    text = _page_text([line.decode() for line in lines])

    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", "0"))
        body = text if offset == 0 else _page_text([])
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    settings_ = ClientSettings("http://ds.test")
    with DataStorageClient(settings_, transport=httpx.MockTransport(handler)) as client:
        yield client, lines


def test_a_page_carries_its_events_repeats(
    repeating_server: tuple[DataStorageClient, list[bytes]],
) -> None:
    client, _ = repeating_server
    page = client.query_events(limit=50)
    assert {i: [d.path for d in found] for i, found in page.duplicates.items()} == {
        3: ["event_data.signal_name"],
        8: ["namespace"],
    }


@pytest.mark.parametrize("pooled", [False, True], ids=["in-process", "pool"])
def test_sync_stores_repeats_as_invalid(
    repeating_server: tuple[DataStorageClient, list[bytes]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pooled: bool,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client, lines = repeating_server
    if pooled:  # the pool path, with threads for processes
        monkeypatch.setattr(sync, "PARALLEL_EVENTS", 0)
        monkeypatch.setattr(sync, "make_pool", lambda count=None: ThreadPoolExecutor(1))
    with Cache.open(tmp_path / "c.duckdb", notify=lambda _: None) as cache:
        result = sync.run_sync(cache, client, EventFilters(), source="s", page_size=50)
        assert result.complete, result.stopped
        assert result.by_status == {"ok": 10, "invalid": 2}
        _check_repeats(cache, lines)


def test_prepare_events_reads_repeats_by_index() -> None:
    events = [event(), event()]
    repeated = {1: (DuplicateKey(("event_data",), "signal_name", 2, "a", "x"),)}
    prepared = batch.prepare_events(events, "s", datetime.now(UTC), "main", repeated)
    assert prepared.by_status == {"ok": 1, "invalid": 1}


# -- which events a generated Go client refuses ----------------------------------------------


def _refused(raw: Any, text: str | None = None) -> tuple[Status, bool]:
    if text is None:
        decoded = decode(raw, contract=MAIN)
        return decoded.status, go_rejects(decoded, MAIN)
    record = next(iter(EventReader(io.BytesIO(text.encode()))))
    decoded = decode_record(record, contract=MAIN)
    return decoded.status, go_rejects(decoded, MAIN, record.duplicates)


def _retyped(envelope: str, payload: str | None) -> dict[str, Any]:
    raw = event()
    raw["event_type"] = envelope
    if payload is None:
        del raw["event_data"]["event_type"]
    else:
        raw["event_data"]["event_type"] = payload
    return raw


def _closed_extra() -> dict[str, Any]:
    raw = valid_event("main", "aiagent.response.complete", full=True)
    raw["event_data"]["response_data"]["rootCauseAnalysis"]["hint"] = "x"
    return raw


def _repeated_discriminator(first: str) -> str:
    raw = event()
    raw["event_data"] = repeat(raw["event_data"], "event_type", first)
    return write(raw)


@pytest.mark.parametrize(
    ("raw", "text", "status", "refused"),
    [
        (event(), None, Status.OK, False),
        (event(trace_id="t"), None, Status.DRIFT, False),
        (event(event_outcome="maybe"), None, Status.INVALID, True),
        (_closed_extra(), None, Status.INVALID, True),
        (None, _top("a"), Status.INVALID, False),  # Go reads the last value, like pydantic
        # Go types the payload by event_data.event_type; the envelope's is a plain string.
        (_retyped("gateway.signal.received", None), None, Status.MISMATCH, True),
        (_retyped("gateway.signal.received", "nope"), None, Status.MISMATCH, True),
        (_retyped("gateway.signal.received", "gateway.signal.deduplicated"), None,
         Status.MISMATCH, False),
        (_retyped("gateway.signal.teleported", "gateway.signal.received"), None,
         Status.UNKNOWN, False),
        (_retyped("gateway.signal.teleported", "gateway.signal.teleported"), None,
         Status.UNKNOWN, True),
        (None, _repeated_discriminator("gateway.signal.teleported"), Status.INVALID, True),
        (None, _repeated_discriminator("gateway.signal.deduplicated"), Status.INVALID, False),
    ],
    ids=[
        "ok",
        "drift",
        "invalid enum",
        "closed object extra",
        "repeated key",
        "payload type missing",
        "payload type unknown",
        "payload type known but other",
        "envelope type unknown, payload type known",
        "both unknown",
        "repeated discriminator, first unknown",
        "repeated discriminator, first known",
    ],
)  # fmt: skip
def test_which_events_a_generated_go_client_refuses(
    raw: Any, text: str | None, status: Status, refused: bool
) -> None:
    assert _refused(raw, text) == (status, refused)


def test_a_non_object_and_a_malformed_line_are_refused() -> None:
    for text in ("[1, 2]\n{}\n", "{nope\n{}\n"):
        record = next(iter(EventReader(io.BytesIO(text.encode()))))
        decoded = decode_record(record, contract=MAIN)
        assert go_rejects(decoded, MAIN)
