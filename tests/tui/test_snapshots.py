"""Snapshots of each screen on fixed data: seeded demo cache, fixed clock, no cursor blink.

Regenerate after a reviewed change with ``pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from explorer.tui.app import ExplorerApp
from tests.tui.sample import FIXED_NOW
from tests.tui.test_app import SIZE, settle

SnapCompare = Callable[..., bool]


def snapshot_app(cache: Path) -> ExplorerApp:
    app = ExplorerApp(cache, now=FIXED_NOW, export_dir=Path("/exports"))
    return app


def steady(*keys: str, after: Callable[[Pilot[None]], Awaitable[None]] | None = None) -> Any:
    """A run_before that settles the workers, presses ``keys`` and settles again."""

    async def run_before(pilot: Pilot[None]) -> None:
        pilot.app.sub_title = "demo.duckdb"
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        if after is not None:
            await after(pilot)
            await settle(pilot)
        _no_blink(pilot.app.screen.query(Input))
        await pilot.pause()

    return run_before


def _no_blink(inputs: Iterable[Input]) -> None:
    for widget in inputs:
        widget.cursor_blink = False


async def _filter(pilot: Pilot[None], expr: str) -> None:
    await pilot.press("slash")
    _no_blink(pilot.app.screen.query(Input))
    pilot.app.screen.query_one(Input).value = expr
    await pilot.press("enter")


def test_events_home(snap_compare: SnapCompare, sample_cache: Path) -> None:
    assert snap_compare(snapshot_app(sample_cache), terminal_size=SIZE, run_before=steady("down"))


def test_filter_in_use(snap_compare: SnapCompare, sample_cache: Path) -> None:
    async def apply(pilot: Pilot[None]) -> None:
        await _filter(pilot, "service:aianalysis outcome:failure")

    assert snap_compare(
        snapshot_app(sample_cache), terminal_size=SIZE, run_before=steady(after=apply)
    )


def test_filter_error(snap_compare: SnapCompare, sample_cache: Path) -> None:
    async def apply(pilot: Pilot[None]) -> None:
        await _filter(pilot, "servce:gateway")

    assert snap_compare(
        snapshot_app(sample_cache), terminal_size=SIZE, run_before=steady(after=apply)
    )


def test_timeline(snap_compare: SnapCompare, sample_cache: Path) -> None:
    assert snap_compare(snapshot_app(sample_cache), terminal_size=SIZE, run_before=steady("t"))


def test_mismatches(snap_compare: SnapCompare, sample_cache: Path) -> None:
    assert snap_compare(snapshot_app(sample_cache), terminal_size=SIZE, run_before=steady("m"))


def test_stats(snap_compare: SnapCompare, sample_cache: Path) -> None:
    assert snap_compare(snapshot_app(sample_cache), terminal_size=SIZE, run_before=steady("S"))


def test_export_dialog(snap_compare: SnapCompare, sample_cache: Path) -> None:
    assert snap_compare(snapshot_app(sample_cache), terminal_size=SIZE, run_before=steady("e"))


def test_help(snap_compare: SnapCompare, sample_cache: Path) -> None:
    assert snap_compare(
        snapshot_app(sample_cache), terminal_size=SIZE, run_before=steady("question_mark")
    )


@pytest.fixture
def missing_cache(tmp_path: Path) -> Path:
    return tmp_path / "missing.duckdb"


def test_empty_state(snap_compare: SnapCompare, missing_cache: Path) -> None:
    async def hide_path(pilot: Pilot[None]) -> None:
        pilot.app.cache_path = Path("/home/me/.cache/audit-explorer/audit.duckdb")  # type: ignore[attr-defined]
        pilot.app.screen.reload()  # type: ignore[attr-defined]

    assert snap_compare(
        snapshot_app(missing_cache), terminal_size=SIZE, run_before=steady(after=hide_path)
    )


def test_detail_with_decode_issues(snap_compare: SnapCompare, sample_cache: Path) -> None:
    async def apply(pilot: Pilot[None]) -> None:
        await _filter(pilot, "status:invalid")

    assert snap_compare(
        snapshot_app(sample_cache), terminal_size=(120, 48), run_before=steady(after=apply)
    )


# Issue 15: the incident flow at the smallest and a large terminal.
SMALL, LARGE = (80, 24), (140, 42)


async def _failed_remediation(pilot: Pilot[None]) -> None:
    await _filter(pilot, "type:orchestrator.lifecycle.failed")


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "140x42"])
def test_events_sized(snap_compare: SnapCompare, sample_cache: Path, size: tuple[int, int]) -> None:
    assert snap_compare(snapshot_app(sample_cache), terminal_size=size, run_before=steady("down"))


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "140x42"])
def test_timeline_of_a_failure(
    snap_compare: SnapCompare, sample_cache: Path, size: tuple[int, int]
) -> None:
    run_before = steady(after=_failed_remediation)

    async def then_timeline(pilot: Pilot[None]) -> None:
        await run_before(pilot)
        await pilot.press("t")
        await steady()(pilot)
        await pilot.pause()  # the table scrolls to the step after the layout settles

    assert snap_compare(snapshot_app(sample_cache), terminal_size=size, run_before=then_timeline)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "140x42"])
def test_mismatch_tree(
    snap_compare: SnapCompare, sample_cache: Path, size: tuple[int, int]
) -> None:
    assert snap_compare(snapshot_app(sample_cache), terminal_size=size, run_before=steady("m"))
