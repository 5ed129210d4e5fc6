"""The explorer on a cache built from the whole hostile corpus: every event is opened, its
detail, raw JSON and timeline shown; mismatches and stats drawn. Markup, ANSI/OSC and other
controls show as text, megabyte strings are cut, nothing crashes. And the explorer started
while another process holds the cache says so.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.text import Text
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Static, Tree

from explorer.core.filters import quote_value
from explorer.store.cache import Cache
from explorer.tui.app import ExplorerApp
from explorer.tui.messages import QueryRequested
from explorer.tui.screens.events import EventsScreen
from explorer.tui.screens.mismatches import MismatchesScreen
from explorer.tui.screens.raw import RawScreen, raw_json_text
from explorer.tui.screens.results import ResultsScreen
from explorer.tui.screens.stats import StatsScreen
from explorer.tui.screens.timeline import TimelineScreen
from explorer.tui.text import clean
from explorer.tui.widgets.empty_state import EmptyState
from explorer.tui.widgets.event_detail import EventDetail
from explorer.tui.widgets.events_table import EventsTable
from explorer.tui.widgets.filter_bar import FilterBar
from tests.hostile import EVIL_ID, HUGE_CORR, MARKUP, hostile_cache
from tests.tui.test_app import SIZE, settle
from tests.unit.test_hostile_secrets import TOKEN, echo_server, echo_url

pytestmark = pytest.mark.anyio
MakeApp = Callable[..., ExplorerApp]
SVG_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HUGE_ID = "00000000-0000-0000-0000-0000000007d0"
UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def corpus_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_cache(tmp_path_factory.mktemp("tui-hostile") / "hostile.duckdb")


def _plain(renderable: object) -> str:
    if isinstance(renderable, Text):
        return renderable.plain
    return str(getattr(renderable, "plain", ""))


def _texts(widget: Widget) -> Iterator[str]:
    if isinstance(widget, Static):
        yield _plain(widget.render())
    elif isinstance(widget, Tree):
        stack = [widget.root]
        while stack:
            node = stack.pop()
            yield _plain(node.label)
            stack.extend(node.children)
    elif isinstance(widget, DataTable):
        for index in range(widget.row_count):
            yield from (_plain(cell) for cell in widget.get_row_at(index))
    elif isinstance(widget, EventsTable):
        for index in range(widget.total):
            row = widget.row_at(index)
            if row is not None:
                yield widget._row_text(row, 400).plain


def shown(screen: Screen[object]) -> str:
    """Every piece of text the screen's widgets would draw."""
    return "\n".join(text for w in screen.walk_children(with_self=False) for text in _texts(w))


def assert_safe(app: App[object]) -> str:
    text = shown(app.screen)
    found = UNSAFE.search(text)
    assert found is None, f"raw {found.group()!r} on {type(app.screen).__name__}"
    drawn = SVG_UNSAFE.search(app.export_screenshot())  # what reaches the terminal
    assert drawn is None, f"raw {drawn.group()!r} drawn on {type(app.screen).__name__}"
    errors = [n.message for n in app._notifications if n.severity == "error"]
    assert errors == []
    return text


