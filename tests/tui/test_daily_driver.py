"""Pilot tests for the daily-driver habits: typeahead, the filter bar's memory, copy, pager and
editor, the searchable raw JSON, vi keys, the keymap and the remembered theme."""

from __future__ import annotations

import json
import shlex
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from textual import events
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from explorer.config import Config, ConfigError
from explorer.tui.app import ExplorerApp
from explorer.tui.screens.copy import CopyScreen
from explorer.tui.screens.events import EventsScreen
from explorer.tui.screens.export import ExportScreen
from explorer.tui.screens.raw import RawScreen
from explorer.tui.screens.results import ResultsScreen
from explorer.tui.screens.stats import StatsScreen
from explorer.tui.state import FilterHistory, Settings
from explorer.tui.widgets.event_detail import EventDetail
from explorer.tui.widgets.events_table import EventsTable
from explorer.tui.widgets.filter_bar import FilterBar
from tests.tui.test_app import _count, settle, wait_for_hit

pytestmark = pytest.mark.anyio
SIZE = (120, 36)
MakeApp = Callable[..., ExplorerApp]
_NAMES = {"/": "slash", ":": "colon", " ": "space", "-": "minus", "@": "at", ".": "full_stop"}


def burst(app: ExplorerApp, text: str) -> None:
    """Every character into the app's queue at once, as a paste or a laggy link delivers them
    (``pilot.press`` waits for the app to go idle after each key, which hides the bug)."""
    for char in text:
        app.post_message(events.Key(_NAMES.get(char, char), char))


async def until(pilot: Pilot[None], done: Callable[[], bool]) -> None:
    """Let the app run until ``done()`` (a subprocess or a screen push can take a while)."""
    for _ in range(200):
        if done():
            return
        await pilot.pause()
    raise AssertionError("the app never got there")


async def copy_menu(pilot: Pilot[None]) -> None:
    await pilot.press("y")
    await until(pilot, lambda: isinstance(pilot.app.screen, CopyScreen))
    await until(pilot, lambda: pilot.app.screen.query_one(OptionList).highlighted == 0)


def bar(app: ExplorerApp) -> FilterBar:
    return app.screen_stack[0].query_one(FilterBar)


async def test_a_burst_after_slash_lands_in_the_filter_bar(
    sample_cache: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "/service:gateway se/x")
        await settle(pilot)
        assert len(app.screen_stack) == 1, app.screen_stack  # no export, no stats
        assert not any(w.group == "sync" for w in app.workers)
        assert bar(app).input.value == "service:gateway se/x"  # a / inside stays text


async def test_leaving_the_bar_without_enter_shows_the_applied_filter(
    sample_cache: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"service:gateway", "enter")
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        assert table.total == _count(app, "service = 'gateway'")
        await pilot.press("slash", "ctrl+u")
        assert bar(app).input.value == ""
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is table
        assert bar(app).input.value == "service:gateway"  # what still applies
        assert table.total == _count(app, "service = 'gateway'")
        await pilot.press("slash", "ctrl+u", *"servic:x", "enter", "escape")
        await pilot.pause()
        assert bar(app).input.value == "service:gateway"
        assert not bar(app).has_class("-error")


async def test_up_and_down_recall_the_filter_history(
    sample_cache: Path, make_app: MakeApp, tmp_path: Path
) -> None:
    history = FilterHistory(tmp_path / "data" / "filter-history")
    app = make_app(sample_cache, history=history)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for expr in ("service:gateway", "outcome:failure", "service:gateway"):
            await pilot.press("slash", "ctrl+u", *expr, "enter")
            await settle(pilot)
        await pilot.press("slash", "ctrl+u", *"stat")
        await pilot.press("up")
        assert bar(app).input.value == "service:gateway"
        await pilot.press("up", "up")
        assert bar(app).input.value == "outcome:failure"  # the oldest; once each
        await pilot.press("down")
        assert bar(app).input.value == "service:gateway"
        await pilot.press("down")
        assert bar(app).input.value == "stat"  # what was being typed
    assert history.path.read_text() == "outcome:failure\nservice:gateway\n"
    assert stat.S_IMODE(history.path.stat().st_mode) == 0o600
    assert FilterHistory(history.path).entries == ["outcome:failure", "service:gateway"]


