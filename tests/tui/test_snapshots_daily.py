"""Snapshots of the copy menu and of the raw JSON, coloured, with a search match."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui.test_snapshots import SIZE, SnapCompare, snapshot_app, steady


def test_copy_menu(snap_compare: SnapCompare, sample_cache: Path) -> None:
    assert snap_compare(
        snapshot_app(sample_cache), terminal_size=SIZE, run_before=steady("down", "y")
    )


def test_raw_json_search(snap_compare: SnapCompare, sample_cache: Path) -> None:
    async def search(pilot: Pilot[None]) -> None:
        await pilot.press("slash")
        field = pilot.app.screen.query_one("#raw-search", Input)
        field.cursor_blink = False
        field.value = "event_"
        await pilot.press("enter", "n")

    assert snap_compare(
        snapshot_app(sample_cache), terminal_size=SIZE, run_before=steady("r", after=search)
    )
