"""Regenerate screenshots/*.svg from the real app, driven by Pilot on seeded demo data.

    python scripts/screenshots.py [--out screenshots]

The demo cache is built through the import path with a fixed end time, so the pictures
only change when the app (or the demo generator) does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from explorer.tui.app import ExplorerApp  # noqa: E402
from tests.tui.sample import FIXED_NOW, demo_cache  # noqa: E402

SIZE = (140, 40)
Steps = Callable[[Pilot[None]], Awaitable[None]]


async def _settle(pilot: Pilot[None]) -> None:
    for _ in range(5):
        try:
            await pilot.app.workers.wait_for_complete()
        except Exception:
            continue
        await pilot.pause()
        if not any(w.is_running for w in pilot.app.workers):
            return


async def _keys(pilot: Pilot[None], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await _settle(pilot)


async def events(pilot: Pilot[None]) -> None:
    await _keys(pilot, "down", "down", "down")


async def filtered(pilot: Pilot[None]) -> None:
    await _keys(pilot, "slash", *"service:aianalysis -status:ok", "enter")


async def timeline(pilot: Pilot[None]) -> None:
    """A failed remediation's timeline: why it failed, from the top."""
    await _keys(pilot, "slash", *"type:orchestrator.lifecycle.failed", "enter", "t")


async def mismatches(pilot: Pilot[None]) -> None:
    await _keys(pilot, "m")


async def export(pilot: Pilot[None]) -> None:
    await _keys(pilot, "e")


async def stats(pilot: Pilot[None]) -> None:
    await _keys(pilot, "S")


SHOTS: dict[str, Steps] = {
    "events": events,
    "filter": filtered,
    "timeline": timeline,
    "mismatches": mismatches,
    "export": export,
    "stats": stats,
}


async def tampered(pilot: Pilot[None]) -> None:
    """The timeline of a correlation where DataStorage's verification found a tampered event."""
    await _keys(pilot, "t")


def verified_cache(path: Path) -> tuple[Path, str]:
    """A cache synced and verified against the stand-in, which tampers with 6 events; and
    a filter for one of them in the longest correlation among theirs (the real sync and
    verify paths, on loopback): ``t`` opens its timeline on that step."""
    from explorer.client.datastorage import ClientSettings, DataStorageClient
    from explorer.client.evidence import ExportFilters
    from explorer.demo.generator import DEMO_END, demo_events
    from explorer.demo.server import DemoServer
    from explorer.ingest.evidence import run_verify
    from explorer.store.cache import Cache

    events = list(demo_events(2_000, 7, end=DEMO_END, mismatch_rate=0.0))
    sizes = Counter(e.get("correlation_id") for e in events)
    with DemoServer(events, tamper=6) as server, Cache.open(path) as cache:
        by_id = {e["event_id"]: e for e in server.events}
        touched = sorted(by_id[i]["correlation_id"] for i in server.tampered)
        correlation = max(touched, key=lambda c: sizes[c])  # the longest story
        event_id = next(
            i for i in sorted(server.tampered) if by_id[i]["correlation_id"] == correlation
        )
        with DataStorageClient(ClientSettings(url=server.url)) as client:
            run_verify(cache, client, ExportFilters(), source="demo")
        cache.connection.execute("UPDATE events SET fetched_at = ?", [FIXED_NOW])
    return path, f"corr:{correlation} id:{event_id}"


async def shoot(cache: Path, name: str, steps: Steps, out: Path, filter: str = "") -> None:
    app = ExplorerApp(cache, now=FIXED_NOW, export_dir=Path("~/exports"), filter=filter)
    async with app.run_test(size=SIZE) as pilot:
        app.sub_title = "demo.duckdb"
        await _settle(pilot)
        await steps(pilot)
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        await pilot.pause()
        svg = app.export_screenshot(title=f"audit-explorer: {name}")
    (out / f"{name}.svg").write_text(svg, encoding="utf-8")
    print(f"wrote {out / f'{name}.svg'}")


async def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cache = demo_cache(Path(tmp) / "demo.duckdb", 2_000, hostile=False)
        for name, steps in SHOTS.items():
            await shoot(cache, name, steps, out)
        verified, expr = verified_cache(Path(tmp) / "verified.duckdb")
        await shoot(verified, "tampered", tampered, out, filter=expr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    asyncio.run(main(parser.parse_args().out))
