"""The explorer's export writes the manifest too, and asks before replacing a file (issue 15:
"Export silently overwrites an existing file")."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static
from textual.worker import WorkerCancelled, WorkerFailed

from explorer.core.export import FORMATS
from explorer.core.manifest import manifest_path, verify_export
from explorer.tui.app import ExplorerApp
from explorer.tui.messages import QueryRequested
from explorer.tui.screens.events import EventsScreen
from explorer.tui.screens.export import ExportScreen
from explorer.tui.screens.results import ResultsScreen
from explorer.tui.widgets.filter_bar import FilterBar
from tests.tui.sample import FIXED_NOW

pytestmark = pytest.mark.anyio
SIZE = (120, 36)
MakeApp = Callable[..., ExplorerApp]


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(5):
        try:
            await pilot.app.workers.wait_for_complete()
        except (WorkerCancelled, WorkerFailed):
            continue
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            return


async def _dialog(pilot: Pilot[None], expr: str = "") -> ExportScreen:
    await settle(pilot)
    if expr:
        pilot.app.screen.query_one(FilterBar).set_expression(expr)
        await settle(pilot)
    await pilot.press("e")
    await pilot.pause()
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportScreen)
    return dialog


def _status(dialog: ExportScreen) -> str:
    return str(dialog.query_one("#export-status", Static).render())


@pytest.mark.parametrize("fmt", FORMATS)
async def test_an_export_from_the_explorer_has_a_manifest_that_verifies(
    sample_cache: Path, make_app: MakeApp, tmp_path: Path, fmt: str
) -> None:
    app = make_app(sample_cache)
    target = tmp_path / f"gateway.{fmt}"
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _dialog(pilot, "service:gateway")
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert str(manifest_path(target)) in _status(dialog)
    doc = json.loads(manifest_path(target).read_text())
    assert doc["selection"] == {"filter": "service:gateway"} and doc["format"] == fmt
    assert doc["cache"] == str(sample_cache)
    check = verify_export(target)
    assert check.ok and check.rows == doc["rows"] > 0


async def test_an_existing_file_is_replaced_only_after_a_second_export(
    sample_cache: Path, make_app: MakeApp, tmp_path: Path
) -> None:
    app = make_app(sample_cache)
    target = tmp_path / "kept.ndjson"
    target.write_text("the auditor's earlier export\n")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _dialog(pilot)
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert target.read_text() == "the auditor's earlier export\n"
        assert "exists" in _status(dialog) and str(target) in _status(dialog)
        go = dialog.query_one("#export-go", Button)
        assert str(go.label) == "Overwrite"
        dialog.query_one("#export-path", Input).value = str(target) + ".x"  # another path
        await pilot.pause()
        assert str(go.label) == "Export" and "exists" not in _status(dialog)
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        assert target.read_text() == "the auditor's earlier export\n", "asked again"
        await pilot.press("enter")  # the second Export replaces it
        await settle(pilot)
        assert "Wrote" in _status(dialog)
        await pilot.press("enter")
        assert isinstance(app.screen, EventsScreen)
    assert target.read_text() != "the auditor's earlier export\n"
    assert verify_export(target).ok


async def test_a_cache_others_can_read_is_said_once_with_its_chmod(
    sample_cache: Path, make_app: MakeApp, tmp_path: Path
) -> None:
    cache = tmp_path / "open.duckdb"
    shutil.copyfile(sample_cache, cache)
    os.chmod(cache, 0o644)
    app = make_app(cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = [n.message for n in app._notifications if "chmod" in n.message]
    assert said == [
        f"cache {cache} can be read by other users (mode 0644); it holds "
        f"identities, IPs and prompts: run `chmod 600 {cache}`"
    ]


async def test_a_query_result_export_records_the_query_and_its_bound_values(
    sample_cache: Path, make_app: MakeApp, tmp_path: Path
) -> None:
    app = make_app(sample_cache)
    target = tmp_path / "latest.csv"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(QueryRequested("latest-state"))
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        dialog = await _dialog(pilot)
        dialog.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
    chosen = json.loads(manifest_path(target).read_text())["selection"]
    assert chosen["query"] == "latest-state" and len(chosen["sql_sha256"]) == 64
    since = datetime.fromisoformat(chosen["params"]["since"])
    assert since == FIXED_NOW - timedelta(days=30)  # the default 30d, resolved
    assert verify_export(target).ok
