"""One thing is one: "1 step", "1 event", "1 row" (issue 15)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from explorer.core.stats import Histogram
from explorer.core.timeline import Step, Timeline
from explorer.tui.screens.timeline import summary_text
from explorer.tui.styles import Palette
from explorer.tui.text import plural
from explorer.tui.widgets.histogram import histogram_text

COLORS = Palette({})
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_plural() -> None:
    assert plural(1, "step") == "1 step"
    assert plural(0, "step") == "0 steps"
    assert plural(1_204, "event") == "1,204 events"
    assert plural(2, "match", "matches") == "2 matches"


def test_a_one_step_timeline_says_so() -> None:
    step = Step("e1", NOON, "gateway", "gateway.crd.failed", "failure", "invalid", None,
                timedelta(0), True, None)  # fmt: skip
    text = str(summary_text(Timeline("rr-1", (step,)), COLORS))
    assert "1 step " in text and "1 failure " in text and "1 decode problem " in text
    assert "steps" not in text and "failures" not in text


def test_a_one_event_histogram_says_so() -> None:
    text = str(histogram_text(Histogram(NOON, timedelta(minutes=5), [1]), 80, COLORS))
    assert "1 event " in text and "events" not in text
    assert "one bar = 5m00s" in text  # a readable unit, not 0:05:00
