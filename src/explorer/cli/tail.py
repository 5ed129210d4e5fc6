"""``audit-explorer tail``: store and print new events as they arrive, until Ctrl-C.

Every ``--interval`` seconds one incremental sync (``explorer.ingest.follow.poll``) fetches
what is new; the events it stored that EXPR selects are printed oldest first. A failed
poll is said on stderr and retried later (backing off), never the end of the command.
"""

from __future__ import annotations

import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import click

from explorer.cli import main
from explorer.cli.completion import complete_filter
from explorer.cli.events import render_table, stdout_is_terminal
from explorer.cli.options import SourceOptions, cache_option, contract_option, source_options
from explorer.cli.render import JsonSafeStream, clean, examples, format_choice_option
from explorer.client.datastorage import DataStorageClient
from explorer.config import cache_path, source_contract
from explorer.core.export import query_rows, write_rows
from explorer.core.filters import Filter, events_sql, parse_filter
from explorer.core.follow import arrived_filter
from explorer.ingest.follow import backoff, poll, remember_source
from explorer.store.cache import Cache
from explorer.times import server_time

_TABLE_COLUMNS = (
    "event_timestamp AS time, event_id, correlation_id, service, event_type AS type, "
    "event_outcome AS outcome, decode_status AS status"
)


@dataclass
class _Printer:
    """Writes each poll's events in one format; a table's heading only once."""

    fmt: str
    headed: bool = False

    def show(self, db: Cache, flt: Filter) -> int:
        table = self.fmt == "table"
        columns = _TABLE_COLUMNS if table else None
        sql, params = events_sql(flt, columns=columns) if columns else events_sql(flt)
        when = "time" if table else "event_timestamp"
        oldest_first = f"SELECT * FROM ({sql}) AS arrived ORDER BY {when}, event_id"  # noqa: S608
        rows = query_rows(db.connection, oldest_first, params)
        if not table:
            out = sys.stdout.buffer
            count = write_rows(rows, cast(IO[bytes], JsonSafeStream(out)), self.fmt)
            out.flush()
            return count
        data = rows.reader.read_all()
        if data.num_rows:
            lines, _ = render_table(data, None, keep=("event_id", "time"))
            for line in lines if not self.headed else lines[2:]:
                click.echo(line)
            self.headed = True
        return int(data.num_rows)


@main.command(
    epilog=examples(
        "audit-explorer tail --url http://127.0.0.1:8080",
        "audit-explorer tail 'outcome:failure' --source prod --interval 10",
        "audit-explorer tail --since 1h --format ndjson > events.ndjson",
    )
)
@click.argument("expr", required=False, default="", shell_complete=complete_filter)
@source_options
@cache_option
@contract_option
@format_choice_option(
    ("table", "json", "ndjson"), None, "Output format (default: table on a terminal, else ndjson)."
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    metavar="SECONDS",
    help="Seconds between polls.",
)
@click.option(
    "--since",
    metavar="DURATION|TIME",
    help="Start this far back (default: now, only new events): 30m, 24h or an ISO time.",
)
def tail(
    remote: SourceOptions,
    expr: str,
    cache: Path | None,
    contract: str | None,
    fmt: str | None,
    interval: float,
    since: str | None,
) -> None:
    """Store and print new events from DataStorage as they arrive, until Ctrl-C.

    EXPR is the filter language of `events` and the explorer, applied to what arrives.
    Every event is stored in the cache as by `sync`. json prints one array per poll that
    brought events; ndjson (the default when stdout is not a terminal) one line each.
    """
    flt = parse_filter(expr)
    fmt = fmt or ("table" if stdout_is_terminal() else "ndjson")
    try:
        start = server_time(since or "now")
    except ValueError as exc:
        raise click.BadParameter(clean(str(exc)), param_hint="--since") from None
    settings, source = remote.settings()
    if settings.insecure:
        click.echo("audit-explorer: warning: TLS certificates are not verified", err=True)
    path = cache_path(cache)
    printer = _Printer(fmt)
    stop = _CtrlC()
    try:
        with (
            Cache.open(path, notify=_notify, contract=contract or source_contract(source)) as db,
            DataStorageClient(settings, sleep=stop.wait) as client,  # Ctrl-C ends a retry wait
        ):
            if remote.kube_target() is None:  # a port-forward's URL is not worth keeping
                remember_source(db, settings, source)
            click.echo(f"following {clean(source)}; Ctrl-C stops", err=True)
            _follow(db, client, _Follow(source, start, flt, printer, interval, stop))
    except KeyboardInterrupt:  # a second Ctrl-C, in a fetch that would not end
        pass
    click.echo("stopped", err=True)


class _CtrlC:
    """The first Ctrl-C asks the tail to stop (the poll ends between pages); a second one
    raises KeyboardInterrupt. The handler only sets a flag: a signal handler that takes a
    lock (``threading.Event.set``) deadlocks when the signal lands while the main thread
    holds that lock, which a full CI run caught. Waits poll the flag every 50 ms."""

    def __init__(self) -> None:
        self.pressed = False
        signal.signal(signal.SIGINT, self._first)

    def _first(self, _signum: int, _frame: object) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        self.pressed = True

    def is_set(self) -> bool:
        return self.pressed

    def wait(self, seconds: float) -> None:
        """Sleep ``seconds``, or less once Ctrl-C was pressed (also the client's retry wait)."""
        end = time.monotonic() + seconds
        while not self.pressed and (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 0.05))


@dataclass(frozen=True)
class _Follow:
    source: str
    start: str
    flt: Filter
    printer: _Printer
    interval: float
    stop: _CtrlC


def _follow(db: Cache, client: DataStorageClient, opt: _Follow) -> None:
    failures = 0
    while not opt.stop.is_set():
        done = poll(db, client, source=opt.source, since=opt.start, cancel=opt.stop.is_set)
        opt.printer.show(db, arrived_filter(opt.flt, done.started))
        result = done.result
        if opt.stop.is_set():
            return
        if result.complete:
            failures = 0
        else:
            failures += 1
            reason = clean(result.stopped or "incomplete")
            wait = backoff(opt.interval, failures)
            click.echo(f"audit-explorer: poll failed: {reason}; next in {wait:.0f} s", err=True)
        opt.stop.wait(backoff(opt.interval, failures))


def _notify(message: str) -> None:
    click.echo(f"audit-explorer: {clean(message)}", err=True)
