"""Pilot tests: every binding and flow of the explorer on a seeded demo cache."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, Tree
from textual.worker import WorkerCancelled, WorkerFailed

from explorer.core.browse import EventBrowser
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.events import EventsScreen
from explorer.tui.screens.export import ExportScreen
from explorer.tui.screens.help import HelpScreen
from explorer.tui.screens.mismatches import MismatchesScreen
from explorer.tui.screens.raw import EventScreen, RawScreen
from explorer.tui.screens.stats import StatsScreen
from explorer.tui.screens.timeline import TimelineScreen
from explorer.tui.widgets.empty_state import EmptyState
from explorer.tui.widgets.event_detail import EventDetail
from explorer.tui.widgets.events_table import EventsTable
from explorer.tui.widgets.filter_bar import FilterBar
from tests.tui.sample import synthetic_file

pytestmark = pytest.mark.anyio
SIZE = (120, 36)
MakeApp = Callable[..., ExplorerApp]


def _count(app: ExplorerApp, where: str = "TRUE") -> int:
    row = app.cursor().execute(f"SELECT count(*) FROM events WHERE {where}").fetchone()
    assert row is not None
    return int(row[0])


def _key_at(app: ExplorerApp, index: int) -> tuple[object, ...]:
    sql = "SELECT event_timestamp, event_id FROM events ORDER BY 1 DESC, 2 DESC LIMIT 1 OFFSET ?"
    row = app.cursor().execute(sql, [index]).fetchone()
    assert row is not None
    return tuple(row)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker has finished (failed and cancelled ones included)."""
    for _ in range(5):
        try:
            await pilot.app.workers.wait_for_complete()
        except (WorkerCancelled, WorkerFailed):
            continue
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            return