async def test_every_hostile_event_opens_as_text(corpus_cache: Path, make_app: MakeApp) -> None:
    app = make_app(corpus_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        assert table.total >= 15
        seen: set[str] = set()
        for index in range(table.total):
            table.cursor_row = index
            await settle(pilot)
            row = table.highlighted
            assert row is not None
            seen.add(row.event_id)
            text = assert_safe(app)
            assert len(text) < 400_000, "megabyte strings are cut for the screen"
            raw = raw_json_text(app.screen.query_one(EventDetail).record.raw).plain  # type: ignore[union-attr]
            assert UNSAFE.search(raw) is None and len(raw) < 400_000
            if row.event_id in (EVIL_ID, HUGE_ID):  # the view itself, for the worst two
                await pilot.press("r")
                await pilot.pause()
                assert isinstance(app.screen, RawScreen)
                assert_safe(app)
                await pilot.press("escape")
                await pilot.pause()
        assert {EVIL_ID, HUGE_ID} <= seen
        await pilot.press("end", "pageup", "home", "pagedown")
        await settle(pilot)
        assert_safe(app)


async def test_markup_and_escapes_are_shown_escaped(corpus_cache: Path, make_app: MakeApp) -> None:
    app = make_app(corpus_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        index = next(
            i for i in range(table.total) if (r := table.row_at(i)) and r.event_id == EVIL_ID
        )
        table.cursor_row = index
        await settle(pilot)
        text = assert_safe(app)
        assert "\\x1b]0;owned-title\\x07" in text
        assert "[reverse]x[/reverse][bold red]BOOM[/]" in text
        assert "\\u202e" in text


async def test_hostile_timelines(corpus_cache: Path, make_app: MakeApp) -> None:
    app = make_app(corpus_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(EventsTable)
        corrs: dict[str, int] = {}
        for i in range(table.total):
            row = table.row_at(i)
            if row is not None and row.correlation_id:
                corrs.setdefault(row.correlation_id, i)
        assert HUGE_CORR in corrs and EVIL_ID in corrs
        hostile = [i for corr, i in corrs.items() if clean(corr) != corr or "[" in corr]
        assert len(hostile) >= 5
        hostile = sorted(hostile, key=lambda i: i not in (corrs[EVIL_ID], corrs[HUGE_CORR]))[:5]
        for index in hostile:
            table.cursor_row = index
            await settle(pilot)
            await pilot.press("t")
            await settle(pilot)
            assert isinstance(app.screen, TimelineScreen)
            assert app.screen.query_one(DataTable).row_count >= 1
            assert_safe(app)
            if index in (corrs[EVIL_ID], corrs[HUGE_CORR]):
                await pilot.press("enter")  # the step's detail
                await settle(pilot)
                assert_safe(app)
                await pilot.press("escape")
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, EventsScreen)


async def test_hostile_mismatches_and_stats(corpus_cache: Path, make_app: MakeApp) -> None:
    app = make_app(corpus_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MismatchesScreen)
        assert len(app.screen.query_one(Tree).root.children) >= 1
        assert_safe(app)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, EventsScreen)
        assert app.screen.query_one(EventsTable).total >= 1
        assert_safe(app)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        assert_safe(app)


_HOLDER = """
import sys
from explorer.core.filters import quote_value
from explorer.store.cache import Cache
cache = Cache.open(sys.argv[1], notify=lambda _: None)
print("ready", flush=True)
sys.stdin.readline()
"""


async def test_started_while_another_process_writes_the_cache(
    corpus_cache: Path, make_app: MakeApp, tmp_path: Path
) -> None:
    held = tmp_path / "held.duckdb"
    held.write_bytes(corpus_cache.read_bytes())
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(held)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        app = make_app(held)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert app.screen.has_class("-empty")
            text = str(app.screen.query_one(EmptyState).render())
            assert "in use by another process" in text and f"PID {holder.pid}" in text
            await pilot.press("t", "m", "S", "r", "e", "s")
            await settle(pilot)
    finally:
        holder.communicate("done\n", timeout=30)


async def test_cli_writers_beside_the_explorer_say_so_and_readers_work(
    corpus_cache: Path, make_app: MakeApp, tmp_path: Path
) -> None:
    mine = tmp_path / "open.duckdb"
    mine.write_bytes(corpus_cache.read_bytes())
    source = tmp_path / "more.ndjson"
    source.write_bytes(corpus_cache.with_suffix(".ndjson").read_bytes())
    app = make_app(mine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.screen.query_one(EventsTable).total
        writers = (
            ["import", str(source)],
            ["sync", "--url", "http://127.0.0.1:9"],  # the cache is checked first
        )
        for command in writers:
            result = subprocess.run(
                [sys.executable, "-m", "explorer", *command, "--cache", str(mine)],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 1 and result.stdout == ""
            assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
            assert f"is in use by another process (PID {os.getpid()})" in result.stderr
        # the explorer only reads, so CLI reads work beside it
        reader = ["events", "--format", "ndjson", "--limit", "100000", "--cache", str(mine)]
        result = subprocess.run(
            [sys.executable, "-m", "explorer", *reader],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert len(result.stdout.splitlines()) == before
        await pilot.press("down", "t")
        await settle(pilot)
        assert_safe(app)
    with Cache.open(mine, read_only=True) as cache:
        assert cache.count() == before


async def test_a_hostile_server_answer_is_a_plain_notification(
    tmp_path: Path, make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_EXPLORER_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("AUDIT_EXPLORER_TOKEN", TOKEN)
    # the problem detail holds markup, ANSI/OSC, the token and a newline
    with echo_server("evil") as echo:
        monkeypatch.setenv("AUDIT_EXPLORER_URL", echo_url(echo))
        app = make_app(tmp_path / "synced.duckdb")
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("s")
            await settle(pilot)
            await settle(pilot)
            problems = [n for n in app._notifications if n.severity in ("warning", "error")]
            assert problems, "the failure is shown"
            for note in problems:
                assert TOKEN not in note.message and "Bearer ***" in note.message
                assert UNSAFE.search(note.message) is None
                assert "[reverse]x[/reverse]" in note.message and not note.markup
            assert TOKEN not in app.export_screenshot()


async def test_hostile_filter_expressions(corpus_cache: Path, make_app: MakeApp) -> None:
    app = make_app(corpus_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EventsScreen)
        table = screen.query_one(EventsTable)
        screen.apply_filter(f"corr:{quote_value(EVIL_ID)}")
        await settle(pilot)
        assert table.total == 1 and table.highlighted is not None
        assert table.highlighted.event_id == EVIL_ID
        assert_safe(app)
        for expr in (MARKUP, '"unclosed \x1b[31m', "sevrity:\x1b]0;x\x07", "'; DROP TABLE events"):
            screen.apply_filter(expr)
            await settle(pilot)
            assert_safe(app)
        suggester = screen.query_one(FilterBar).suggester
        assert await suggester.get_suggestion("corr:rr-pay") == "corr:rr-payment-api-01"
        assert await suggester.get_suggestion("corr:id-") is None  # ESC in the only match
        screen.apply_filter("")
        await settle(pilot)
        assert table.total == app.cursor().execute("SELECT count(*) FROM events").fetchall()[0][0]


async def test_named_query_results_on_hostile_data(corpus_cache: Path, make_app: MakeApp) -> None:
    app = make_app(corpus_cache)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for name in ("latest-state", "payload-mismatches"):
            app.post_message(QueryRequested(name))
            await pilot.pause()
            await settle(pilot)
            await settle(pilot)
            assert isinstance(app.screen, ResultsScreen)
            svg = app.export_screenshot().replace("&#160;", " ")
            assert "[reverse]x[/reverse]" in svg, "hostile values are in view"
            await pilot.press("end")
            await pilot.pause()
            assert_safe(app)
            await pilot.press("escape")
            await pilot.pause()