async def test_named_filters_from_the_config(sample_cache: Path, make_app: MakeApp) -> None:
    config = Config(filters={"failed": "outcome:failure", "gw": "service:gateway"})
    app = make_app(sample_cache, config=config, filter="gw")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        assert table.total == _count(app, "service = 'gateway'")  # --filter NAME
        await pilot.press("slash", "ctrl+u", *"@fa")
        await settle(pilot)
        await pilot.press("tab")
        assert bar(app).input.value == "@failed"
        await pilot.press("enter")
        await settle(pilot)
        assert bar(app).input.value == "outcome:failure"
        assert table.total == _count(app, "event_outcome = 'failure'")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Filter: gw")
        await wait_for_hit(pilot, "Filter: gw")
        await pilot.press("enter")
        await settle(pilot)
        assert bar(app).input.value == "service:gateway"
        assert table.total == _count(app, "service = 'gateway'")


async def test_an_unknown_named_filter_says_which_exist(
    sample_cache: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_cache, config=Config(filters={"gw": "service:gateway"}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"@nope", "enter")
        await pilot.pause()
        assert bar(app).has_class("-error")
        assert "@gw" in str(app.screen.query_one("#filter-hint", Static).render())


async def test_y_copies_through_the_terminal_clipboard(
    sample_cache: Path, make_app: MakeApp
) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        record = app.screen.query_one(EventDetail).record
        assert record is not None
        await copy_menu(pilot)
        await pilot.press("down", "enter")  # event_id
        await until(pilot, lambda: isinstance(app.screen, EventsScreen))
        assert app.clipboard == record.row["event_id"]
        assert any(record.row["event_id"] in n.message for n in app._notifications)
        await copy_menu(pilot)
        await pilot.press("enter")  # the JSON
        await until(pilot, lambda: isinstance(app.screen, EventsScreen))
        assert json.loads(app.clipboard) == record.raw
        await copy_menu(pilot)
        await pilot.press("down", "down", "enter")
        await until(pilot, lambda: isinstance(app.screen, EventsScreen))
        assert app.clipboard == record.row["correlation_id"]
        await copy_menu(pilot)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, EventsScreen))
        assert app.is_running  # q closed the menu, not the app


RECORDER = """
import os, stat, sys
path = sys.argv[-1]
with open(sys.argv[1], "w") as out:
    out.write(repr((path, stat.S_IMODE(os.stat(path).st_mode), open(path).read())))
"""


@pytest.mark.parametrize(("key", "variable"), [("o", "PAGER"), ("E", "EDITOR")])
async def test_pager_and_editor_get_a_private_temporary_file(
    sample_cache: Path,
    make_app: MakeApp,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    variable: str,
) -> None:
    script, record_file = tmp_path / "recorder.py", tmp_path / "called"
    script.write_text(RECORDER)
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {record_file}"
    monkeypatch.setenv(variable, command)
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        record = app.screen.query_one(EventDetail).record
        assert record is not None
        await pilot.press(key)
        await until(pilot, record_file.exists)
    path, mode, text = eval(record_file.read_text())  # our own repr of a tuple
    assert mode == 0o600
    assert json.loads(text) == record.raw
    assert not Path(path).exists()  # removed after


