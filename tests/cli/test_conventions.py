"""Command-line conventions: help, options before the command, formats, fitting tables,
hints, plurals, ``config``, ``-v``, progress bars and shell completion."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from explorer import config
from explorer.cli import _COMMANDS, main
from explorer.cli.progress import progress_bar
from explorer.demo.generator import demo_events
from explorer.demo.server import DemoServer
from explorer.ingest.importer import upsert
from explorer.models.decode import decode
from explorer.store.cache import Cache
from tests.factories import event

END = datetime(2026, 11, 20, 12, tzinfo=UTC)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}  ")
LONE = "rr-lone-step"
TOKEN = "conventions-token-5d1f9a"


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("conventions") / "demo.duckdb"
    lone = event(correlation_id=LONE, event_timestamp="2026-11-20T11:59:59Z")
    with Cache.open(path, notify=lambda _: None) as db:
        upsert(db, [decode(e) for e in demo_events(300, 7, end=END)], source="demo")
        upsert(db, [decode(lone)], source="test")
    return path


def commands() -> Iterator[tuple[str, click.Command]]:
    ctx = click.Context(main)
    yield "audit-explorer", main  # the group's own options (--cache, --demo, -v)
    for name in sorted(_COMMANDS):
        command = main.get_command(ctx, name)
        assert command is not None, name
        yield name, command
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                subcommand = command.get_command(ctx, sub)
                assert subcommand is not None
                yield f"{name} {sub}", subcommand


# -- help --------------------------------------------------------------------------------


def test_dash_h_is_help_and_commands_are_grouped_by_task() -> None:
    result = run("-h")
    assert result.exit_code == 0
    heads = [line for line in result.stdout.splitlines() if line.endswith("commands:")]
    assert heads[:3] == ["Browse commands:", "Fetch commands:", "Check commands:"]
    assert "Demo commands:" in heads and "Other commands:" not in heads
    assert "Examples:" in result.stdout
    assert run("events", "-h").stdout == run("events", "--help").stdout


def test_listing_the_commands_or_validating_loads_neither_textual_nor_duckdb(
    tmp_path: Path,
) -> None:
    events = tmp_path / "e.ndjson"
    events.write_text(json.dumps(event()) + "\n")
    script = (
        "import sys\n"
        "from explorer.cli import main\n"
        "for args in (['--help'], ['validate', sys.argv[1]]):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'duckdb', 'rich'})\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(events)], capture_output=True, text=True, check=False
    )
    assert "Browse commands:" in done.stdout and "1 event, against" in done.stdout
    assert "LOADED []" in done.stderr, done.stderr


@pytest.mark.parametrize(("name", "command"), list(commands()), ids=lambda v: str(v))
def test_every_option_says_what_it_takes(name: str, command: click.Command) -> None:
    for param in command.params:
        if not isinstance(param, click.Option) or param.hidden:
            continue
        assert param.help, f"{name} {param.opts[0]} has no help text"
        if not param.is_flag and not isinstance(param.type, click.Choice):  # shows its values
            assert param.metavar, f"{name} {param.opts[0]} has no placeholder"
            clear = param.metavar == "N" or len(param.metavar) > 1  # N is a count, T is unclear
            assert clear, f"{name} {param.opts[0]}: {param.metavar!r}"


# The commands of the CLI-conventions work; the evidence and doctor commands are others'.
EXAMPLED = (
    "events", "timeline", "queries", "query", "import", "sync", "validate", "contracts",
    "redecode", "config", "tui", "demo", "demo-server",
)  # fmt: skip


@pytest.mark.parametrize("name", EXAMPLED)
def test_every_command_shows_real_examples(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert command is not None
    lines = (command.epilog or "").splitlines()
    examples = [line for line in lines if line.strip().startswith("audit-explorer")]
    assert "Examples:" in lines and 2 <= len(examples) <= 3, name


# -- the group's options -------------------------------------------------------------------


def test_cache_goes_before_the_command_too(cache: Path, tmp_path: Path) -> None:
    before = run("--cache", str(cache), "events", "--limit", "3", "--format", "ndjson")
    after = run("events", "--cache", str(cache), "--limit", "3", "--format", "ndjson")
    assert before.exit_code == 0, before.stderr
    assert before.stdout == after.stdout and len(before.stdout.splitlines()) == 3
    own = run("--cache", str(tmp_path / "x.duckdb"), "events", "--cache", str(cache))
    assert own.exit_code == 0, own.stderr  # the command's own --cache wins
    both = run("--cache", str(cache), "--demo", "events")
    assert both.exit_code == 2 and "--cache or --demo, not both" in both.stderr


def test_demo_reaches_the_demo_cache(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "demo_cache_path", lambda: cache)
    result = run("--demo", "timeline", LONE)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{LONE}: 1 event over")


def test_a_filter_that_starts_with_a_dash_gets_a_hint(cache: Path) -> None:
    result = run("events", "--cache", str(cache), "-status:ok")
    assert result.exit_code == 2
    assert "audit-explorer events --cache" in result.stderr
    assert result.stderr.rstrip().endswith("-- -status:ok)")
    assert run("events", "--cache", str(cache), "--", "-status:ok").exit_code == 0


# -- formats ---------------------------------------------------------------------------------


def test_an_output_file_named_like_a_format_gets_a_hint(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # undone after the test: later tests run from the repo
    result = run("events", "--cache", str(cache), "-o", "json")
    assert result.exit_code == 1
    assert "use --format json" in result.stderr and not (tmp_path / "json").exists()


def test_text_is_table_everywhere(cache: Path) -> None:
    table = run("timeline", LONE, "--cache", str(cache), "--format", "table")
    assert table.exit_code == 0 and table.stdout
    assert run("timeline", LONE, "--cache", str(cache), "--format", "text").stdout == table.stdout
    assert run("contracts", "--format", "TEXT").stdout == run("contracts").stdout
    assert "table|json" in run("timeline", "-h").stdout


# -- tables that fit ---------------------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 140])
def test_table_rows_take_one_line_with_the_event_id_whole(cache: Path, width: int) -> None:
    result = run("events", "--cache", str(cache), "--format", "table", env={"COLUMNS": str(width)})
    lines = result.stdout.splitlines()
    assert lines[0].startswith("event_id ")
    assert len(lines) == 102 and max(len(line) for line in lines) <= width
    assert all(UUID.match(line) for line in lines[2:])
    if width == 140:
        assert lines[0].split() == [
            "event_id", "correlation_id", "time", "service", "type", "outcome", "status"
        ]  # fmt: skip
    else:
        assert "…" in result.stdout and "left out at 80 columns" in result.stderr


def test_a_pipe_gets_every_value_whole(cache: Path) -> None:
    result = run("events", "--cache", str(cache), "--format", "table", env={"COLUMNS": None})
    types = {e["event_type"] for e in demo_events(300, 7, end=END)}
    assert "…" not in result.stdout and "left out" not in result.stderr
    rows = result.stdout.splitlines()[2:]
    assert len(rows) == 100 and all(UUID.match(row) for row in rows)
    assert all(any(f"  {t}  " in row for t in types) for row in rows[1:])


def test_query_tables_put_identifiers_first(cache: Path) -> None:
    result = run(
        "query", "failed-remediations", "-p", "since=3650d", "--cache", str(cache),
        "--format", "table", env={"COLUMNS": "100"},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["correlation_id", "event_id"] and len(lines) >= 3
    assert max(len(line) for line in lines) <= 100
    assert all(re.match(r"^\S+ +[0-9a-f]{8}-[0-9a-f-]{27} ", line) for line in lines[2:])


# -- config and -v -------------------------------------------------------------------------------


def test_config_shows_where_things_are_and_no_secret(tmp_path: Path) -> None:
    conf = tmp_path / "config.toml"
    conf.write_text(
        'default_source = "east"\n'
        '[sources.east]\nurl = "https://ops:hunter2@ds.example:8443"\n'
        'token_file = "/secrets/ds-token"\n'
    )
    env = {
        "AUDIT_EXPLORER_CONFIG": str(conf),
        "AUDIT_EXPLORER_CACHE": str(tmp_path / "c.duckdb"),
        "AUDIT_EXPLORER_TOKEN": TOKEN,
        "AUDIT_EXPLORER_URL": None,
    }
    result = run("config", env=env)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert f"config file  {conf}" in out and f"cache        {tmp_path / 'c.duckdb'}" in out
    assert "https://ops:***@ds.example:8443" in out and "/secrets/ds-token" in out
    assert "AUDIT_EXPLORER_TOKEN     set (hidden)" in out
    assert TOKEN not in out and "hunter2" not in out
    facts = json.loads(run("config", "--format", "json", env=env).stdout)
    assert facts["sources"]["east"]["token_file"] == "/secrets/ds-token"
    assert TOKEN not in json.dumps(facts) and facts["default_source"] == "east"


def test_verbose_logs_requests_to_stderr_without_the_token(tmp_path: Path) -> None:
    env = {
        "AUDIT_EXPLORER_CONFIG": str(tmp_path / "none.toml"),
        "AUDIT_EXPLORER_CACHE": str(tmp_path / "c.duckdb"),
        "AUDIT_EXPLORER_TOKEN": None,
        "AUDIT_EXPLORER_URL": None,
    }
    with DemoServer(demo_events(30, 7, end=END), token=TOKEN) as server:
        args = ["sync", "--url", server.url, "--token", TOKEN]
        loud = run("-v", *args, env=env)
        quiet = run(*args, env=env)
    assert loud.exit_code == 0 and quiet.exit_code == 0, loud.stderr
    assert "HTTP Request: GET" in loud.stderr and " ms httpx: " in loud.stderr
    assert "done in" in loud.stderr and TOKEN not in loud.stderr
    assert "HTTP Request" not in quiet.stderr


# -- progress --------------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_count_rate_and_time_left_on_a_terminal() -> None:
    screen = FakeTerminal()
    with progress_bar("building", 1000, stream=screen) as update:
        assert update is not None
        for done in range(0, 1001, 250):
            update(done)
    drawn = screen.getvalue()
    assert "building" in drawn and "1000/1000" in drawn and "events/s" in drawn
    pipe = io.StringIO()
    with progress_bar("building", 1000, stream=pipe) as update:
        assert update is None
    assert pipe.getvalue() == ""


def test_import_draws_a_bar_on_a_terminal_and_nothing_on_a_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "e.ndjson"
    source.write_text("".join(json.dumps(e) + "\n" for e in demo_events(50, 7, end=END)))
    piped = run("import", str(source), "--cache", str(tmp_path / "a.duckdb"))
    assert piped.exit_code == 0 and "importing" not in piped.stderr and "\x1b" not in piped.stderr
    monkeypatch.setattr("explorer.cli.progress._is_terminal", lambda _: True)
    shown = run("import", str(source), "--cache", str(tmp_path / "b.duckdb"))
    assert shown.exit_code == 0 and "importing" in shown.stderr and "50/?" in shown.stderr
    assert shown.stdout.splitlines()[:4] == piped.stdout.splitlines()[:4]


# -- completion and plurals -----------------------------------------------------------------------


def complete(words: str, env: dict[str, str | None] | None = None) -> list[str]:
    parts = words.split(" ")
    result = CliRunner().invoke(
        main,
        [],
        prog_name="audit-explorer",
        env={
            "_AUDIT_EXPLORER_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(parts) - 1),
            **(env or {}),
        },
    )
    return [line.split(",", 1)[1] for line in result.stdout.splitlines()]


def test_completion_offers_filter_keys_cache_values_queries_and_sources(
    cache: Path, tmp_path: Path
) -> None:
    assert "service:" in complete(f"audit-explorer events --cache {cache} serv")
    services = complete(f"audit-explorer --cache {cache} events service:")
    assert services and all(s.startswith("service:") for s in services)
    with Cache.open(cache, read_only=True) as db:
        rows = db.connection.execute("SELECT DISTINCT service FROM events").fetchall()
    assert sorted(s.removeprefix("service:") for s in services) == sorted(r[0] for r in rows)
    assert complete("audit-explorer query failed-") == ["failed-remediations"]
    assert "v1.5.7" in complete("audit-explorer events --contract v1")
    conf = tmp_path / "config.toml"
    conf.write_text('[sources.east]\nurl = "http://a"\n[sources.west]\nurl = "http://b"\n')
    env = {"AUDIT_EXPLORER_CONFIG": str(conf)}
    assert complete("audit-explorer sync --source ", env) == ["east", "west"]
    assert complete("audit-explorer import x --source we", env) == ["west"]


def test_counts_agree_with_their_nouns(cache: Path) -> None:
    head = run("timeline", LONE, "--cache", str(cache)).stdout.splitlines()[0]
    assert "1 event over" in head and "0 failures" in head and "0 decode problems" in head
