"""A typo in a value that selects nothing: ``audit-explorer events`` names the close values."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.core.filters import value_suggestions
from explorer.ingest.importer import upsert
from explorer.models.decode import decode
from explorer.store.cache import Cache
from tests.factories import event


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("suggest") / "c.duckdb"
    events = [
        event(event_type="gateway.signal.received", correlation_id="a"),
        event(event_type="orchestrator.lifecycle.started", correlation_id="b"),
    ]
    with Cache.open(path, notify=lambda _: None) as db:
        upsert(db, [decode(e) for e in events], source="test")
    return path


def test_events_suggests_values_the_cache_holds(cache: Path) -> None:
    result = CliRunner().invoke(
        main, ["events", "--cache", str(cache), "--format", "table", "service:gatway"]
    )
    assert result.exit_code == 0, result.output
    assert "service:gatway matches nothing; did you mean gateway?" in result.output


def test_suggestions_skip_what_exists_globs_and_negations(cache: Path) -> None:
    with Cache.open(cache, read_only=True) as db:
        cur = db.connection
        assert value_suggestions(cur, "service:GATEWAY") == []  # exists (any case)
        assert value_suggestions(cur, "service:gatw*") == []  # a glob is no typo
        assert value_suggestions(cur, "-service:gatway") == []
        assert value_suggestions(cur, "type:gateway.signal.recieved") == [
            "type:gateway.signal.recieved matches nothing; did you mean gateway.signal.received?"
        ]
        assert value_suggestions(cur, "service:zzzzzz") == []  # nothing close


def test_a_hostile_value_is_printed_inert(cache: Path) -> None:
    result = CliRunner().invoke(
        main, ["events", "--cache", str(cache), "--format", "table", "service:gate\u202eway"]
    )
    assert "matches nothing; did you mean gateway?" in result.output
    assert "\u202e" not in result.output  # (click itself strips ANSI sequences off a pipe)
    assert "gate\\u202eway" in result.output
