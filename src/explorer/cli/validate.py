"""``audit-explorer validate``: check events against the contract, without a cache."""

from __future__ import annotations

import sys
import textwrap
from typing import IO, Any

import click
import orjson

from explorer.cli import main
from explorer.cli.options import contract_option
from explorer.cli.render import clean, examples, format_choice_option, json_safe, plural
from explorer.client.files import EventReader
from explorer.core.validate import Checked, Summary, validate_records
from explorer.models.decode import Status
from explorer.models.registry import DEFAULT_CONTRACT, load_contract

WIDTH = 80


def _entry(checked: Checked) -> dict[str, Any]:
    decoded = checked.decoded
    entry: dict[str, Any] = {
        "event_id": decoded.event_id,
        "event_type": decoded.event_type,
        "service": decoded.service,
        "status": str(decoded.status),
        "issues": decoded.issues_as_dicts(),
    }
    if decoded.status is not Status.OK:
        entry["fits"] = list(decoded.fits or ())
        entry["go_rejects"] = checked.go_rejects
    return entry


@main.command(
    epilog=examples(
        "audit-explorer validate events.ndjson",
        'curl -s "$DS/api/v1/audit/events?limit=100" | audit-explorer validate --format ndjson',
        "audit-explorer validate --strict --contract v1.5.7 export.json",
    )
)
@click.argument("file", default="-", required=False)
@format_choice_option(
    ("table", "json", "ndjson"),
    "table",
    "Report format: a summary (table, or its alias text), or one entry per event.",
)
@click.option("--strict", is_flag=True, help="Drift (undeclared fields) fails too.")
@contract_option
def validate(file: str, fmt: str, strict: bool, contract: str | None) -> None:
    """Check audit events in FILE (or stdin) against the DataStorage contract.

    FILE may be NDJSON, a JSON array of events, a query page or an export. Events that
    do not fit also say which shipped contracts they fit ("fits") and whether a Go
    client generated from the contract would refuse them ("go_rejects"). For a query
    page, whether such a client would reject the whole page: in the summary, or on
    stderr with --format json/ndjson.
    Exit status: 0 all events fit, 1 some do not, 2 the input cannot be read.
    """
    models = load_contract(contract or DEFAULT_CONTRACT)
    summary = Summary(contract=models.name)
    out = sys.stdout.buffer
    reader = EventReader(file)
    results = validate_records(reader, summary, models)
    if fmt == "ndjson":
        for checked in results:
            out.write(json_safe(orjson.dumps(_entry(checked))) + b"\n")
    elif fmt == "json":
        _write_json_array(out, (_entry(c) for c in results))
    else:
        for _ in results:
            pass
        click.echo(render_summary(summary, page=reader.shape == "page"))
    out.flush()
    if fmt != "table" and reader.shape == "page":
        click.echo(page_verdict(summary), err=True)
    sys.exit(1 if summary.failed(strict=strict) else 0)


def page_verdict(summary: Summary) -> str:
    """Whether a Go client generated from the contract rejects a query page as a whole:
    it decodes the page in one piece, so one event it refuses fails every event."""
    if not summary.go_rejected:
        return (
            f"A generated Go client would accept this page: it refuses none of its "
            f"{summary.total:,} events."
        )
    where = ", ".join(clean(at) for at in summary.go_rejected_at)
    more = summary.go_rejected - len(summary.go_rejected_at)
    return (
        f"A generated Go client would reject this page: {summary.go_rejected:,} of "
        f"{summary.total:,} events are refused ({where}{f', {more:,} more' if more else ''})."
    )


def _write_json_array(out: IO[bytes], entries: Any) -> None:
    out.write(b"[")
    for index, entry in enumerate(entries):
        out.write((b",\n" if index else b"\n") + json_safe(orjson.dumps(entry)))
    out.write(b"\n]\n")


def render_summary(summary: Summary, examples: int = 10, *, page: bool = False) -> str:
    """Plain text, 80 columns: counts (and for a query ``page`` whether a generated Go
    client accepts it), then the first issues in detail."""
    lines = [f"{plural(summary.total, 'event')}, against contract {summary.contract}"]
    for status in Status:
        if summary.by_status[status]:
            lines.append(f"  {status:<24} {summary.by_status[status]:>10,}")
    if page:
        lines += ["", *textwrap.wrap(page_verdict(summary), WIDTH)]
    if summary.by_fits:
        lines += ["", "Not ok, by the shipped contracts they fit (are ok or drift under):"]
        for fits, count in summary.by_fits.most_common():
            where = ", ".join(fits) if fits else "none (a producer bug, not version skew)"
            lines.append(f"  {count:>10,}  {where}")
    if summary.by_service:
        lines += ["", "By service:"]
        services = sorted({svc for svc, _ in summary.by_service})
        for svc in services:
            parts = [
                f"{summary.by_service[(svc, s)]:,} {s.value}"
                for s in Status
                if summary.by_service[(svc, s)]
            ]
            lines.append(f"  {clean(svc)[:24]:<24} " + ", ".join(parts))
    if summary.by_type_issue:
        lines += ["", "Issues by event type:"]
        for (event_type, kind), count in summary.by_type_issue.most_common(20):
            lines.append(f"  {clean(event_type)[:44]:<44} {kind:<18} {count:>8,}")
    if summary.examples:
        lines += ["", "First issues:"]
        for locator, decoded in summary.examples[:examples]:
            who = clean(decoded.event_id or "-")
            lines.append(f"  {locator}  {who}  [{decoded.status}]"[:WIDTH])
            for issue in decoded.issues[:5]:
                text = f"{issue.kind}: {clean(issue.path) or '(event)'}: {clean(issue.message)}"
                lines += textwrap.wrap(
                    text, WIDTH, initial_indent="    ", subsequent_indent="      "
                )
            if len(decoded.issues) > 5:
                lines.append(f"    ... {len(decoded.issues) - 5} more")
    return "\n".join(lines)