async def test_home_shows_newest_first_with_position_and_detail(
    sample_cache: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        total = _count(app)
        assert table.total == total
        assert str(table.border_subtitle).endswith(f"of {total:,}")
        first = table.row_at(0)
        second = table.row_at(1)
        assert first is not None and second is not None
        assert first.key >= second.key
        await settle(pilot)
        detail = app.screen.query_one(EventDetail)
        assert detail.record is not None and detail.record.row["event_id"] == first.event_id


async def test_cursor_keys_and_end_jump(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        await pilot.press("down", "down")
        assert table.cursor_row == 2
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor_row == table.total - 1
        assert table.highlighted is not None
        await pilot.press("home", "pagedown")
        assert table.cursor_row > 10


async def test_mouse_click_highlights_a_row(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        # Border (1) + header (1): the content's third line is row 1.
        await pilot.click(EventsTable, offset=(10, 3))
        assert table.cursor_row == 1


async def test_filter_applies_and_bad_expression_keeps_results(
    sample_cache: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        app.screen.query_one(Input).value = "service:gatewa"
        await pilot.press("y", "enter")
        await settle(pilot)
        expected = _count(app, "service = 'gateway'")
        assert 0 < expected < _count(app)
        assert table.total == expected
        assert app.focused is table
        await pilot.press("slash")
        app.screen.query_one(Input).value = "servic:x"
        await pilot.press("enter")
        await pilot.pause()
        bar = app.screen.query_one(FilterBar)
        assert bar.has_class("-error")
        assert "servic" in str(app.screen.query_one("#filter-hint", Static).render())
        assert table.total == expected  # previous results kept
        await pilot.press("escape")
        assert app.focused is table


async def test_filter_completes_keys_and_values(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"serv")
        await settle(pilot)
        await pilot.press("tab")
        assert app.screen.query_one(Input).value == "service:"
        await pilot.press(*"gate")
        await settle(pilot)
        await pilot.press("tab")
        assert app.screen.query_one(Input).value == "service:gateway"


async def test_timeline_and_step_detail(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = app.screen.query_one(EventsTable).highlighted
        assert row is not None and row.correlation_id
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TimelineScreen)
        await settle(pilot)
        steps = app.screen.query_one(DataTable)
        assert steps.row_count == _count(app, f"correlation_id = '{row.correlation_id}'")
        # The cursor starts on the event the person came from.
        assert steps.coordinate_to_cell_key(steps.cursor_coordinate).row_key.value == row.event_id
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EventScreen)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RawScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one(EventDetail).record is not None
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, EventsScreen)


async def test_mismatches_drill_into_events(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MismatchesScreen)
        await settle(pilot)
        assert screen.loaded is not None and screen.loaded.tree, "the demo injects mismatches"
        # service, then its largest type (both open at first), then its largest group
        group = screen.loaded.tree[0].types[0].groups[0]
        screen.query_one(Tree).cursor_line = 2
        await pilot.press("enter")
        await pilot.pause()
        await settle(pilot)
        assert isinstance(app.screen, EventsScreen)
        table = app.screen.query_one(EventsTable)
        assert table.total >= group.events
        assert table.highlighted is not None
        assert table.highlighted.status == group.status
        assert "status:" in app.screen.query_one(FilterBar).applied


async def test_stats_screen(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count >= 2  # services + total
        await pilot.press("escape")
        assert isinstance(app.screen, EventsScreen)


async def test_export_writes_the_filtered_view(
    sample_cache: Path, make_app: MakeApp, tmp_path: Path
) -> None:
    app = make_app(sample_cache)
    target = tmp_path / "out.ndjson"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one(FilterBar).set_expression("service:gateway")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        dialog.query_one("#export-format").value = "ndjson"  # type: ignore[attr-defined]
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        status = str(dialog.query_one("#export-status", Static).render())
        expected = _count(app, "service = 'gateway'")
        assert f"{expected:,} rows" in status and str(target) in status
        lines = target.read_text(encoding="utf-8").splitlines()
        assert len(lines) == expected
        assert {json.loads(line)["service"] for line in lines} == {"gateway"}
        await pilot.press("enter")
        assert isinstance(app.screen, EventsScreen)


async def test_export_format_follows_the_extension(
    sample_cache: Path, make_app: MakeApp, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    app = make_app(sample_cache)
    target = tmp_path / "all.parquet"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#export-path", Input).value = str(target)  # format still says csv
        await pilot.press("enter")
        await settle(pilot)
        assert pq.read_table(target).num_rows == _count(app)


async def test_raw_json_view(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RawScreen)
        assert '"event_data"' in str(app.screen.query_one("#raw-json", Static).render())
        await pilot.press("escape")
        assert isinstance(app.screen, EventsScreen)


async def test_help_lists_every_binding(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(s.render()) for s in app.screen.query(Static))
        shown = {"slash": "/", "escape": "Esc"}
        for binding in EventsScreen.BINDINGS:
            assert f"  {shown.get(binding.key, binding.key)}  " in text, binding.key
        await pilot.press("escape")
        assert isinstance(app.screen, EventsScreen)


async def wait_for_hit(pilot: Pilot[None], first: str) -> None:
    """Wait until the palette's highlighted hit is ``first``."""
    commands = pilot.app.screen.query_one(CommandList)
    for _ in range(100):
        await pilot.pause(0.02)
        index = commands.highlighted
        if index is not None and first in str(commands.get_option_at_index(index).prompt):
            return
    raise AssertionError(f"{first!r} never became the palette's first hit")


async def test_command_palette_runs_actions(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"incid")
        await wait_for_hit(pilot, "Incident timeline")
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert isinstance(app.screen, TimelineScreen), app.screen


async def test_command_palette_runs_named_queries(
    sample_cache: Path, make_app: MakeApp, tmp_path: Path
) -> None:
    from explorer.tui.screens.results import ResultsScreen
    from explorer.tui.widgets.result_table import ResultTable

    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"latest-st")
        await wait_for_hit(pilot, "Query: latest-state")
        await pilot.press("enter")
        await pilot.pause(0.3)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        await settle(pilot)
        table = screen.query_one(ResultTable)
        rows = table.row_count
        assert rows > 0
        await pilot.press("e")  # the result exports like any view
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        target = tmp_path / "latest.ndjson"
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert len(target.read_text(encoding="utf-8").splitlines()) == rows


async def test_quit_exits_cleanly(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
    assert app.return_code == 0


async def test_missing_cache_shows_how_to_start(tmp_path: Path, make_app: MakeApp) -> None:
    missing = tmp_path / "nothing.duckdb"
    app = make_app(missing)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-empty")
        text = str(app.screen.query_one(EmptyState).render())
        assert "audit-explorer demo" in text and "sync" in text and str(missing) in text
        await pilot.press("s")  # no URL configured: a notification, not a crash
        await pilot.press("t", "m", "e")
        await pilot.pause()
    assert not missing.exists(), "opening the explorer must not create a cache"


async def test_unreadable_cache_explains_itself(tmp_path: Path, make_app: MakeApp) -> None:
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"this is not a DuckDB file\x1b[31m" * 100)
    app = make_app(broken)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-empty")
        text = str(app.screen.query_one(EmptyState).render())
        assert "broken.duckdb" in text and "\x1b" not in text


async def test_worker_failure_becomes_a_notification(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EventsScreen)
        screen.browser = EventBrowser("no_such_column = 1")
        screen._load_events(screen.browser)
        await settle(pilot)
        assert any("cannot read the cache" in n.message for n in app._notifications)


async def test_large_cache_opens_on_a_window(tmp_path: Path, make_app: MakeApp) -> None:
    path = synthetic_file(tmp_path / "big.duckdb", 50_000)
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        assert table.total == 50_000
        assert str(table.border_subtitle) == "1-200 of 50,000"
        await pilot.press("end")
        await settle(pilot)
        assert table.highlighted is not None and table.highlighted.event_id == "ev-00049998"
        table.move_to(25_000)  # a jump into the middle, as a scrollbar drag does
        await settle(pilot)
        assert table.highlighted is not None
        assert table.highlighted.key == _key_at(app, 25_000)
        held = sum(len(rows) for rows in table._pages.values())
        assert held <= 1_000, "the table holds a window, never the whole result"


async def test_tree_is_collapsible(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree: Tree[None] = app.screen.query_one("#detail-payload", Tree)
        assert tree.root.is_expanded and tree.root.children
        tree.root.collapse()
        assert not tree.root.is_expanded


def test_palette_offers_every_binding_of_the_home_screen() -> None:
    from textual.binding import Binding

    from explorer.tui.actions import palette_actions

    offered = {action.action for action in palette_actions()}
    for binding in EventsScreen.BINDINGS:
        assert isinstance(binding, Binding)
        if binding.key != "escape":
            assert binding.action in offered, binding.action
    assert {"app.help", "app.quit"} <= offered
