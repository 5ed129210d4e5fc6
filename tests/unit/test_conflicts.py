"""A version of an event that arrives again never replaces the first: kept in
event_conflicts, counted, filterable, exported as a flag, shown with its differences."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from explorer.cli import main
from explorer.client.datastorage import ClientSettings, DataStorageClient, EventFilters, Secret
from explorer.core.browse import EventBrowser, fetch_event
from explorer.core.export import query_rows, records
from explorer.core.filters import events_sql, parse_filter
from explorer.demo.server import DemoServer
from explorer.ingest.importer import upsert
from explorer.ingest.sync import run_sync
from explorer.models.decode import decode
from explorer.store.cache import SCHEMA_VERSION, Cache
from explorer.store.reads import conflicts_of
from explorer.store.received import MISSING
from tests.factories import event
from tests.unit.test_demo_server import make_events

TOKEN = "conflict-token-1"


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with Cache.open(tmp_path / "cache.duckdb", notify=lambda _: None) as cache:
        yield cache


def _changed(cache: Cache) -> tuple[dict[str, Any], dict[str, Any]]:
    """One event stored, then a version of it with another outcome and payload field."""
    first = event()
    upsert(cache, [decode(first)], source="first")
    again = json.loads(json.dumps(first))
    again["event_outcome"] = "failure"
    again["event_data"]["failure_reason"] = "edited"
    upsert(cache, [decode(again), decode(event())], source="second")
    return first, again


def test_the_filter_selects_the_events_with_a_conflict(cache: Cache) -> None:
    first, _ = _changed(cache)
    cur = cache.cursor()
    yes = _browser("conflict:yes")
    no = _browser("conflict:no")
    assert [row.event_id for row in yes.window(cur, 0, 10).rows] == [first["event_id"]]
    assert yes.window(cur, 0, 10).rows[0].conflict
    assert no.count(cur) == 1 and not no.window(cur, 0, 10).rows[0].conflict
    assert _browser("conflict:yes,no").count(cur) == 2


def _browser(expr: str) -> EventBrowser:
    flt = parse_filter(expr)
    return EventBrowser(flt.where, flt.params)


def test_exports_carry_a_conflict_flag(cache: Cache) -> None:
    first, _ = _changed(cache)
    sql, params = events_sql(parse_filter(""))
    flags = {
        r["event_id"]: r["conflict"] for r in records(query_rows(cache.connection, sql, params))
    }
    assert flags[first["event_id"]] is True
    assert sorted(flags.values()) == [False, True]


def test_the_detail_reads_the_stored_and_received_values_side_by_side(cache: Cache) -> None:
    first, _ = _changed(cache)
    [kept] = conflicts_of(cache.cursor(), first["event_id"])
    assert kept.source == "second" and kept.received["event_outcome"] == "failure"
    got = {d.path: (d.stored, d.received) for d in kept.differences}
    assert got == {
        "event_outcome": (first["event_outcome"], "failure"),
        "event_data.failure_reason": (MISSING, "edited"),
    }
    record = fetch_event(cache.cursor(), first["event_id"])
    assert record is not None and record.conflicts == (kept,)
    assert record.row["event_outcome"] == first["event_outcome"]  # the stored one stays


def test_a_v2_cache_is_migrated_with_an_empty_conflicts_table(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with Cache.open(path) as cache:
        upsert(cache, [decode(event(event_id="kept"))], source="s")
        con = cache.connection
        con.execute("DROP TABLE event_conflicts")
        con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    said: list[str] = []
    with Cache.open(path, notify=said.append) as cache:
        assert cache.count() == 1
        assert cache.connection.execute("SELECT count(*) FROM event_conflicts").fetchall() == [(0,)]
        changed = event(event_id="kept", event_outcome="failure")
        assert upsert(cache, [decode(changed)], source="s").conflicts == 1
    assert said == [f"migrated cache {path} from schema v2 to v{SCHEMA_VERSION}"]


def _ndjson(path: Path, *events: dict[str, Any]) -> str:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return str(path)


def test_the_import_summary_counts_conflicts_on_their_own_line(tmp_path: Path) -> None:
    env = {
        "AUDIT_EXPLORER_CACHE": str(tmp_path / "c.duckdb"),
        "AUDIT_EXPLORER_CONFIG": "/nonexistent",
    }
    one, two = event(), event()
    first = _ndjson(tmp_path / "a.ndjson", one, two)
    runner = CliRunner()
    assert runner.invoke(main, ["import", first], env=env).exit_code == 0
    changed = [{**e, "event_outcome": "failure"} for e in (one, two)]
    out = runner.invoke(main, ["import", _ndjson(tmp_path / "b.ndjson", *changed)], env=env)
    assert out.exit_code == 0, out.stderr
    assert "2 events arrived again with different content" in out.stdout
    assert any(line.split() == ["already", "stored", "2"] for line in out.stdout.splitlines())
    out = runner.invoke(main, ["import", _ndjson(tmp_path / "c.ndjson", changed[0])], env=env)
    assert "\n1 event arrived again with different content" in out.stdout
    out = runner.invoke(main, ["import", first], env=env)
    assert "arrived again with different content" not in out.stdout  # the same: silent


# -- sync: the stand-in delivers a changed event ---------------------------------------------


def _sync(cache: Cache, server: DemoServer, **options: Any) -> Any:
    settings = ClientSettings(server.url, token=Secret(TOKEN))
    with DataStorageClient(settings, sleep=lambda _: None) as client:
        return run_sync(cache, client, EventFilters(), page_size=40, source="demo", **options)


def test_sync_keeps_the_first_version_of_a_changed_event(cache: Cache) -> None:
    events = make_events(90, step=timedelta(seconds=-10))
    with DemoServer(events, token=TOKEN) as server:
        assert _sync(cache, server).new == 90
        before = cache.connection.execute("SELECT * EXCLUDE (fetched_at) FROM events ORDER BY ALL")
        rows = before.fetchall()
        events[7]["event_outcome"] = "pending" if events[7]["event_outcome"] != "pending" else "x"
        events[8]["event_data"] = {**events[8]["event_data"], "signal_name": "rewritten"}
        again = _sync(cache, server, full=True)
    assert (again.new, again.updated, again.conflicts) == (0, 90, 2)
    after = cache.connection.execute("SELECT * EXCLUDE (fetched_at) FROM events ORDER BY ALL")
    assert after.fetchall() == rows
    kept = dict(cache.connection.execute("SELECT event_id, paths FROM event_conflicts").fetchall())
    assert kept == {
        events[7]["event_id"]: ["event_outcome"],
        events[8]["event_id"]: ["event_data.signal_name"],
    }


def test_the_sync_summary_counts_conflicts(tmp_path: Path) -> None:
    events = make_events(20)
    env = {
        "AUDIT_EXPLORER_CONFIG": str(tmp_path / "config.toml"),
        "AUDIT_EXPLORER_CACHE": str(tmp_path / "cache.duckdb"),
        "AUDIT_EXPLORER_TOKEN": None,
        "AUDIT_EXPLORER_URL": None,
    }
    with DemoServer(events, token=TOKEN) as server:
        args = ["sync", "--url", server.url, "--token", TOKEN, "--full"]
        assert CliRunner().invoke(main, args, env=env).exit_code == 0
        events[0]["event_outcome"] = "changed"
        out = CliRunner().invoke(main, args, env=env)
    assert out.exit_code == 0, out.stderr
    assert "\n1 event arrived again with different content" in out.stdout


def test_the_detail_and_the_table_show_a_conflict_without_markup(cache: Cache) -> None:
    from explorer.tui.styles import Palette
    from explorer.tui.widgets.event_detail import conflicts_text

    first = event()
    upsert(cache, [decode(first)], source="first")
    hostile = "[red]x[/red]\x1b[31m"
    again = {**first, "event_outcome": hostile}
    upsert(cache, [decode(again)], source="\x1b]0;evil\x07src")
    record = fetch_event(cache.cursor(), first["event_id"])
    assert record is not None
    text = conflicts_text(record.conflicts, Palette({})).plain
    assert "arrived again" in text and "the stored version stays" in text
    line = next(line for line in text.splitlines() if "event_outcome" in line)
    assert f"stored {first['event_outcome']}" in line and "received [red]x[/red]" in line
    assert "\x1b" not in text and "\x07" not in text


def test_a_legal_hold_placed_since_is_no_conflict(cache: Cache) -> None:
    # Placing a hold changes the event's legal_hold fields on the server: its state, not
    # what its producer wrote. A re-delivery with the hold is the same event.
    first = event()
    upsert(cache, [decode(first)], source="first")
    held = {
        **json.loads(json.dumps(first)),
        "legal_hold": True,
        "legal_hold_reason": "SOX review",
        "legal_hold_placed_by": "auditor@example.com",
        "legal_hold_placed_at": "2026-11-20T10:00:00Z",
    }
    result = upsert(cache, [decode(held)], source="second")
    assert (result.new, result.conflicts) == (0, 0)
    assert cache.cursor().execute("SELECT count(*) FROM event_conflicts").fetchone() == (0,)
    changed = {
        **held,
        "event_outcome": "failure" if first["event_outcome"] != "failure" else "success",
    }
    assert upsert(cache, [decode(changed)], source="third").conflicts == 1
