"""One registry of actions feeds the bindings (and footer), the palette and the help screen;
screens ask the app for other views with messages."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message import Message
from textual.widgets import Static

import explorer.tui
from explorer.tui import actions
from explorer.tui.actions import EVENTS, Action, Scope, bindings, help_sections, palette_actions
from explorer.tui.app import ExplorerApp
from explorer.tui.evidence import ReconstructionScreen
from explorer.tui.messages import TimelineRequested
from explorer.tui.screens.copy import CopyScreen
from explorer.tui.screens.events import EventsScreen
from explorer.tui.screens.export import ExportScreen
from explorer.tui.screens.help import HelpScreen
from explorer.tui.screens.mismatches import MismatchesScreen
from explorer.tui.screens.params import ParamsScreen
from explorer.tui.screens.raw import EventScreen, RawScreen
from explorer.tui.screens.results import ResultsScreen
from explorer.tui.screens.stats import StatsScreen
from explorer.tui.screens.timeline import TimelineScreen
from explorer.tui.widgets.events_table import EventsTable
from explorer.tui.widgets.filter_bar import FilterBar
from tests.tui.sample import FIXED_NOW
from tests.tui.test_app import SIZE, settle, wait_for_hit

pytestmark = pytest.mark.anyio

APP_CSS = Path(explorer.tui.__file__).parent / "explorer.tcss"  # for subclasses defined here
SCOPES: dict[Scope, type[DOMNode]] = {
    "app": ExplorerApp,
    "events": EventsScreen,
    "events-table": EventsTable,
    "filter-bar": FilterBar,
    "timeline": TimelineScreen,
    "mismatches": MismatchesScreen,
    "stats": StatsScreen,
    "raw": RawScreen,
    "event": EventScreen,
    "results": ResultsScreen,
    "export": ExportScreen,
    "help": HelpScreen,
    "params": ParamsScreen,
    "copy": CopyScreen,
    "reconstruction": ReconstructionScreen,
}


def test_every_scope_takes_its_bindings_from_the_registry() -> None:
    assert set(SCOPES) == set(get_args(Scope))
    for scope, node in SCOPES.items():
        assert bindings(scope) == node.BINDINGS, scope
        assert node.BINDINGS, f"{scope} has no bindings"
        for binding in node.BINDINGS:
            assert isinstance(binding, Binding) and binding.id, (scope, binding)


def test_ids_are_unique_and_every_action_has_a_handler() -> None:
    ids = [entry.id for entry in actions.ACTIONS]
    assert len(ids) == len(set(ids))
    for entry in actions.ACTIONS:
        name = entry.action.split("(")[0]
        for scope in entry.scopes:
            node = ExplorerApp if name.startswith("app.") else SCOPES[scope]
            assert hasattr(node, f"action_{name.removeprefix('app.')}"), (entry.id, scope)
        if entry.title:  # the palette runs it on the home screen, or on the app
            node = ExplorerApp if name.startswith("app.") else EventsScreen
            assert hasattr(node, f"action_{name.removeprefix('app.')}"), entry.id
        assert entry.scopes or entry.title or entry.section, f"{entry.id} is offered nowhere"


def test_help_merges_the_keys_of_one_line() -> None:
    lines = dict(help_sections())
    events = dict((what, keys) for keys, what in lines[EVENTS])
    assert events["move the cursor"] == "↑ k ↓ j PgUp PgDn"
    assert events["newest / oldest event"] == "Home g End G"
    assert events["back to the table (from the filter bar or the detail)"] == "Esc"


PROBE = Action(
    "events.probe",
    "z",
    "stats",
    "Probe",
    "probe the registry",
    ("events",),
    title="Probe the registry",
    section=EVENTS,
)


async def test_one_new_entry_reaches_bindings_palette_and_help(
    monkeypatch: pytest.MonkeyPatch, sample_cache: Path
) -> None:
    monkeypatch.setattr(actions, "ACTIONS", (*actions.ACTIONS, PROBE))
    assert PROBE in palette_actions()
    # BINDINGS are made when a class is; a home screen made now has the new entry.
    probe_screen = type("ProbeScreen", (EventsScreen,), {"BINDINGS": bindings("events")})

    class ProbeApp(ExplorerApp):
        CSS_PATH = APP_CSS

        def get_default_screen(self) -> EventsScreen:
            return probe_screen()

    app = ProbeApp(sample_cache, now=FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        active = app.screen.active_bindings["z"].binding
        assert (active.id, active.description, active.show) == ("events.probe", "Probe", True)
        await pilot.press("z")  # the key
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+p")  # the palette
        await pilot.pause()
        await pilot.press(*"probe the")
        await wait_for_hit(pilot, "Probe the registry")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("question_mark")  # the help
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-keys", Static).render())
        assert "  z               probe the registry" in text


async def test_a_screen_asks_the_app_for_the_timeline(sample_cache: Path) -> None:
    arrived: list[tuple[object, Message]] = []

    class Recording(ExplorerApp):
        CSS_PATH = APP_CSS

        def on_timeline_requested(self, message: TimelineRequested) -> None:
            # Runs before ExplorerApp's own handler (Textual walks the MRO).
            arrived.append((self.screen, message))

    app = Recording(sample_cache, now=FIXED_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        home = app.screen
        row = home.query_one(EventsTable).highlighted
        assert row is not None and row.correlation_id
        await pilot.press("t")
        await pilot.pause()
        assert len(arrived) == 1
        screen, message = arrived[0]
        assert screen is home, "the app got the request while the home screen showed"
        assert isinstance(message, TimelineRequested)
        assert (message.correlation_id, message.event_id) == (row.correlation_id, row.event_id)
        assert isinstance(app.screen, TimelineScreen)
        assert app.screen.correlation_id == row.correlation_id
