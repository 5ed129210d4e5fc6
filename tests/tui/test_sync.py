"""The ``s`` binding: sync from a (stand-in) DataStorage in a background worker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import explorer.tui.sync
from explorer.demo.generator import DEMO_END, demo_events
from explorer.demo.server import DemoServer
from explorer.tui.app import ExplorerApp
from explorer.tui.widgets.events_table import EventsTable
from tests.tui.test_app import SIZE, settle

pytestmark = pytest.mark.anyio


@pytest.fixture
def no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_EXPLORER_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("AUDIT_EXPLORER_TOKEN", raising=False)
    monkeypatch.delenv("AUDIT_EXPLORER_URL", raising=False)


async def test_sync_fills_an_empty_cache_and_refreshes(
    tmp_path: Path,
    make_app: Callable[..., ExplorerApp],
    no_config: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = list(demo_events(150, 3, end=DEMO_END))
    with DemoServer(events) as server:
        monkeypatch.setenv("AUDIT_EXPLORER_URL", server.url)
        app = make_app(tmp_path / "new.duckdb")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.screen.has_class("-empty")
            await pilot.press("s")
            await settle(pilot)
            await settle(pilot)
            table = app.screen.query_one(EventsTable)
            assert table.total == len({e["event_id"] for e in events})
            assert not app.screen.has_class("-empty")
            assert any("150 events fetched" in n.message for n in app._notifications)
            # writable only while syncing: afterwards other processes may read the cache
            assert app.cache is not None and app.cache.read_only


async def test_sync_without_url_says_how_to_configure(
    tmp_path: Path, make_app: Callable[..., ExplorerApp], no_config: None
) -> None:
    app = make_app(tmp_path / "none.duckdb")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert any("AUDIT_EXPLORER_URL" in n.message for n in app._notifications)


async def test_sync_failure_is_a_notification(
    tmp_path: Path,
    make_app: Callable[..., ExplorerApp],
    no_config: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with DemoServer([], token="s3cret") as server:  # no token given: 401
        monkeypatch.setenv("AUDIT_EXPLORER_URL", server.url)
        app = make_app(tmp_path / "denied.duckdb")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("s")
            await settle(pilot)
            await settle(pilot)
            problems = [n for n in app._notifications if n.severity in ("warning", "error")]
            assert problems and "401" in problems[-1].message


async def test_a_sync_that_crashes_gives_the_cache_back_read_only(
    sample_cache: Path,
    make_app: Callable[..., ExplorerApp],
    no_config: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(explorer.tui.sync, "run_sync", crash)
    monkeypatch.setenv("AUDIT_EXPLORER_URL", "http://127.0.0.1:9")  # never reached
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.cache is not None and app.cache.read_only
        await pilot.press("s")
        await settle(pilot)
        await settle(pilot)
        assert any("RuntimeError: boom" in n.message for n in app._notifications)
        assert app.cache is not None and app.cache.read_only, "writable only while syncing"
        assert app.sub_title == str(sample_cache)


def test_the_sync_summary_says_stored_events_stay_and_counts_conflicts() -> None:
    from explorer.ingest.batch import Tally
    from explorer.ingest.sync import SyncResult
    from explorer.tui.sync import summary

    result = SyncResult(tally=Tally(new=3, updated=2, conflicts=1))
    text = summary(result)
    assert "2 already stored" in text and "updated" not in text
    assert "1 arrived again with different content" in text
