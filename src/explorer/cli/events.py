"""``audit-explorer events`` and ``audit-explorer timeline``: the cache from the command line.

Output formats: ``table`` (for people; the default when stdout is a terminal), and the
machine formats ``ndjson`` (the default otherwise), ``json``, ``csv`` and ``parquet``
(which needs ``-o``). With ``-o FILE`` and no ``--format``, the file's extension decides.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, cast

import click
import pyarrow as pa

from explorer.cli import main
from explorer.cli.completion import complete_filter
from explorer.cli.options import cache_option, contract_option
from explorer.cli.render import (
    JsonSafeStream,
    TerminalStream,
    clean,
    cut,
    examples,
    fit_table,
    format_choice_option,
    json_safe,
    left_out_note,
    plural,
    table_width,
)
from explorer.config import cache_path
from explorer.core.evidence import ChainEvidence, chain_evidence, verdict_summary
from explorer.core.export import (
    FORMATS,
    Rows,
    dump_json,
    export_rows,
    query_rows,
    write_rows,
)
from explorer.core.filters import Filter, events_sql, parse_filter, value_suggestions
from explorer.core.manifest import Provenance, filter_selection, provenance
from explorer.core.timeline import Step, Timeline, build_timeline
from explorer.errors import ExplorerError, ExportError
from explorer.models.decode import Status
from explorer.store.cache import Cache
from explorer.times import format_duration

OUTPUT_FORMATS = ("table", *FORMATS)
TABLE_LIMIT = 100
MAX_CELL = 60
_EXTENSIONS = {
    ".csv": "csv",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".parquet": "parquet",
    ".pq": "parquet",
}
# Identifiers first and whole: a narrow terminal cuts the type and leaves out the rest.
_TABLE_COLUMNS = (
    "event_id, correlation_id, event_timestamp AS time, service, event_type AS type, "
    "event_outcome AS outcome, decode_status AS status"
)
_TABLE_KEEP = ("event_id", "time")
_TABLE_DROP = ("status", "outcome", "correlation_id", "service")

format_option = format_choice_option(
    OUTPUT_FORMATS,
    None,
    "Output format (default: table on a terminal, else ndjson; with -o, the extension).",
)
output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Write to FILE (written whole or not at all) instead of stdout.",
)

csv_exact_option = click.option(
    "--csv-exact",
    is_flag=True,
    help="CSV to a file keeps every value as it is (by default a text cell a spreadsheet "
    "would run as a formula, starting with = + - @ tab or CR, gets a leading ').",
)


class NotFoundError(ExplorerError):
    """What was asked for is not in the cache."""


@contextmanager
def open_cache(option: Path | None, contract: str | None = None) -> Iterator[Cache]:
    """The cache, read-only: these commands never change it. ``contract``, when given,
    must be the one the cache was decoded against."""
    with Cache.open(cache_path(option), read_only=True, contract=contract) as cache:
        yield cache


def choose_format(fmt: str | None, output: Path | None) -> str:
    """The output format: explicit, else from -o's extension, else by whether stdout is a tty."""
    if output is not None:
        fmt = fmt or _EXTENSIONS.get(output.suffix.lower())
        if fmt is None and output.name.lower() in OUTPUT_FORMATS:
            raise ExportError(
                f"-o names the output file; for {output.name} output use --format {output.name}"
            )
        if fmt is None:
            raise ExportError(f"cannot tell the format of {output}: pass --format")
        if fmt == "table":
            raise ExportError("table is for the terminal: use csv, json, ndjson or parquet with -o")
        return fmt
    fmt = fmt or ("table" if stdout_is_terminal() else "ndjson")
    if fmt == "parquet":
        raise ExportError("parquet output needs -o FILE")
    return fmt


def emit(
    rows: Rows,
    fmt: str,
    output: Path | None,
    *,
    facts: Provenance | None = None,
    csv_exact: bool = False,
) -> int:
    """Write ``rows`` to ``output`` (with its manifest when ``facts`` are given) or stdout;
    say where on stderr when it was a file."""
    if output is not None:
        result = export_rows(rows, output, fmt, facts=facts, csv_exact=csv_exact)
        click.echo(f"wrote {plural(result.rows, 'row')} to {clean(str(result.path))}", err=True)
        if result.manifest is not None:
            click.echo(f"and its manifest to {clean(str(result.manifest))}", err=True)
        return result.rows
    if fmt == "table":
        table = rows.reader.read_all()
        show_table(table, keep=[n for n in table.column_names if _is_identifier(n)])
        return int(table.num_rows)
    out = sys.stdout.buffer
    count = write_rows(rows, _stdout_stream(out, fmt), fmt)
    out.flush()
    return count


def _stdout_stream(out: IO[bytes], fmt: str) -> IO[bytes]:
    """JSON escapes what a terminal would act on (losslessly); CSV only when it is one."""
    if fmt != "csv":
        return cast(IO[bytes], JsonSafeStream(out))
    return cast(IO[bytes], TerminalStream(out)) if stdout_is_terminal() else out


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


