"""``audit-explorer tui`` / ``demo``: the right cache reaches the app; demo rebuilds when asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import explorer.cli.tui as cli_tui
from explorer.cli import main
from explorer.errors import FilterError
from explorer.store.cache import Cache


@pytest.fixture
def contracts() -> list[str | None]:
    """The --contract each launch of the app was given."""
    return []


@pytest.fixture
def filters() -> list[str]:
    """The filter each launch of the app was given."""
    return []


@pytest.fixture
def opened(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    contracts: list[str | None],
    filters: list[str],
) -> list[Path]:
    calls: list[Path] = []

    def run_app(path: Path, contract: str | None = None, filter: str = "", *_: object) -> None:
        calls.append(path)
        contracts.append(contract)
        filters.append(filter)

    monkeypatch.setattr(cli_tui, "run_app", run_app)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("AUDIT_EXPLORER_CACHE", str(tmp_path / "mine.duckdb"))
    return calls


def test_tui_opens_the_given_cache(opened: list[Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["tui", "--cache", str(tmp_path / "x.duckdb")])
    assert result.exit_code == 0, result.output
    assert opened == [tmp_path / "x.duckdb"]


def test_no_command_opens_the_tui_on_the_default_cache(opened: list[Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [])
    assert result.exit_code == 0, result.output
    assert opened == [tmp_path / "mine.duckdb"]


def test_demo_builds_once_and_rebuilds_when_the_size_changes(opened: list[Path]) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--events", "120", "--seed", "3"]).exit_code == 0
    path = opened[-1]
    assert path.name == "demo.duckdb" and "xdg" in str(path)
    with Cache.open(path, read_only=True) as cache:
        assert 0 < cache.count() <= 120
        first = cache.connection.execute("SELECT min(fetched_at) FROM events").fetchone()
    assert runner.invoke(main, ["demo", "--events", "120", "--seed", "3"]).exit_code == 0
    with Cache.open(path, read_only=True) as cache:
        again = cache.connection.execute("SELECT min(fetched_at) FROM events").fetchone()
    assert again == first, "same size and seed: the demo cache is reused"
    assert runner.invoke(main, ["demo", "--events", "60", "--seed", "3"]).exit_code == 0
    with Cache.open(path, read_only=True) as cache:
        assert 0 < cache.count() <= 60
    assert len(opened) == 3


def test_tui_passes_the_contract_it_is_asked_for(
    opened: list[Path], contracts: list[str | None], tmp_path: Path
) -> None:
    args = ["tui", "--cache", str(tmp_path / "x.duckdb"), "--contract", "v1.5.7"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert contracts == ["v1.5.7"] and opened == [tmp_path / "x.duckdb"]


def test_tui_filter_takes_a_name_from_the_config_or_an_expression(
    opened: list[Path], filters: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "config.toml"
    conf.write_text('[filters]\noom = "type:*.oom* -status:ok"\n')
    monkeypatch.setenv("AUDIT_EXPLORER_CONFIG", str(conf))
    for given in ("oom", "service:gateway", ""):
        result = CliRunner().invoke(main, ["tui", "--filter", given])
        assert result.exit_code == 0, result.output
    assert filters == ["type:*.oom* -status:ok", "service:gateway", ""]


def test_tui_filter_that_does_not_parse_is_a_one_line_error(
    opened: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_EXPLORER_CONFIG", str(tmp_path / "none.toml"))
    result = CliRunner().invoke(main, ["tui", "--filter", "servce:gateway"])
    assert result.exit_code == FilterError.exit_code, result.output
    assert result.output.strip().splitlines() == [
        "audit-explorer: unknown key 'servce' (did you mean service?)"
    ]
    assert opened == []
