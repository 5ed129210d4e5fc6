"""Follow live (``f``), and the explorer syncing from where the cache came from (``s``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.pilot import Pilot
from textual.widgets import ProgressBar

import explorer.tui.app
from explorer.cli import main
from explorer.client.datastorage import ClientSettings
from explorer.demo.server import DemoServer
from explorer.store.cache import Cache
from explorer.store.origin import last_origin, without_credentials
from explorer.tui.app import ExplorerApp
from explorer.tui.widgets.events_table import EventsTable
from tests.tui.test_app import SIZE, settle
from tests.unit.test_demo_server import make_events

pytestmark = pytest.mark.anyio

TOKEN = "follow-token-5f0c2a91"
PATIENCE = 2000  # pauses: only so that a broken build fails instead of hanging


@pytest.fixture
def no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_EXPLORER_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.delenv("AUDIT_EXPLORER_TOKEN", raising=False)
    monkeypatch.delenv("AUDIT_EXPLORER_URL", raising=False)


def synced(server: DemoServer, cache: Path, *extra: str) -> None:
    """``audit-explorer sync --url <server>``: the way a person fills a cache."""
    args = ["sync", "--url", server.url, "--cache", str(cache), *extra]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


def newest(count: int, tag: str) -> list[dict[str, object]]:
    """Events newer than every other one (dated now)."""
    return make_events(count, start=datetime.now(UTC), step=timedelta(milliseconds=1), tag=tag)


async def until(pilot: Pilot[None], done: Callable[[], bool]) -> None:
    for _ in range(PATIENCE):
        if done():
            return
        await pilot.pause(0.01)
    raise AssertionError("never happened")


async def test_follow_puts_new_events_on_top_and_keeps_the_cursor_on_its_event(
    tmp_path: Path, make_app: Callable[..., ExplorerApp], no_config: None
) -> None:
    cache = tmp_path / "follow.duckdb"
    with DemoServer(make_events(60, tag="old")) as server:
        synced(server, cache)
        app = make_app(cache, interval=0.05)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            table = app.screen.query_one(EventsTable)
            await pilot.press("j", "j", "j")
            await until(pilot, lambda: table.highlighted is not None)
            chosen = table.highlighted
            assert chosen is not None and table.cursor_row == 3
            await pilot.press("f")
            await until(pilot, lambda: "polled" in app.sub_title)
            assert app.sub_title.startswith("following")
            arrived = newest(4, "new")
            server.add_events(arrived)
            await until(pilot, lambda: table.total == 64)
            await until(pilot, lambda: table.row_at(0) is not None)
            assert table.cursor_row == 3 + 4
            assert table.highlighted == chosen, "the cursor stays on the same event"
            top = {row.event_id for i in range(4) if (row := table.row_at(i)) is not None}
            assert top == {e["event_id"] for e in arrived}
            assert table.fresh == top, "what arrived is highlighted"
            await pilot.press("f")  # off: no more polls
            assert not app.following.on
            assert app.sub_title == str(cache)


async def test_a_failing_poll_shows_in_the_header_and_the_app_goes_on(
    tmp_path: Path, make_app: Callable[..., ExplorerApp], no_config: None, sample_cache: Path
) -> None:
    dead = ClientSettings(url="http://127.0.0.1:9", max_tries=1, connect_timeout=0.5)
    app = make_app(sample_cache, interval=0.05, remote=(dead, "nowhere"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await until(pilot, lambda: app.following.failures >= 2)
        assert "poll failed" in app.sub_title and app.sub_title.startswith("following")
        assert app.following.delay > app.following.interval, "it backs off"
        assert app.is_running
        table = app.screen.query_one(EventsTable)
        await pilot.press("j")
        assert table.cursor_row == 1, "still browsing"


async def test_s_syncs_from_where_the_cache_came_from_and_keeps_no_token(
    tmp_path: Path,
    make_app: Callable[..., ExplorerApp],
    no_config: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = tmp_path / "remembered.duckdb"
    with DemoServer(make_events(20, tag="first"), token=TOKEN) as server:
        synced(server, cache, "--token", TOKEN)
        assert TOKEN.encode() not in cache.read_bytes()
        server.add_events(newest(5, "later"))
        monkeypatch.setenv("AUDIT_EXPLORER_TOKEN", TOKEN)  # the token, never the URL
        app = make_app(cache)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("s")
            await until(pilot, lambda: app.screen.query_one(EventsTable).total == 25)
            await settle(pilot)
            bar = app.screen.query_one("#sync-progress", ProgressBar)
            assert not bar.display, "the progress bar shows only while syncing"
        with Cache.open(cache, read_only=True) as db:
            origin = last_origin(db.connection)
        assert origin is not None and origin.url == server.url
    assert TOKEN.encode() not in cache.read_bytes()


async def test_sync_progress_is_a_progress_bar(
    make_app: Callable[..., ExplorerApp], sample_cache: Path
) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = app.screen.query_one("#sync-progress", ProgressBar)
        assert not bar.display
        app.events_screen.show_progress(40, 200)
        assert bar.display and bar.total == 200 and bar.progress == 40
        app.events_screen.show_progress(None)
        assert not bar.display


def test_a_remembered_url_carries_no_credentials() -> None:
    url = "https://user:s3cret@datastorage.example:8443/base?token=s3cret#s3cret"
    assert without_credentials(url) == "https://datastorage.example:8443/base"


def test_tui_takes_the_source_options(
    tmp_path: Path, no_config: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched: list[dict[str, object]] = []

    class Launched:
        def __init__(self, _cache: Path, **options: object) -> None:
            launched.append(options)

        def run(self) -> None:
            pass

    monkeypatch.setattr(explorer.tui.app, "ExplorerApp", Launched)
    cache = ["--cache", str(tmp_path / "c.duckdb")]
    given = ["tui", *cache, "--url", "http://127.0.0.1:9", "--source", "lab", "--interval", "2"]
    assert CliRunner().invoke(main, given).exit_code == 0
    assert CliRunner().invoke(main, ["tui", *cache]).exit_code == 0
    remote = launched[0]["remote"]
    assert isinstance(remote, tuple) and remote[1] == "lab"
    assert remote[0].url == "http://127.0.0.1:9" and launched[0]["interval"] == 2
    assert launched[1]["remote"] is None, "without options: the cache's source, env, config"
