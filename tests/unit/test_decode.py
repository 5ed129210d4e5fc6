from __future__ import annotations

import copy
import importlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.models import REGISTRY, Status, decode
from explorer.models.decode import ISSUE_KINDS, Decoded, Issue
from tests.factories import event

# the module, not the function of the same name that explorer.models exports
decode_module = importlib.import_module("explorer.models.decode")


def kinds(decoded: Any) -> list[tuple[str, str]]:
    return [(i.kind, i.path) for i in decoded.issues]


@pytest.mark.parametrize("event_type", sorted(REGISTRY))
def test_every_event_type_decodes_to_its_model(event_type: str) -> None:
    decoded = decode(event(event_type))
    assert decoded.status is Status.OK, decoded.issues
    assert type(decoded.payload) is REGISTRY[event_type].model
    assert decoded.service == event_type.split(".")[0]
    assert decoded.envelope is not None


def test_registry_has_every_type_with_its_service() -> None:
    assert len(REGISTRY) == 142
    assert REGISTRY["aiagent.session.started"].service == "aiagent"
    assert REGISTRY["apifrontend.rr.created"].schema == "ApifrontendRRCreatedPayload"


def test_unknown_type_comes_first() -> None:
    raw = event()
    raw["event_type"] = "gateway.signal.throttled"
    decoded = decode(raw)
    assert decoded.status is Status.UNKNOWN
    assert decoded.issues[0].kind == "unknown_type"
    assert decoded.issues[0].path == "event_type"
    assert decoded.service == "gateway"


def test_missing_discriminator_is_a_mismatch_and_other_findings_are_kept() -> None:
    raw = event()
    del raw["event_data"]["event_type"]
    del raw["event_data"]["signal_name"]
    decoded = decode(raw)
    assert decoded.status is Status.MISMATCH
    assert kinds(decoded) == [
        ("discriminator", "event_data.event_type"),
        ("missing", "event_data.signal_name"),
    ]


def test_wrong_discriminator_names_both_sides() -> None:
    raw = event()
    raw["event_data"]["event_type"] = "gateway.crd.created"
    decoded = decode(raw)
    assert decoded.status is Status.MISMATCH
    assert "gateway.signal.received" in decoded.issues[0].message
    assert "gateway.crd.created" in decoded.issues[0].message


def test_schema_without_event_type_property_still_needs_the_discriminator() -> None:
    raw = event("aianalysis.error.occurred", event_category="analysis")
    assert decode(raw).status is Status.OK
    del raw["event_data"]["event_type"]
    assert decode(raw).status is Status.MISMATCH


@pytest.mark.parametrize(
    ("mutate", "kind", "path", "words"),
    [
        (
            lambda d: d["event_data"].pop("fingerprint"),
            "missing",
            "event_data.fingerprint",
            "missing",
        ),
        (
            lambda d: d["event_data"].update(occurrence_count="12345"),
            "type",
            "event_data.occurrence_count",
            "expected integer, got string '12345'",
        ),
        (
            lambda d: d["event_data"].update(signal_type="webhook"),
            "enum",
            "event_data.signal_type",
            "expected 'alert', got string 'webhook'",
        ),
        (
            lambda d: d["event_data"].update(severity=None),
            "null",
            "event_data.severity",
            "null is not allowed",
        ),
        (lambda d: d.update(correlation_id=""), "constraint", "correlation_id", "at least 1"),
        (lambda d: d.update(event_outcome="maybe"), "enum", "event_outcome", "'success'"),
        (lambda d: d.update(event_timestamp="yesterday"), "type", "event_timestamp", "date-time"),
        (lambda d: d.update(event_data=[1, 2]), "not_object", "event_data", "array of 2 items"),
        (lambda d: d.pop("event_data"), "missing", "event_data", "missing"),
    ],
)
def test_invalid_findings(mutate: Any, kind: str, path: str, words: str) -> None:
    raw = event()
    mutate(raw)
    decoded = decode(raw)
    assert decoded.status is Status.INVALID
    match = [i for i in decoded.issues if i.kind == kind and i.path == path]
    assert match, decoded.issues
    assert words in match[0].message


def test_nested_paths_and_array_indices() -> None:
    raw = event()
    raw["event_data"]["error_details"] = {
        "message": "boom",
        "code": 12,
        "component": "gateway",
        "retry_possible": True,
    }
    decoded = decode(raw)
    assert ("type", "event_data.error_details.code") in kinds(decoded)

    raw = event("effectiveness.health.assessed", event_category="effectiveness")
    raw["event_data"]["components_assessed"] = ["health", "alert", 7]
    decoded = decode(raw)
    assert ("type", "event_data.components_assessed[2]") in kinds(decoded)


def test_nullable_field_accepts_null() -> None:
    raw = event("effectiveness.health.assessed", event_category="effectiveness")
    raw["event_data"]["score"] = None
    raw["parent_event_id"] = None
    assert decode(raw).status is Status.OK


def test_drift_at_top_level_and_nested() -> None:
    raw = event()
    raw["event_data"]["cluster_hint"] = "east"
    raw["event_data"]["error_details"] = {
        "message": "m",
        "code": "E1",
        "component": "gateway",
        "retry_possible": False,
        "trace_id": "abc",
    }
    decoded = decode(raw)
    assert decoded.status is Status.DRIFT
    assert kinds(decoded) == [
        ("unexpected_field", "event_data.cluster_hint"),
        ("unexpected_field", "event_data.error_details.trace_id"),
    ]
    assert decoded.payload is not None


