"""The compiled check of the bulk lane (``explorer.ingest.fastcheck``) against the strict
pydantic validator it stands in for.

The rule: the msgspec structs accept a line only if pydantic does (``decode`` says ``ok``
with no issue). They may refuse more, but only where the module says so (date-times not
spelled as plain RFC 3339); everywhere else both lane decisions are equal. Events come
from the contracts' YAML (``tests.contract``), not from the models, then one mutation.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import AwareDatetime, TypeAdapter, ValidationError

from explorer.ingest import fastcheck
from explorer.ingest.lanes import bulk_text, strict_validator
from explorer.models.decode import Status, decode
from explorer.models.registry import CONTRACT_NAMES, load_contract
from tests.contract import valid_event

_EXAMPLES = int(os.environ.get("FASTCHECK_EXAMPLES", 300))
_STAMP = TypeAdapter(AwareDatetime)
_UUID = TypeAdapter(UUID)
_RAW = "@RAW@"  # a value written as raw JSON text after dumping (1e400, 2**70)


def _pydantic_reads_stamp(text: str) -> bool:
    try:
        _STAMP.validate_json(json.dumps(text), strict=True)
    except ValidationError:
        return False
    return True


def _plain_stamp(text: Any) -> bool:
    return type(text) is str and re.search(fastcheck.AWARE_STAMP, text) is not None


# -- the mutations ---------------------------------------------------------------------------

_LENGTHS = (0, 1, 19, 20, 21, 44, 45, 46, 49, 50, 51, 64, 99, 100, 101, 254, 255, 256)
_STAMPS = (
    "2026-11-20T10:00:00Z",
    "2026-11-20T10:00:00.123456+05:30",
    "2026-11-20T10:00:00.1234567Z",  # pydantic truncates: the compiled check refuses
    "2026-11-20t10:00:00z",
    "2026-11-20 10:00:00Z",
    "2026-11-20T10:00Z",
    "2026-11-20T10:00:00+0100",
    "2026-11-20T10:00:00+23:59",
    "2026-11-20T10:00:00+24:00",
    "2026-11-20T10:00:00-00:00",
    "2026-11-20T23:59:60Z",
    "2026-11-20T24:00:00Z",
    "2026-11-20T10:00:00",  # no offset
    "2024-02-29T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2000-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2026-11-20T10:00:00Z\n",
    "1763632800",
)
_DATES = ("2026-11-20", "2024-02-29", "2023-02-29", "2026-13-01", "0000-01-01", "2026-1-01",
          "2026-11-20T00:00:00", "2026-11-20T00:00:00Z", "20261120", "2026-11-20\n")  # fmt: skip
_UUIDS = (
    "00000000-0000-0000-0000-000000000001",
    "0B7E3C1A-9A5E-4C0E-8F1E-2D5B6A7C8D9E",
    "0b7e3c1a9a5e4c0e8f1e2d5b6a7c8d9e",
    "urn:uuid:0b7e3c1a-9a5e-4c0e-8f1e-2d5b6a7c8d9e",
    "{0b7e3c1a-9a5e-4c0e-8f1e-2d5b6a7c8d9e}",
    "0b7e3c1a-9a5e-4c0e-8f1e-2d5b6a7c8d9",
    "0b7e3c1a-9a5e-4c0e-8f1e-2d5b6a7c8d9g",
)
_HASHES = ("ab" * 32, "AB" * 32, "ab" * 32 + "\n", "ab" * 31, "ab" * 33, "ab" * 31 + "é1")
_SCALARS: tuple[Any, ...] = (
    None, True, False, 0, 1, -1, 1.0, 0.5, -0.0, 1.5, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1,
    2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64, 1e300, "1", "true", "", "x", "é",
    "\u2028", "\x00", "🙂" * 3, [], {}, ["x"], {"k": "x"}, {"k": ["x"]}, [1, "x"],
)  # fmt: skip
_RAW_TEXTS = ("1e400", "-1e400", "1e-400", "1E2", "100000000000000000000000", "-0", "0.0")


def _values() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(_SCALARS),
        st.sampled_from(_STAMPS + _DATES + _UUIDS + _HASHES),
        st.builds(lambda n, c: c * n, st.sampled_from(_LENGTHS), st.sampled_from("xé🙂")),
        st.text(max_size=8),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(_RAW_TEXTS).map(lambda t: (_RAW, t)),
    )


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in an event a value can be put: each key and item, at any depth."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _at(event: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        event = event[step]
    return event


_TYPES = [(c, t) for c in CONTRACT_NAMES for t in load_contract(c).registry]


@st.composite
def _lines(draw: st.DrawFn) -> tuple[str, str, bytes, list[Any]]:
    """(contract, event type, line, the values placed): a valid event (with an event_id
    and today's envelope names, so that the lane hinges on validation), then 0-3
    mutations."""
    contract, event_type = draw(st.sampled_from(_TYPES))
    event = valid_event(contract, event_type, full=draw(st.booleans()))
    event["event_id"] = _ID
    event.pop("cluster_name", None)
    raws: list[str] = []
    placed: list[Any] = []
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(_paths(event)))
        parent = _at(event, path[:-1])
        action = draw(st.sampled_from(["set", "set", "set", "drop", "extra"]))
        if action == "drop":
            del parent[path[-1]]
        elif action == "extra":
            target = _at(event, path) if isinstance(_at(event, path), dict) else parent
            if isinstance(target, dict):
                target[draw(st.sampled_from(_EXTRA_KEYS))] = draw(_values())
        else:
            value = draw(_values())
            if isinstance(value, tuple):
                raws.append(value[1])
                placed.append(value[1])
                value = f"{_RAW}{len(raws) - 1}"
            else:
                placed.append(value)
            parent[path[-1]] = value
    text = json.dumps(event, ensure_ascii=draw(st.booleans()))
    for index, raw in enumerate(raws):
        text = text.replace(f'"{_RAW}{index}"', raw)
    return contract, event_type, text.encode(), placed


_ID = "0b7e3c1a-9a5e-4c0e-8f1e-2d5b6a7c8d9e"
_EXTRA_KEYS = ["extra", "hash_algorithm", "global", "global_", "Event_Type", "f0"]


def _refused_on_purpose(placed: list[Any]) -> bool:
    """A value the compiled check refuses although pydantic reads it: a date-time not
    spelled as plain RFC 3339, a UUID as a URN or in braces, a number beyond a double
    (pydantic: infinity)."""
    return any(
        (type(v) is str and _pydantic_reads_stamp(v) and not _plain_stamp(v))
        or (type(v) is str and _pydantic_reads_uuid(v) and not _msgspec_reads_uuid(v))
        or v in ("1e400", "-1e400")
        for v in placed
    )


def _pydantic_reads_uuid(text: str) -> bool:
    try:
        _UUID.validate_json(json.dumps(text), strict=True)
    except ValidationError:
        return False
    return True


def _msgspec_reads_uuid(text: str) -> bool:
    try:
        msgspec.json.decode(json.dumps(text), type=UUID)
    except msgspec.ValidationError:
        return False
    return True


def _strict_accepts(line: bytes, event_type: str, contract: str) -> bool:
    validator = strict_validator(event_type, contract)
    assert validator is not None
    try:
        validator.validate_json(line, strict=True)
    except ValidationError:
        return False
    return True


def _compiled_accepts(line: bytes, event_type: str, contract: str) -> bool:
    check = fastcheck.compiled_check(event_type, contract)
    assert check is not None
    try:
        check(line)
    except msgspec.MsgspecError:
        return False
    return True


@settings(
    max_examples=_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=_lines())
def test_the_compiled_check_takes_the_lane_pydantic_takes(
    case: tuple[str, str, bytes, list[Any]],
) -> None:
    contract, event_type, line, placed = case
    # the checks themselves (no other condition of the lane in the way)
    compiled = _compiled_accepts(line, event_type, contract)
    if compiled != _strict_accepts(line, event_type, contract):
        assert not compiled and _refused_on_purpose(placed), line
    # the lane decision
    fast = bulk_text(line, contract, compiled=True)
    strict = bulk_text(line, contract, compiled=False)
    if fast is not None:
        assert fast == strict  # the same event_id and spooled line
        decoded = decode(orjson.loads(line), line, load_contract(contract))
        assert decoded.status is Status.OK and not decoded.issues, line
    elif strict is not None:
        assert _refused_on_purpose(placed), line


def test_every_event_type_of_every_contract_is_compiled() -> None:
    """No type silently falls back to the strict validator (it would be slower, not wrong)."""
    missing = [(c, t) for c, t in _TYPES if not fastcheck.supported(t, c)]
    assert missing == []


def test_valid_events_pass_and_take_the_same_lane_either_way() -> None:
    for contract, event_type in _TYPES:
        check = fastcheck.compiled_check(event_type, contract)
        assert check is not None
        for full in (True, False):
            line = json.dumps(valid_event(contract, event_type, full=full)).encode()
            check(line)
            fast = bulk_text(line, contract, compiled=True)
            assert fast == bulk_text(line, contract, compiled=False), (contract, event_type)


# -- date-times ------------------------------------------------------------------------------


def test_plain_stamps_of_every_day_are_read_alike() -> None:
    day = date(1896, 1, 1)
    while day < date(2105, 1, 1):
        text = f"{day.isoformat()}T23:59:59.5+23:59"
        assert _plain_stamp(text) == _pydantic_reads_stamp(text) is True, text
        day += timedelta(days=1)
    for year in (1900, 2000, 2023, 2024, 2100, 2400):
        for month in range(1, 13):
            for day_of_month in (28, 29, 30, 31, 32):
                text = f"{year}-{month:02}-{day_of_month:02}T00:00:00Z"
                assert _plain_stamp(text) == _pydantic_reads_stamp(text), text


@given(
    moment=st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    minutes=st.integers(-(24 * 60) + 1, 24 * 60 - 1),
    digits=st.integers(0, 6),
)
def test_plain_stamps_with_any_offset_are_read(moment: datetime, minutes: int, digits: int) -> None:
    stamp = moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    text = stamp.isoformat(timespec="seconds")
    if digits:
        text = text[:19] + "." + f"{moment.microsecond:06}"[:digits] + text[19:]
    assert _plain_stamp(text) and _pydantic_reads_stamp(text), text


@given(text=st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt _][0-9:.]{5,12}[Zz+\-0-9:]{0,7}\Z"))
def test_what_the_stamp_pattern_takes_pydantic_reads(text: str) -> None:
    if _plain_stamp(text):
        assert _pydantic_reads_stamp(text), text


# -- the rest of the rule --------------------------------------------------------------------


def test_patterns_mean_the_same_to_both_engines() -> None:
    assert fastcheck.portable_pattern("^[a-f0-9]{64}$") == "^[a-f0-9]{64}\\Z"
    for unsure in ("^https://kubernaut\\.ai/x/.+", "^(a|b)$", "[a-f]$", "^[^a]$", "^\\d+$"):
        with pytest.raises(fastcheck.Unsupported):
            fastcheck.portable_pattern(unsure)


def test_deep_nesting_is_left_to_pydantic() -> None:
    event = valid_event("main", "gateway.signal.received")
    event["event_data"]["original_payload"] = {"deep": json.loads("[" * 201 + "]" * 201)}
    line = json.dumps(event).encode()
    assert fastcheck.may_nest_deeply(line)
    assert bulk_text(line) is None  # pydantic's parser stops at 200 levels
    check = fastcheck.compiled_check("gateway.signal.received")
    assert check is not None
    check(line)  # msgspec alone would have taken it


def test_an_unmapped_type_has_no_compiled_check() -> None:
    assert fastcheck.compiled_check("no.such.type") is None
    assert not fastcheck.supported("no.such.type")


def test_the_compiled_check_refuses_what_the_strict_validator_refuses() -> None:
    base = valid_event("main", "gateway.signal.received")
    check = fastcheck.compiled_check("gateway.signal.received")
    assert check is not None
    check(json.dumps(base).encode())
    refused = [
        {**base, "surprise": 1},
        {**base, "event_data": {**base["event_data"], "surprise": 1}},
        {**base, "event_timestamp": "2026-11-20t10:00:00z"},
        {**base, "event_timestamp": None},
        {**base, "event_category": "nope"},
        {**base, "event_id": "not-a-uuid"},
    ]
    for event in refused:
        with pytest.raises(msgspec.ValidationError):
            check(json.dumps(event).encode())
    check(json.dumps({**base, "hash_algorithm": None}).encode())


def _leaves(contract: str) -> list[tuple[str, dict[str, Any], tuple[Any, ...]]]:
    """(event type, valid event, path) for each leaf property of the contract, one per
    distinct (name, parent name, valid value): payloads share most of their properties."""
    seen: set[tuple[Any, ...]] = set()
    found = []
    for event_type in load_contract(contract).registry:
        event = valid_event(contract, event_type)
        event["event_id"] = _ID
        for path in _paths(event):
            leaf = _at(event, path)
            key = (path[-1], path[-2] if len(path) > 1 else None, json.dumps(leaf))
            if not isinstance(leaf, dict | list) and key not in seen:
                seen.add(key)
                found.append((event_type, event, path))
    return found


def test_every_property_of_main_refuses_what_pydantic_refuses() -> None:
    """Each value of the mutation pool at each kind of property, without chance: both
    checks decide alike but where the compiled one refuses on purpose."""
    pool = [*_SCALARS, *_STAMPS, *_DATES, *_UUIDS, *_HASHES, *("x" * n for n in _LENGTHS)]
    for event_type, event, path in _leaves("main"):
        parent, name = _at(event, path[:-1]), path[-1]
        valid = parent[name]
        for value in pool:
            parent[name] = value
            line = json.dumps(event).encode()
            compiled = _compiled_accepts(line, event_type, "main")
            if compiled != _strict_accepts(line, event_type, "main"):
                assert not compiled and _refused_on_purpose([value]), (path, value)
        parent[name] = valid
