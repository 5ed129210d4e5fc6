"""Issue 15: from "something failed" to "this is why" in a few keys (Pilot, seeded demo)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from explorer.tui.screens.events import EventsScreen
from explorer.tui.screens.raw import EventScreen
from explorer.tui.screens.timeline import TimelineScreen
from explorer.tui.widgets.events_table import EventsTable
from tests.tui.test_app import SIZE, MakeApp, settle

pytestmark = pytest.mark.anyio

FAILED_REMEDIATIONS = "type:orchestrator.lifecycle.failed"


def _text(screen: object, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


async def test_why_a_remediation_failed_within_six_keys(
    sample_cache: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *FAILED_REMEDIATIONS, "enter")
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        row = table.highlighted
        assert row is not None and row.event_type == "orchestrator.lifecycle.failed"
        # the filter is applied: from here, count the keys
        keys = ["t"]
        await pilot.press(*keys)
        await settle(pilot)
        assert len(keys) <= 6
        assert isinstance(app.screen, TimelineScreen)
        # the first failed step of this correlation, read from the cache directly
        first = (
            app.cursor()
            .execute(
                "SELECT service, event_type FROM events WHERE correlation_id = ? "
                "AND event_outcome = 'failure' ORDER BY event_timestamp, event_id LIMIT 1",
                [row.correlation_id],
            )
            .fetchone()
        )
        assert first is not None
        summary = _text(app.screen, "#timeline-summary")
        line = next(line for line in summary.splitlines() if line.startswith("First failure"))
        assert f"  {first[0]}  {first[1]}  " in line
        timeline = app.screen.timeline
        assert timeline is not None and timeline.first_failure is not None
        error = timeline.first_failure[1].error
        assert error is not None and str(error) in line and error.message != "Unknown"
        assert len(line) <= SIZE[0]  # on one line of the screen, not cut


async def test_n_jumps_between_failures_and_enter_comes_back(
    sample_cache: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *FAILED_REMEDIATIONS, "enter")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TimelineScreen) and screen.timeline is not None
        steps = screen.timeline.steps
        notable = [i for i, step in enumerate(steps) if i and (step.failed or step.decode_problem)]
        assert len(notable) >= 2
        table = screen.query_one(DataTable)
        table.move_cursor(row=0)
        await pilot.press("n")
        assert table.cursor_row == notable[0]
        await pilot.press("n")
        assert table.cursor_row == notable[1]
        await pilot.press("N")
        assert table.cursor_row == notable[0]
        # the strip under the table shows the step's error in full
        error = steps[notable[0]].error
        assert error is not None and str(error) in _text(screen, "#timeline-full")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EventScreen)
        assert app.screen.event_id == steps[notable[0]].event_id
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and table.cursor_row == notable[0]
        await pilot.press("escape")
        assert isinstance(app.screen, EventsScreen)