def test_drift_is_listed_below_invalid() -> None:
    raw = event()
    raw["event_data"]["new_field"] = 1
    raw["event_data"]["occurrence_count"] = "3"
    decoded = decode(raw)
    assert decoded.status is Status.INVALID
    assert [i.kind for i in decoded.issues] == ["type", "unexpected_field"]


def test_unknown_envelope_properties_are_kept_not_drift() -> None:
    raw = event(hash_algorithm="sha256-unkeyed", event_hash="ab", previous_event_hash=None)
    decoded = decode(raw)
    assert decoded.status is Status.OK
    assert decoded.envelope is not None
    assert decoded.envelope.model_extra == {"hash_algorithm": "sha256-unkeyed"}


def test_timestamps_must_carry_a_zone() -> None:
    raw = event(event_timestamp="2026-11-20T10:00:00")
    decoded = decode(raw)
    assert decoded.status is Status.INVALID
    assert decoded.issues[0].path == "event_timestamp"
    assert decoded.envelope is None
    ok = decode(event(event_timestamp="2026-11-20T10:00:00+02:00"))
    assert ok.envelope is not None and ok.envelope.event_timestamp.utcoffset() is not None


def test_not_an_object() -> None:
    decoded = decode([1, 2, 3])
    assert decoded.status is Status.INVALID
    assert kinds(decoded) == [("not_object", "")]


def test_huge_integers_do_not_break_decoding() -> None:
    raw = event()
    raw["event_data"]["occurrence_count"] = 2**80
    decoded = decode(raw)
    assert decoded.status is Status.INVALID
    assert "digits" in decoded.issues[0].message or "integer" in decoded.issues[0].message


def test_decode_does_not_modify_its_input() -> None:
    raw = event()
    del raw["event_data"]["event_type"]
    before = copy.deepcopy(raw)
    decode(raw)
    assert raw == before


def test_issue_kinds_are_the_documented_ones() -> None:
    assert set(ISSUE_KINDS) == {
        "missing",
        "type",
        "enum",
        "constraint",
        "null",
        "not_object",
        "unexpected_field",
        "discriminator",
        "unknown_type",
        "malformed_json",
        "decoder_error",
        "duplicate_key",
    }


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=30,
)


_CLOSED = ", which allows no additional properties"


def expected_status(issues: tuple[Issue, ...]) -> Status:
    """The status the documented precedence gives ``issues``, worked out independently."""
    found = {issue.kind for issue in issues}
    if "unknown_type" in found:
        return Status.UNKNOWN
    if "discriminator" in found:
        return Status.MISMATCH
    if any(i.kind != "unexpected_field" or i.message.endswith(_CLOSED) for i in issues):
        return Status.INVALID
    return Status.DRIFT if issues else Status.OK


def assert_decoded_by_the_decoder(decoded: Decoded) -> None:
    """Decoded by the decoder itself, not by its crash fallback, with a consistent status."""
    crashes = [i.message for i in decoded.issues if i.kind == "decoder_error"]
    assert not crashes, crashes
    assert all(i.kind in ISSUE_KINDS for i in decoded.issues), decoded.issues
    assert decoded.status is expected_status(decoded.issues), decoded.issues


def test_a_crash_in_the_decoder_is_an_invalid_event_naming_the_exception(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class SchemaWalkFailed(Exception):
        pass

    def broken(*_args: Any) -> list[Issue]:
        raise SchemaWalkFailed("no shape for 'x'")

    monkeypatch.setattr(decode_module, "_drift", broken)
    raw = event(event_id="e-crash")
    decoded = decode(raw)
    assert decoded.status is Status.INVALID
    assert [(i.kind, i.path) for i in decoded.issues] == [("decoder_error", "")]
    assert decoded.issues[0].message == "could not be decoded: SchemaWalkFailed: no shape for 'x'"
    assert decoded.event_id == "e-crash" and decoded.raw is raw
    with pytest.raises(AssertionError, match="SchemaWalkFailed"):
        assert_decoded_by_the_decoder(decoded)  # what the fuzz tests below would report


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_decode_never_raises_on_arbitrary_json(value: Any) -> None:
    assert_decoded_by_the_decoder(decode(value))


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(REGISTRY)),
    st.dictionaries(
        st.sampled_from(["event_type", "signal_name", "phase", "session_id", "x"]),
        json_values,
        max_size=5,
    ),
    st.dictionaries(
        st.sampled_from(["event_id", "event_timestamp", "correlation_id", "duration_ms"]),
        json_values,
        max_size=4,
    ),
)
def test_decode_never_raises_on_near_valid_events(
    event_type: str, data: dict[str, Any], envelope: dict[str, Any]
) -> None:
    raw = event(event_type)
    raw["event_data"].update(data)
    raw.update(envelope)
    assert_decoded_by_the_decoder(decode(raw))


def test_missing_event_type_is_unknown_with_its_issue() -> None:
    raw = event()
    raw["event_type"] = 12
    decoded = decode(raw)
    assert decoded.status is Status.UNKNOWN
    assert decoded.issues[0].kind == "unknown_type"
    assert ("type", "event_type") in kinds(decoded)
