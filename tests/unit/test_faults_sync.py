"""The sync fault matrix: every fault ends complete or in one clear line, with a consistent
cache (whole pages only, no duplicate rows, readable after reopening), and the next sync
completes.

One table, against the stand-in DataStorage over loopback and a real DuckDB file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from explorer.client.datastorage import ClientSettings, DataStorageClient, EventFilters, Secret
from explorer.demo.server import DemoServer, FaultKind, Faults, Handler, SeenRequest
from explorer.ingest.sync import SyncProgress, SyncResult, run_sync
from explorer.store.cache import Cache, load_watermark
from tests.unit.test_demo_server import START, make_events

TOKEN = "fault-token-0b7e"
PAGE = 40
COUNT = 130  # four pages, the last one short


def always(kind: FaultKind) -> dict[int, FaultKind]:
    """The fault on every request after the first (page 1 is stored before it starts)."""
    return dict.fromkeys(range(1, 60), kind)


def once(kind: FaultKind) -> dict[int, FaultKind]:
    return {1: kind}


class _Forbidden(Handler):
    """RBAC revoked after page 1: 403 problem+json."""

    def do_GET(self) -> None:
        demo = self.server.demo
        if demo.requests:
            demo.requests.append(SeenRequest({}, None, False, "403"))
            self._problem(403, "Forbidden", "forbidden", "access to audit events denied")
            return
        super().do_GET()


@dataclass
class World:
    events: list[dict[str, Any]]
    server: DemoServer
    sleeps: list[float] = field(default_factory=list)

    def restart(self) -> None:
        """Stop the server and start a new one on the same port with the same data."""
        port = int(self.server.url.rsplit(":", 1)[1])
        self.server.set_faults(Faults(die_after_pages=0))  # open connections die with it
        self.server.stop()
        self.server = DemoServer(self.events, token=TOKEN, port=port).start()


@dataclass(frozen=True)
class Case:
    faults: Faults = field(default_factory=Faults)
    stops: str | None = None  # None: the sync completes; else part of its one-line reason
    token: str = TOKEN
    read_timeout: float = 30.0
    forbidden: bool = False
    after_page: Callable[[World, SyncProgress], None] | None = None


def _restart_after_page_2(world: World, progress: SyncProgress) -> None:
    if progress.pages == 2:
        world.restart()


_NEWER = make_events(50, start=START + timedelta(minutes=5), tag="newer")
_LATE = make_events(15, start=START - timedelta(seconds=150), tag="late")

# Retries of each transient fault on their own are in test_client; here one of each family.
MATRIX: dict[str, Case] = {
    "500": Case(Faults(script=once("500")), stops="500 Internal Server Error: injected fault"),
    "502-once": Case(Faults(script=once("502"))),
    "502": Case(Faults(script=always("502")), stops="502 from a proxy (HTML page)"),
    "503": Case(Faults(script=always("503")), stops="503 Service Unavailable"),
    "504": Case(Faults(script=always("504")), stops="504 from a proxy (HTML page)"),
    "429-retry-after": Case(Faults(script=once("429"), retry_after="7")),
    "429": Case(Faults(script=always("429")), stops="429 Too Many Requests: slow down"),
    "reset-once": Case(Faults(script=once("reset"))),
    "reset": Case(Faults(script=always("reset")), stops="after 3 tries"),
    "truncated-once": Case(Faults(script=once("truncate"))),
    "truncated": Case(Faults(script=always("truncate")), stops="broke mid-answer after 3 tries"),
    "truncated-json": Case(Faults(script=once("badjson")), stops="not valid JSON: truncated"),
    "not-json": Case(Faults(script=once("notjson")), stops="the answer is not JSON"),
    "html": Case(Faults(script=always("html")), stops="HTML page), not DataStorage"),
    "slow-once": Case(Faults(script=once("slow"), slow_seconds=5.0), read_timeout=0.3),
    "slow": Case(
        Faults(script=always("slow"), slow_seconds=5.0),
        stops="no answer within 0.3 s after 3 tries",
        read_timeout=0.3,
    ),
    "dies": Case(Faults(die_after_pages=2), stops="broke mid-answer"),
    "growth": Case(Faults(growth={1: _NEWER[:25], 2: _LATE, 3: _NEWER[25:]})),
    "restart": Case(after_page=_restart_after_page_2),
    "same-page": Case(Faults(pagination="same_page"), stops="same"),
    "offset-ignored": Case(Faults(pagination="ignore_offset")),
    "401": Case(token="not-the-token", stops="401 Unauthorized: check the token"),
    "403": Case(
        forbidden=True,
        stops="403 Forbidden: the token's identity lacks `get` on services/data-storage-service",
    ),
}


@pytest.fixture
def world() -> Iterator[World]:
    events = make_events(COUNT, step=timedelta(seconds=-10))
    world = World(events, DemoServer(events, token=TOKEN).start())
    yield world
    world.server.stop()


def _sync(path: Path, world: World, case: Case) -> SyncResult:
    settings = ClientSettings(
        world.server.url, token=Secret(case.token), max_tries=3, read_timeout=case.read_timeout
    )

    def progress(done: SyncProgress) -> None:
        if case.after_page is not None:
            case.after_page(world, done)

    with (
        Cache.open(path, notify=lambda _: None) as cache,
        DataStorageClient(settings, sleep=world.sleeps.append) as client,
    ):
        return run_sync(
            cache, client, EventFilters(), source="matrix", page_size=PAGE, progress=progress
        )


def _check_consistent(path: Path, world: World) -> dict[str, tuple[Any, ...]]:
    """Reopened from the file: one row per id, every row as the server sent it."""
    with Cache.open(path, read_only=True) as cache:
        conn = cache.connection
        total, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT event_id) FROM events"
        ).fetchall()[0]
        assert total == distinct == cache.count()
        assert conn.execute("PRAGMA database_size").fetchall()
        rows = conn.execute(
            "SELECT event_id, event_type, correlation_id, event_timestamp FROM events"
        ).fetchall()
    sent = {e["event_id"]: e for e in world.events + _NEWER + _LATE}
    for event_id, event_type, correlation_id, _ in rows:
        assert event_id in sent
        assert (event_type, correlation_id) == (
            sent[event_id]["event_type"],
            sent[event_id]["correlation_id"],
        )
    return {row[0]: row[1:] for row in rows}


@pytest.mark.parametrize("name", MATRIX)
def test_fault_matrix(world: World, tmp_path: Path, name: str) -> None:
    case = MATRIX[name]
    world.server.set_faults(case.faults)
    if case.forbidden:
        world.server.httpd.RequestHandlerClass = _Forbidden
    path = tmp_path / "cache.duckdb"

    first = _sync(path, world, case)

    stored = _check_consistent(path, world)
    if case.stops is None:
        assert first.complete, first.stopped
        assert set(stored) >= {e["event_id"] for e in world.events}
    else:
        assert not first.complete and first.stopped is not None
        assert case.stops in first.stopped and "\n" not in first.stopped
        served = 100 if name == "same-page" else PAGE  # that server ignores the limit
        assert len(stored) % served == 0, "only whole pages are kept"
        assert len(stored) == first.fetched
        with Cache.open(path, notify=lambda _: None) as cache:
            assert load_watermark(cache, "matrix", EventFilters().key()) is None
    if name == "restart":
        assert world.server.requests, "the pages after the restart came from the new server"
    if name == "429-retry-after":
        assert max(world.sleeps) >= 7.0, "Retry-After is honoured"

    # the cause goes away: the next sync completes, without duplicates
    world.server.set_faults(Faults())
    world.server.httpd.RequestHandlerClass = Handler
    second = _sync(path, world, Case())
    assert second.complete, second.stopped
    stored = _check_consistent(path, world)
    expected = {e["event_id"] for e in world.events}
    if name == "growth":
        expected |= {e["event_id"] for e in _NEWER + _LATE}
    assert set(stored) == expected