@main.command(
    epilog=examples(
        "audit-explorer events 'service:gateway outcome:failure since:24h'",
        "audit-explorer events -o failures.parquet outcome:failure",
        "audit-explorer events --limit 20 -- -status:ok",
    )
)
@click.argument("expr", required=False, default="", shell_complete=complete_filter)
@cache_option
@click.option(
    "--limit", type=click.IntRange(min=0), default=None, metavar="N", help="At most N events."
)
@format_option
@output_option
@contract_option
@csv_exact_option
def events(
    expr: str,
    cache: Path | None,
    limit: int | None,
    fmt: str | None,
    output: Path | None,
    contract: str | None,
    csv_exact: bool,
) -> None:
    """Events from the cache matching EXPR, newest first.

    EXPR is the filter bar's language, e.g.
    'service:gateway,orchestrator -status:ok since:24h'. Keys: service, type, corr,
    outcome, status, issue, fits, category, action, severity, ns, cluster, actor,
    resource, id, source, since, until; bare words search the event type, correlation ID
    and payload. --contract checks that the cache was decoded against that contract.
    An EXPR that starts with '-' goes last, after '--': events --limit 5 -- '-status:ok'.
    The table shows the first 100 events unless --limit says otherwise; the other
    formats carry every matching event and all columns, with event_data and
    decode_issues nested in json, ndjson and parquet (JSON text in csv).
    With -o, FILE.manifest.json records its sha256, row count, EXPR, the contract and
    the sources (check it with `audit-explorer verify-export FILE`).
    """
    flt = parse_filter(expr)
    fmt = choose_format(fmt, output)
    with open_cache(cache, contract) as db:
        if fmt == "table":
            _events_table(db, flt, TABLE_LIMIT if limit is None else limit)
            return
        sql, params = events_sql(flt, limit=limit)
        facts = provenance(db.connection, filter_selection(expr, limit)) if output else None
        rows = query_rows(db.connection, sql, params)
        emit(rows, fmt, output, facts=facts, csv_exact=csv_exact)


def _events_table(db: Cache, flt: Filter, shown: int) -> None:
    sql, params = events_sql(flt, columns=_TABLE_COLUMNS, limit=shown + 1)
    table = query_rows(db.connection, sql, params).reader.read_all()
    more = table.num_rows > shown
    table = table.slice(0, shown)
    statuses = [_badge(s) for s in table.column("status").to_pylist()]
    table = table.set_column(table.schema.get_field_index("status"), "status", pa.array(statuses))
    show_table(table, keep=_TABLE_KEEP, drop=_TABLE_DROP)
    if more:
        click.echo(
            f"(first {plural(shown, 'event')}; use --limit N or a machine --format for more)",
            err=True,
        )
    elif table.num_rows == 0:
        click.echo("no events match", err=True)
        for hint in value_suggestions(db.connection, flt.expr):
            click.echo(clean(hint), err=True)


def _badge(status: str | None) -> str:
    """The status word, the filter language's and the explorer's (``discriminator_mismatch``)."""
    try:
        return Status(status or "").value
    except ValueError:
        return status or ""


def show_table(table: pa.Table, keep: Sequence[str] = (), drop: Sequence[str] = ()) -> None:
    """Print ``table`` to fit the terminal (``render_table``); say on stderr what it left out."""
    width = table_width()
    lines, left_out = render_table(table, width, keep=keep, drop=drop)
    for line in lines:
        click.echo(line)
    if note := left_out_note(left_out, width):
        click.echo(note, err=True)


def render_table(
    table: pa.Table, width: int | None = None, keep: Sequence[str] = (), drop: Sequence[str] = ()
) -> tuple[list[str], list[str]]:
    """Fixed-width lines of terminal-safe cells, and the columns left out.

    Identifier columns come first. Every cell is cut at MAX_CELL (a table is for reading;
    the machine formats carry every value whole); with a ``width`` (a terminal) long cells
    are cut further, identifiers excepted, so a row takes one line.
    """
    names = [clean(name) for name in table.column_names]
    order = [i for i, n in enumerate(names) if _is_identifier(n)]
    order += [i for i in range(len(names)) if i not in order]
    cells = [[_cell(row[i]) for i in order] for row in _tuples(table)]
    return fit_table([names[i] for i in order], cells, width, keep=keep, drop=drop)


def _tuples(table: pa.Table) -> list[tuple[Any, ...]]:
    return list(zip(*(column.to_pylist() for column in table.columns), strict=True))


def _is_identifier(name: str) -> bool:
    return name == "id" or name.endswith("_id")


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def _cell(value: Any, limit: int | None = MAX_CELL) -> str:
    if value is None:
        text = ""
    elif isinstance(value, datetime):
        text = format_time(value)
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, str):
        text = value
    elif isinstance(value, dict | list):
        text = dump_json(value).decode()
    else:
        text = str(value)
    text = clean(text)
    return text if limit is None else cut(text, limit)


