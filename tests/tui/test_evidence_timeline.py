"""The timeline's summary shows the server's chain verdict beside the local one, and the hold."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Static

from explorer.core.evidence import ChainEvidence
from explorer.core.timeline import build_timeline
from explorer.demo.generator import DEMO_END, demo_events
from explorer.demo.server import DemoServer
from explorer.store.cache import Cache
from explorer.store.evidence import HoldInfo
from explorer.tui.app import ExplorerApp
from explorer.tui.evidence import ReconstructionScreen
from explorer.tui.messages import TimelineRequested
from explorer.tui.screens.timeline import TimelineScreen, step_cells, summary_text
from explorer.tui.styles import Palette
from tests.tui.sample import demo_cache
from tests.tui.test_app import SIZE, settle


def test_the_summary_has_the_server_verdict_and_the_hold(tmp_path: Path) -> None:
    path = demo_cache(tmp_path / "demo.duckdb", 200, hostile=False)
    with Cache.open(path, read_only=True, notify=lambda _: None) as db:
        cur = db.cursor()
        [(correlation,)] = cur.execute(
            "SELECT correlation_id FROM events GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchall()
        timeline = build_timeline(cur, correlation)
    never = summary_text(timeline, Palette({}), None).plain
    assert "server: never verified" in never and "LEGAL HOLD" not in never
    first, second = (step.event_id for step in timeline.steps[:2])
    hold = HoldInfo(True, "case 7", "auditor@example.com", "2026-11-20T10:00:00Z")
    evidence = ChainEvidence({first: True, second: False}, None, hold, len(timeline.steps))
    shown = summary_text(timeline, Palette({}), evidence).plain
    assert f"server: 1 tampered of 2, {len(timeline.steps) - 2} not verified yet" in shown
    assert "LEGAL HOLD  case 7 (placed by auditor@example.com at 2026-11-20T10:00:00Z)" in shown


@pytest.mark.anyio
async def test_v_verifies_the_correlation_and_r_shows_the_reconstruction(
    tmp_path: Path,
    make_app: Callable[..., ExplorerApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = list(demo_events(150, 3, end=DEMO_END, mismatch_rate=0.0))
    correlation = next(
        e["correlation_id"] for e in events if e["event_type"] == "gateway.signal.received"
    )
    monkeypatch.setenv("AUDIT_EXPLORER_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("AUDIT_EXPLORER_TOKEN", raising=False)
    with DemoServer(events, tamper=1) as server:
        monkeypatch.setenv("AUDIT_EXPLORER_URL", server.url)
        app = make_app(tmp_path / "new.duckdb")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("s")  # the events first, as a user would
            await settle(pilot)
            app.post_message(TimelineRequested(correlation))
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, TimelineScreen) and not screen.evidence.verified
            await pilot.press("v")
            await settle(pilot)
            await settle(pilot)
            assert isinstance(app.screen, TimelineScreen)
            found = app.screen.evidence
            assert found.verified and len(found.verdicts) == len(app.screen.timeline.steps)
            tampered_here = [e for e in server.tampered if e in found.verdicts]
            assert found.tampered == tampered_here
            assert app.cache is not None and app.cache.read_only  # given back after
            assert any("Server verdict on" in n.message for n in app._notifications)
            await pilot.press("R")
            await settle(pilot)
            assert isinstance(app.screen, ReconstructionScreen)
            shown = str(app.screen.query_one("#reconstruction", Static).render())
            assert "completeness" in shown and "kind: RemediationRequest" in shown
            await pilot.press("escape")
            assert isinstance(app.screen, TimelineScreen)


def test_a_step_the_server_judged_tampered_is_marked_even_when_its_links_hold(
    tmp_path: Path,
) -> None:
    path = demo_cache(tmp_path / "demo.duckdb", 200, hostile=False)
    with Cache.open(path, read_only=True, notify=lambda _: None) as db:
        cur = db.cursor()
        [(correlation,)] = cur.execute(
            "SELECT correlation_id FROM events GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchall()
        timeline = build_timeline(cur, correlation)
    step = timeline.steps[1]
    assert step.chain_ok is not False  # the local link check sees nothing wrong
    colors = Palette({})
    assert step_cells(2, step, colors, verdict=False)["chain"].plain == "TAMPERED"
    assert (
        step_cells(2, step, colors, verdict=True)["chain"].plain
        == step_cells(2, step, colors)["chain"].plain
    )


@pytest.mark.anyio
async def test_the_events_table_shows_a_hold_badge(
    tmp_path: Path, make_app: Callable[..., ExplorerApp]
) -> None:
    from explorer.ingest.importer import upsert
    from explorer.models.decode import decode
    from explorer.tui.widgets.events_table import EventsTable
    from tests.factories import event

    held = event(correlation_id="corr-held", legal_hold=True, legal_hold_reason="SOX")
    free = event(correlation_id="corr-free")
    path = tmp_path / "holds.duckdb"
    with Cache.open(path, notify=lambda _: None) as cache:
        upsert(cache, [decode(held), decode(free)], source="s")
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        lines = {}
        for index in range(2):
            row = table.row_at(index)
            assert row is not None
            strip = table.render_line(index + 1 - int(table.scroll_y))  # line 0: the header
            lines[row.correlation_id] = "".join(segment.text for segment in strip)
    assert " hold " in lines["corr-held"] and " hold " not in lines["corr-free"]
