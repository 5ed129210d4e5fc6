"""``validate`` on a query page: whether a Go client generated from the contract would
reject the page as a whole (it decodes the page in one piece, so one event it refuses
fails them all), in every output format."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from click.testing import CliRunner, Result

from explorer.cli import main
from tests.factories import event


def run(args: list[str], stdin: bytes) -> Result:
    return CliRunner().invoke(main, ["validate", *args], input=stdin, catch_exceptions=False)


def page(events: list[Any]) -> bytes:
    pagination = {"limit": 200, "offset": 0, "total": len(events), "has_more": False}
    return orjson.dumps({"data": events, "pagination": pagination})


def refused() -> dict[str, Any]:
    return event(event_outcome="maybe")  # an enum Validate() checks


def mismatched() -> dict[str, Any]:
    raw = event()
    del raw["event_data"]["event_type"]  # no payload type: unmarshalling fails
    return raw


def drifted() -> dict[str, Any]:
    raw = event(trace_id="t")  # Go drops it
    raw["event_data"]["tenant"] = "t"
    return raw


def with_a_repeat(events: list[Any], index: int) -> bytes:
    """``page(events)`` with ``namespace`` written twice in event ``index``."""
    text = page([{**e, "namespace": "b"} if i == index else e for i, e in enumerate(events)])
    head, _, tail = text.partition(b'"namespace":"b"')
    return head + b'"namespace":"a","namespace":"b"' + tail


def test_a_page_go_accepts() -> None:
    result = run([], page([event(), event(), drifted()]))
    assert result.exit_code == 0
    assert "A generated Go client would accept this page: it refuses none of its 3" in (
        result.stdout
    )


def test_a_page_go_rejects_names_the_events() -> None:
    events = [event(), refused(), event(), mismatched(), drifted(), refused(), event()]
    result = run([], page(events))
    assert result.exit_code == 1
    text = " ".join(result.stdout.split())  # the verdict may wrap
    assert (
        "A generated Go client would reject this page: 3 of 7 events are refused"
        " (item 1, item 3, item 5)." in text
    )
    assert all(len(line) <= 80 for line in result.stdout.splitlines())


def test_many_refused_events_are_counted_past_the_first_ten() -> None:
    result = run([], page([refused() for _ in range(13)] + [event()]))
    text = " ".join(result.stdout.split())
    assert "13 of 14 events are refused (item 0, item 1," in text
    assert "item 9, 3 more)." in text


def test_a_repeated_key_is_invalid_but_go_reads_past_it() -> None:
    result = run([], with_a_repeat([event(), event()], 1))
    assert result.exit_code == 1  # invalid: the consumers may read different events
    assert "duplicate_key" in result.stdout and "namespace" in result.stdout
    assert "would accept this page" in result.stdout


@pytest.mark.parametrize("shape", ["ndjson", "array", "export"])
def test_other_inputs_get_no_page_verdict(shape: str) -> None:
    events = [event(), refused()]
    stdin = {
        "ndjson": b"\n".join(orjson.dumps(e) for e in events) + b"\n",
        "array": orjson.dumps(events),
        "export": orjson.dumps({"events": events}),
    }[shape]
    for args in ([], ["--format", "json"], ["--format", "ndjson"]):
        result = run(args, stdin)
        assert "generated Go client" not in result.output
        assert result.stderr == ""


def test_json_output_stays_an_array_and_the_verdict_goes_to_stderr() -> None:
    result = run(["--format", "json"], page([event(), refused(), drifted()]))
    rows = json.loads(result.stdout)
    assert [r["status"] for r in rows] == ["ok", "invalid", "drift"]
    assert "go_rejects" not in rows[0]
    assert [r["go_rejects"] for r in rows[1:]] == [True, False]
    assert result.stderr.splitlines() == [
        "A generated Go client would reject this page: 1 of 3 events are refused (item 1)."
    ]


def test_ndjson_lines_stay_events_and_the_verdict_goes_to_stderr() -> None:
    result = run(["--format", "ndjson"], with_a_repeat([event(), mismatched(), event()], 2))
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["ok", "discriminator_mismatch", "invalid"]
    assert [r.get("go_rejects") for r in rows] == [None, True, False]
    assert rows[2]["issues"][0]["kind"] == "duplicate_key"
    assert rows[2]["issues"][0]["path"] == "namespace"
    assert result.stderr.strip() == (
        "A generated Go client would reject this page: 1 of 3 events are refused (item 1)."
    )
