"""A filter's first window shows before its count, and a new filter cancels both."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from explorer.core.browse import EventBrowser
from explorer.core.filters import parse_filter
from explorer.store.connection import Cursor
from explorer.tui.app import ExplorerApp
from explorer.tui.widgets.events_table import EventsTable
from tests.tui.test_app import SIZE, settle

MakeApp = Callable[..., ExplorerApp]

pytestmark = pytest.mark.anyio


def _truth(app: ExplorerApp, expr: str) -> list[str]:
    flt = parse_filter(expr, now=app.clock())
    sql = (
        f"SELECT event_id FROM events WHERE {flt.where} "  # the parser's SQL
        "ORDER BY event_timestamp DESC, event_id DESC"
    )
    return [r[0] for r in app.cursor().execute(sql, flt.params).fetchall()]


async def test_window_shows_while_counting_then_the_count(
    sample_cache: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    counting = threading.Event()
    real_count = EventBrowser.count

    def slow_count(self: EventBrowser, cur: Cursor) -> int:
        if self.known_total is None:
            counting.set()
            release.wait(10)
        return real_count(self, cur)

    monkeypatch.setattr(EventBrowser, "count", slow_count)
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(50):
            await pilot.pause(0.05)
            if counting.is_set() and app.screen.query_one(EventsTable).row_at(0) is not None:
                break
        table = app.screen.query_one(EventsTable)
        truth = _truth(app, "")
        assert len(truth) > 200
        assert table.counting and table.total == 200
        assert "of ≥ 200 · counting…" in str(table.border_subtitle)
        first = table.row_at(0)
        assert first is not None and first.event_id == truth[0]  # the window is there already
        release.set()
        await settle(pilot)
        assert not table.counting and table.total == len(truth)
        assert str(table.border_subtitle).endswith(f"of {len(truth):,}")


async def test_a_bare_word_counts_after_its_window(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"timeout", "enter")
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        truth = _truth(app, "timeout")
        assert truth and table.total == len(truth) and not table.counting
        row = table.row_at(0)
        assert row is not None and row.event_id == truth[0]


async def test_a_new_filter_interrupts_the_search_in_progress(
    sample_cache: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    armed = threading.Event()
    blocked = threading.Event()
    interrupted: list[str] = []
    real_first = EventBrowser.first_window

    def stuck_first_window(self: EventBrowser, cur: Cursor, size: int) -> object:
        if armed.is_set() and not blocked.is_set():
            blocked.set()
            try:  # a scan of minutes, unless DuckDB is told to stop
                cur.execute("SELECT sum(range % 7) FROM range(100000000000)").fetchall()
            except Exception as exc:  # the interrupt, as the store raises it
                interrupted.append(type(exc).__name__)
                raise
        return real_first(self, cur, size)

    monkeypatch.setattr(EventBrowser, "first_window", stuck_first_window)
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        armed.set()
        await pilot.press("slash", *"timeout", "enter")
        for _ in range(100):
            await pilot.pause(0.05)
            if blocked.is_set():
                break
        assert blocked.is_set()
        await pilot.press("slash", "ctrl+u", *"service:gateway", "enter")
        await settle(pilot)
        assert interrupted == ["InterruptException"]
        table = app.screen.query_one(EventsTable)
        assert table.total == len(_truth(app, "service:gateway"))
