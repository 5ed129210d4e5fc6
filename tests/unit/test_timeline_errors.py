"""A step's error, read where each contract version puts errors (pure; no cache)."""

from __future__ import annotations

from typing import Any

import pytest

from explorer.core.timeline import (
    ErrorField,
    StepError,
    error_fields,
    event_error_fields,
    step_error,
)
from explorer.models.registry import CONTRACT_NAMES, load_contract


@pytest.mark.parametrize("contract", CONTRACT_NAMES)
def test_every_error_details_field_is_read_first(contract: str) -> None:
    """Whatever a version calls it, a field typed as its error-details schema ranks 0."""
    seen = 0
    for info in load_contract(contract).registry.values():
        fields = error_fields(info.model)
        for name, field in info.model.model_fields.items():
            alias = field.alias or name
            annotation = repr(field.annotation)
            if "ErrorDetails" in annotation:
                seen += 1
                assert ErrorField((alias, "message"), 0, (alias, "code")) in fields
        assert [f.rank for f in fields] == sorted(f.rank for f in fields)
        paths = {f.path[0] for f in fields}
        # numbers, flags and counts are never an error message; nor where it failed
        for name, field in info.model.model_fields.items():
            if field.annotation in (int, float, bool) or "phase" in name:
                assert (field.alias or name) not in paths
    assert seen, f"{contract} declares no error-details field"


@pytest.mark.parametrize("contract", CONTRACT_NAMES)
def test_the_analysis_error_event_has_its_message(contract: str) -> None:
    info = load_contract(contract).registry["aianalysis.error.occurred"]
    assert error_fields(info.model)[0] == ErrorField(("error_message",), 1)


def test_fields_of_a_type_are_the_union_over_versions() -> None:
    fields = event_error_fields("orchestrator.lifecycle.failed")
    assert fields[0].path == ("error_details", "message")
    assert ("failure_reason",) in [f.path for f in fields]
    assert ("failure_phase",) not in [f.path for f in fields]
    assert event_error_fields("no.such.type") == ()


def test_unknown_is_never_the_error() -> None:
    payload = {"failure_reason": "Unknown", "failure_phase": "AIAnalysis"}
    assert step_error("orchestrator.lifecycle.failed", payload) is None
    payload["reason"] = "InvestigationFailed"
    assert step_error("orchestrator.lifecycle.failed", payload) == StepError(
        "InvestigationFailed", "event_data.reason"
    )


def test_error_details_beat_a_bare_reason_and_bring_their_code() -> None:
    payload: dict[str, Any] = {
        "failure_reason": "Timeout",
        "error_details": {"message": "LLM provider timeout", "code": "LLM_TIMEOUT"},
    }
    error = step_error("orchestrator.lifecycle.failed", payload)
    assert error == StepError(
        "LLM provider timeout", "event_data.error_details.message", "LLM_TIMEOUT"
    )
    assert str(error) == "LLM_TIMEOUT: LLM provider timeout"


def test_the_more_specific_message_wins_at_equal_rank() -> None:
    payload = {"error_details": {"message": "timeout", "code": "T"}}
    error = step_error("orchestrator.lifecycle.failed", payload, "T", "timeout after 120s")
    assert error == StepError("timeout after 120s", "error_message", "T")


def test_payload_message_when_the_envelope_has_none() -> None:
    payload = {"phase": "Investigating", "error_message": "investigation failed:\n  LLM"}
    error = step_error("aianalysis.error.occurred", payload)
    assert error == StepError("investigation failed: LLM", "event_data.error_message")


def test_a_step_that_did_not_fail_has_no_reason_error() -> None:
    payload = {"transition_reason": "Retry", "from_phase": "Pending"}
    assert step_error("orchestrator.lifecycle.transitioned", payload, failed=False) is None
    assert step_error("orchestrator.lifecycle.transitioned", payload) == StepError(
        "Retry", "event_data.transition_reason"
    )


def test_an_unmapped_type_is_read_by_field_names() -> None:
    payload = {"why": "x", "failure_message": "disk full", "retry_count": 3}
    assert step_error("custom.thing.failed", payload) == StepError(
        "disk full", "event_data.failure_message"
    )


@pytest.mark.parametrize(
    "payload", [None, "text", 3, [], {"error_details": "flat"}, {"error_message": 7}]
)
def test_hostile_payloads_give_no_error(payload: Any) -> None:
    assert step_error("aianalysis.error.occurred", payload) is None


def test_only_a_code_is_still_an_error() -> None:
    assert step_error(None, None, "E42", "  ") == StepError("E42", "error_code")
