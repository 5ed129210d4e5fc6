"""Issue 15: from "something failed" to "this is why" in a few keys (Pilot, seeded demo)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, Tree
from textual.widgets.tree import TreeNode

from explorer.core.filters import Filter
from explorer.tui.messages import QueryRequested, StatsRequested
from explorer.tui.screens.events import EventsScreen
from explorer.tui.screens.mismatches import MismatchesScreen
from explorer.tui.screens.params import ParamsScreen
from explorer.tui.screens.raw import EventScreen
from explorer.tui.screens.results import ResultsScreen
from explorer.tui.screens.stats import StatsScreen
from explorer.tui.screens.timeline import TimelineScreen
from explorer.tui.widgets.events_table import EventsTable
from explorer.tui.widgets.filter_bar import FilterBar
from explorer.tui.widgets.result_table import ResultTable
from tests.tui.test_app import SIZE, MakeApp, settle, wait_for_hit

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
        line = _text(app.screen, "#timeline-why")
        assert line.startswith("First failure")
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


async def _query(pilot: Pilot[None], name: str) -> ResultsScreen:
    pilot.app.post_message(QueryRequested(name))
    await pilot.pause()
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ResultsScreen)
    return screen


async def test_query_rows_open_events_and_timelines(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # latest-state names correlations only: Enter opens the row's timeline
        screen = await _query(pilot, "latest-state")
        table = screen.query_one(ResultTable)
        await pilot.press("down", "down")
        row = screen.row()
        assert row is not None and table.cursor_row == 2
        assert str(row["correlation_id"]) in _text(screen, "#query-full")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
        assert app.screen.correlation_id == row["correlation_id"]
        await pilot.press("escape")
        assert app.screen is screen and table.cursor_row == 2  # exactly where it was
        # the palette's "Incident timeline" is the query row's, and the query stays
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"incid")
        await wait_for_hit(pilot, "Incident timeline")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TimelineScreen)
        assert app.screen.correlation_id == row["correlation_id"]
        await pilot.press("escape")
        assert app.screen is screen


async def test_query_parameters_are_edited_in_a_form(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await _query(pilot, "failed-remediations")
        assert screen.result is not None and screen.result.num_rows == 2  # in 7 days
        await pilot.press("p")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ParamsScreen)
        since = form.query_one("#param-0", Input)
        assert since.value == "7d"  # the default
        since.value = "last tuesday"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form  # refused, with the reason
        assert "since" in _text(form, "#params-problem")
        since.value = "2d"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.given == {"since": "2d", "until": "now"}
        assert "since=2d" in _text(screen, "#query-params")
        assert screen.result is not None and screen.result.num_rows == 0
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ParamsScreen)
        since = app.screen.query_one("#param-0", Input)
        assert since.value == "2d"  # what was given last
        since.value = "30d"
        await pilot.press("enter")
        await settle(pilot)
        assert screen.result is not None and screen.result.num_rows == 2
        # these rows name their event: Enter opens it, t its timeline
        row = screen.row()
        assert row is not None
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EventScreen) and app.screen.event_id == row["event_id"]
        await pilot.press("escape")
        await pilot.press("t")
        await settle(pilot)
        timeline = app.screen
        assert isinstance(timeline, TimelineScreen)
        assert timeline.correlation_id == row["correlation_id"]
        steps = timeline.query_one(DataTable)
        assert (
            steps.coordinate_to_cell_key(steps.cursor_coordinate).row_key.value == row["event_id"]
        )


async def _drill(pilot: Pilot[None], line: int) -> tuple[str, int]:
    """Open the mismatch tree, Enter on ``line``: the filter applied and its events."""
    await pilot.press("m")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MismatchesScreen)
    screen.query_one(Tree).cursor_line = line
    await pilot.press("enter")
    await settle(pilot)
    events = pilot.app.screen
    assert isinstance(events, EventsScreen)
    return events.query_one(FilterBar).applied, events.query_one(EventsTable).total


async def test_the_mismatch_tree_drills_down_at_every_level(
    sample_cache: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MismatchesScreen) and screen.loaded is not None
        tree = screen.loaded.tree
        assert len(tree) >= 2 and tree[0].events >= tree[1].events  # the largest first
        service = tree[0]
        kind = service.types[0]
        group = kind.groups[0]
        # the words on screen: totals at each level, the issue kind at its path
        lines = [str(node.label) for node in _visible(screen.query_one(Tree))]
        assert lines[0].split()[:2] == [f"{service.events:,}", service.service]
        assert lines[1].split()[:2] == [f"{kind.events:,}", kind.event_type]
        assert f"{group.issue_kind} at {group.path}" in lines[2]
        await pilot.press("escape")
        # Enter on each level shows exactly its events
        expr, total = await _drill(pilot, 0)
        assert f"service:{service.service}" in expr and total == service.events
        expr, total = await _drill(pilot, 1)
        assert f"type:{kind.event_type}" in expr and total == kind.events
        expr, total = await _drill(pilot, 2)
        assert f"status:{group.status}" in expr and total == group.events


def _visible(tree: Tree[object]) -> list[TreeNode[object]]:
    return [tree.get_node_at_line(line) for line in range(tree.last_line + 1)]  # type: ignore[misc]


async def test_stats_lists_the_busiest_service_first_and_opens_its_events(
    sample_cache: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(StatsRequested(Filter("", "TRUE", [])))
        await pilot.pause()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        table = screen.query_one(DataTable)
        totals = [int(str(table.get_row_at(i)[-1]).replace(",", "")) for i in range(3)]
        assert totals == sorted(totals, reverse=True)
        busiest = str(table.get_row_at(0)[0])
        await pilot.press("enter")
        await settle(pilot)
        events = app.screen
        assert isinstance(events, EventsScreen)
        assert events.query_one(FilterBar).applied == f"service:{busiest}"
        assert events.query_one(EventsTable).total == totals[0]


async def test_the_detail_says_the_failure_before_the_envelope(
    sample_cache: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"type:aianalysis.error.occurred", "enter")
        await settle(pilot)
        row = app.screen.query_one(EventsTable).highlighted
        assert row is not None
        message = (
            app.cursor()
            .execute(
                "SELECT event_data->>'error_message' FROM events WHERE event_id = ?", [row.event_id]
            )
            .fetchone()
        )
        assert message is not None and message[0]
        heading = _text(app.screen, "#detail-issues")
        # the envelope has no error here: the payload's error_message is named, and where
        assert f"failure  {message[0]}  (event_data.error_message)" in heading