async def test_a_missing_pager_is_a_notification(
    sample_cache: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGER", "/nonexistent/pager")
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert any("/nonexistent/pager" in n.message for n in app._notifications)


async def test_raw_json_search_walks_the_matches(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RawScreen)
        expected = screen.plain.lower().count('"event_')
        assert expected > 2
        await pilot.press("slash", *'"EVENT_', "enter")
        await pilot.pause()
        assert isinstance(app.screen, RawScreen)  # Enter did not leave, the q/r typed stayed
        assert len(screen.matches) == expected and screen.current == 0
        await pilot.press("n", "n")
        assert screen.current == 2
        await pilot.press("N", "N", "N")
        assert screen.current == expected - 1  # wraps around
        rendered = screen._render_json()
        start, end = screen.matches[screen.current]
        styles = {
            str(span.style) for span in rendered.spans if (span.start, span.end) == (start, end)
        }
        assert "reverse bold underline" in styles  # the current match stands out
        await pilot.press("slash", "escape")  # Escape in the field closes it, not the view
        assert isinstance(app.screen, RawScreen)
        await pilot.press("q")
        assert isinstance(app.screen, EventsScreen)


async def test_vi_keys_and_stats_on_capital_s(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        await pilot.press("j", "j", "k")
        assert table.cursor_row == 1
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor_row == table.total - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        assert isinstance(app.screen, EventsScreen)
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("q")
        assert isinstance(app.screen, EventsScreen)
        await pilot.press("colon")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_q_in_query_results_goes_back(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ResultsScreen("latest-state"))
        await settle(pilot)
        assert isinstance(app.screen, ResultsScreen)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, EventsScreen)
        assert app.is_running


async def test_the_keymap_rebinds_actions_by_id(sample_cache: Path, make_app: MakeApp) -> None:
    config = Config(keymap={"events.stats": "ctrl+g", "events.export": "x"})
    app = make_app(sample_cache, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, EventsScreen)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("escape", "ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("q", "question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-keys", Static).render())
        assert "ctrl+g" in text and "  S " not in text  # the keys that work


@pytest.mark.parametrize(
    ("keymap", "message"),
    [
        ({"events.stat": "x"}, "unknown action 'events.stat' (did you mean events.stats?)"),
        ({"events.stats": "ctrl+nope"}, "events.stats: not a key: 'ctrl+nope'"),
        ({"events.stats": "x,"}, "events.stats: not a key: ''"),
        ({"events.stats": "hyperspace+x"}, "not a key: 'hyperspace+x'"),
    ],
)
def test_a_bad_keymap_is_a_one_line_config_error(
    sample_cache: Path, keymap: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        ExplorerApp(sample_cache, config=Config(keymap=keymap, path=Path("c.toml")))
    assert str(error.value).startswith("c.toml: [keymap] ")
    assert message in str(error.value) and "\n" not in str(error.value)


async def test_the_theme_chosen_is_remembered(
    sample_cache: Path, make_app: MakeApp, tmp_path: Path
) -> None:
    settings = Settings(tmp_path / "settings.json")
    app = make_app(sample_cache, settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"
        await pilot.pause()
    assert stat.S_IMODE(settings.path.stat().st_mode) == 0o600
    again = make_app(sample_cache, settings=Settings(settings.path))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_a_typo_in_a_value_gets_a_suggestion(sample_cache: Path, make_app: MakeApp) -> None:
    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"service:gatway", "enter")
        await settle(pilot)
        assert app.screen.query_one(EventsTable).total == 0
        hint = str(app.screen.query_one("#filter-hint", Static).render())
        assert "service:gatway matches nothing; did you mean gateway?" in hint


async def test_vi_keys_move_in_every_list(sample_cache: Path, make_app: MakeApp) -> None:
    from textual.widgets import DataTable, Tree

    app = make_app(sample_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")  # mismatches: a tree
        await settle(pilot)
        tree = app.focused
        assert isinstance(tree, Tree)
        start = tree.cursor_line
        await pilot.press("j", "j")
        assert tree.cursor_line == start + 2
        await pilot.press("k")
        assert tree.cursor_line == start + 1
        await pilot.press("G")
        assert tree.cursor_line == tree.last_line
        await pilot.press("g")
        assert tree.cursor_line == 0
        await pilot.press("escape", "slash", *"type:orchestrator.lifecycle.*", "enter")
        await settle(pilot)
        await pilot.press("t")  # a timeline: a data table
        await settle(pilot)
        steps = app.focused
        assert isinstance(steps, DataTable) and steps.row_count > 2
        await pilot.press("g", "j")
        assert steps.cursor_row == 1
        await pilot.press("G")
        assert steps.cursor_row == steps.row_count - 1