def format_time(moment: datetime) -> str:
    """``2026-11-20 10:00:00.123Z`` (UTC), milliseconds only when there are some."""
    text = f"{moment.year:04d}" + moment.strftime("-%m-%d %H:%M:%S")  # %Y is "1" in year 1
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    offset = moment.utcoffset()
    return text + ("Z" if offset == timedelta(0) else moment.strftime("%z") if offset else "")


# -- timeline --------------------------------------------------------------------------------


@main.command(
    epilog=examples(
        "audit-explorer timeline rr-payment-api-01",
        "audit-explorer --cache team.duckdb timeline rr-payment-api-01",
        "audit-explorer timeline rr-payment-api-01 --format json | jq .chain_breaks",
    )
)
@click.argument("correlation_id")
@cache_option
@format_choice_option(("table", "json"), "table", "Output format (text is table).")
def timeline(correlation_id: str, cache: Path | None, fmt: str) -> None:
    """The incident timeline of CORRELATION_ID: every event in time order, checked.

    Shows the time since the start and since the previous step, failures, decode
    problems and hash-chain breaks (an event whose previous_event_hash is not the
    event_hash of the event before it).
    """
    with open_cache(cache) as db:
        result = build_timeline(db.connection, correlation_id)
        ids = [step.event_id for step in result.steps]
        server = chain_evidence(db.connection, correlation_id, ids)
    if not result.steps:
        raise NotFoundError(f"no events with correlation ID {clean(correlation_id)!r} in the cache")
    if fmt == "json":
        found = timeline_dict(result, server)
        sys.stdout.buffer.write(json_safe(dump_json(found)) + b"\n")
        return
    for line in render_timeline(result, server):
        click.echo(line)


def timeline_dict(result: Timeline, server: ChainEvidence | None = None) -> dict[str, Any]:
    server = server or ChainEvidence()
    return {
        "correlation_id": result.correlation_id,
        "started": result.started,
        "ended": result.ended,
        "duration_s": result.duration.total_seconds(),
        "events": len(result.steps),
        "services": list(result.services),
        "failures": result.failures,
        "decode_problems": result.decode_problems,
        "chain_breaks": result.chain_breaks,
        "server_verdict": verdict_summary(server),
        "steps": [_step_dict(step, server.verdicts.get(step.event_id)) for step in result.steps],
    }


def _step_dict(step: Step, verdict: bool | None) -> dict[str, Any]:
    return {
        "event_id": step.event_id,
        "timestamp": step.timestamp,
        "service": step.service,
        "event_type": step.event_type,
        "outcome": step.outcome,
        "decode_status": step.decode_status,
        "since_prev_s": step.since_prev.total_seconds() if step.since_prev is not None else None,
        "since_start_s": step.since_start.total_seconds(),
        "failed": step.failed,
        "chain_ok": step.chain_ok,
        "error": None if step.error is None else str(step.error),
        "server_chain_valid": verdict,  # None: no verification judged this event
        "issues": step.issue_count,
    }


def render_timeline(result: Timeline, server: ChainEvidence | None = None) -> list[str]:
    server = server or ChainEvidence()
    links = "links ok" if not result.chain_breaks else plural(result.chain_breaks, "chain break")
    head = (
        f"{_cell(result.correlation_id, 200)}: {plural(len(result.steps), 'event')} over "
        f"{format_duration(result.duration)}, {plural(result.failures, 'failure')}, "
        f"{plural(result.decode_problems, 'decode problem')}, hash chain: {links}, "
        f"server: {verdict_summary(server)}"
    )
    rows = [
        [
            format_time(step.timestamp),
            "+" + format_duration(step.since_start),
            "" if step.since_prev is None else "+" + format_duration(step.since_prev),
            _cell(step.service),
            _cell(step.event_type),
            _cell(step.outcome),
            _badge(step.decode_status),
            _marks(step, server.verdicts.get(step.event_id)),
            _cell(None if step.error is None else str(step.error), 80),
        ]
        for step in result.steps
    ]
    header = [
        "time",
        "since start",
        "since prev",
        "service",
        "type",
        "outcome",
        "status",
        "",
        "error",
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [head]
    if (found := result.first_failure) is not None:
        index, step = found
        why = "" if step.error is None else f": {_cell(str(step.error), 200)}"
        lines.append(f"first failure: step {index + 1}, {_cell(step.event_type)}{why}")
    return [*lines, "", _line(header, widths)] + [_line(row, widths) for row in rows]


def _marks(step: Step, verdict: bool | None) -> str:
    marks = []
    if verdict is False:
        marks.append("TAMPERED (server)")
    if step.failed:
        marks.append("FAILED")
    if step.decode_problem:
        marks.append(plural(step.issue_count, "issue"))
    if step.chain_ok is False:
        marks.append("CHAIN BREAK")
    return ", ".join(marks)
