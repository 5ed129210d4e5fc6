"""The timeline's summary shows the server's chain verdict beside the local one, and the hold."""

from __future__ import annotations

from pathlib import Path

from explorer.core.evidence import ChainEvidence
from explorer.core.timeline import build_timeline
from explorer.store.cache import Cache
from explorer.store.evidence import HoldInfo
from explorer.tui.screens.timeline import summary_text
from explorer.tui.styles import Palette
from tests.tui.sample import demo_cache


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
    evidence = ChainEvidence(
        {first: True, second: False}, None, HoldInfo(True, "case 7"), len(timeline.steps)
    )
    shown = summary_text(timeline, Palette({}), evidence).plain
    assert f"server: 1 tampered of 2, {len(timeline.steps) - 2} not verified yet" in shown
    assert "LEGAL HOLD  case 7" in shown
