"""``audit-explorer contracts``: the shipped contract versions, and what changed between two."""

from __future__ import annotations

import sys
import textwrap
from typing import Any

import click
import orjson

from explorer.cli import main
from explorer.cli.render import clean, examples, format_choice_option, json_safe
from explorer.core.contracts import (
    ENVELOPE,
    Change,
    ContractDiff,
    EventTypeChange,
    SchemaDiff,
    diff_contracts,
)
from explorer.models.registry import CONTRACTS, DEFAULT_CONTRACT, ContractInfo, load_contract

WIDTH = 100
PATH_WIDTH = 40

format_option = format_choice_option(("table", "json"), "table", "Output format (text is table).")


@main.group(
    invoke_without_command=True,
    epilog=examples(
        "audit-explorer contracts",
        "audit-explorer contracts diff v1.5.6 v1.5.7",
        "audit-explorer contracts --format json",
    ),
)
@format_option
@click.pass_context
def contracts(ctx: click.Context, fmt: str) -> None:
    """List the contract versions the tool ships (* marks the default).

    `audit-explorer contracts diff A B` shows what changed from A to B.
    """
    if ctx.invoked_subcommand is not None:
        return
    if fmt == "json":
        _write_json(
            {"default": DEFAULT_CONTRACT, "contracts": [_info_dict(i) for i in CONTRACTS.values()]}
        )
        return
    for line in render_catalog(list(CONTRACTS.values())):
        click.echo(line)


def _info_dict(info: ContractInfo) -> dict[str, Any]:
    return {
        "name": info.name,
        "upstream": info.upstream,
        "date": info.date,
        "event_types": info.event_types,
        "payload_schemas": info.payload_schemas,
        "default": info.name == DEFAULT_CONTRACT,
    }


def render_catalog(infos: list[ContractInfo]) -> list[str]:
    """One row per contract, oldest first; the default's name carries a ``*``."""
    heads = ("NAME", "UPSTREAM", "DATE", "EVENT TYPES", "PAYLOAD SCHEMAS")
    rows = [
        (
            clean(i.name) + (" *" if i.name == DEFAULT_CONTRACT else ""),
            clean(i.upstream),
            clean(i.date),
            f"{i.event_types:,}",
            f"{i.payload_schemas:,}",
        )
        for i in infos
    ]
    widths = [max(len(r[c]) for r in [heads, *rows]) for c in range(len(heads))]
    lines = []
    for row in [heads, *rows]:
        cells = [row[c].ljust(widths[c]) for c in range(3)]
        cells += [row[c].rjust(widths[c]) for c in range(3, 5)]
        lines.append("  ".join(cells).rstrip())
    return [*lines, "", f"* the default contract ({clean(DEFAULT_CONTRACT)})"]


@contracts.command()
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@format_option
def diff(a: str, b: str, fmt: str) -> None:
    """What changed from contract A to contract B.

    Event types added, removed or mapped to another schema; per schema (the envelope,
    each payload schema, each model several payloads share): properties added or
    removed, and changes of required-ness, nullability, type, enum values, constraints
    and the additional-properties rule. Nested properties are shown by path.
    """
    result = diff_contracts(load_contract(a), load_contract(b))
    if fmt == "json":
        _write_json(result.as_dict())
        return
    for line in render_diff(result):
        click.echo(line)


def _write_json(data: dict[str, Any]) -> None:
    sys.stdout.buffer.write(json_safe(orjson.dumps(data, option=orjson.OPT_INDENT_2)) + b"\n")
    sys.stdout.buffer.flush()


# -- the diff as text -----------------------------------------------------------------------

_SIGNS = {"added": "+", "removed": "-", "remapped": "~"}


def render_diff(result: ContractDiff) -> list[str]:
    """Plain text for a person: the two versions, event types, schemas, then each schema."""
    lines = [f"Contract {clean(result.before)} -> {clean(result.after)}"]
    for name in (result.before, result.after):
        info = CONTRACTS[name]
        about = (
            f"{clean(name)}: {clean(info.upstream)}, {clean(info.date)}, "
            f"{info.event_types:,} event types, {info.payload_schemas:,} payload schemas"
        )
        lines += textwrap.wrap(about, WIDTH, initial_indent="  ", subsequent_indent="    ")
    if result.is_empty:
        return [*lines, "", "No differences."]
    lines += ["", _counts("Event types", result, ("added", "removed", "remapped"))]
    lines += _rows([_event_type_row(change) for change in result.event_types])
    lines += ["", _schema_counts(result)]
    lines += _rows(
        [("+", s.schema, _used_by(s.used_by)) for s in result.schemas_added]
        + [("-", s.schema, _used_by(s.used_by)) for s in result.schemas_removed]
    )
    for changed in result.schemas_changed:
        lines += ["", *_schema_block(changed)]
    return lines


def _event_type_row(change: EventTypeChange) -> tuple[str, str, str]:
    if change.kind == "remapped":
        return "~", change.event_type, f"{change.before} -> {change.after}"
    return _SIGNS[change.kind], change.event_type, str(change.after or change.before)


def _counts(title: str, result: ContractDiff, kinds: tuple[str, ...]) -> str:
    parts = [f"{len(result.event_types_of(kind))} {kind}" for kind in kinds]
    return f"{title}: " + ", ".join(parts)


def _schema_counts(result: ContractDiff) -> str:
    return (
        f"Schemas: {len(result.schemas_added)} added, {len(result.schemas_removed)} removed, "
        f"{len(result.schemas_changed)} changed"
    )


def _schema_block(schema: SchemaDiff) -> list[str]:
    head = clean(schema.schema) + (" (envelope)" if schema.schema == ENVELOPE else "")
    lines = [head]
    if schema.used_by:
        lines += textwrap.wrap(
            _used_by(schema.used_by), WIDTH, initial_indent="  used by ", subsequent_indent="    "
        )
    rows = [(_SIGNS.get(c.kind, "~"), c.path or "(object)", describe(c)) for c in schema.changes]
    return lines + _rows(rows)


def _used_by(users: tuple[str, ...]) -> str:
    return ", ".join(users)


def _rows(rows: list[tuple[str, str, str]]) -> list[str]:
    """``  + name  detail`` aligned; a long name or detail goes on lines of its own."""
    width = min(max((len(clean(name)) for _, name, _ in rows), default=0), PATH_WIDTH)
    indent = " " * (width + 6)
    lines = []
    for sign, name, detail in rows:
        text = clean(detail)
        head, rest = f"  {sign} {clean(name):<{width}}  ", indent
        if len(head) > len(indent) or max(map(len, text.split()), default=0) > WIDTH - len(indent):
            lines.append(head.rstrip())
            head = rest = " " * 6
        lines += textwrap.wrap(
            text,
            WIDTH,
            initial_indent=head,
            subsequent_indent=rest,
            break_on_hyphens=False,
            break_long_words=False,
        ) or [head.rstrip()]
    return lines


def describe(change: Change) -> str:
    """One change in words: ``required: no -> yes``, ``enum: +a -b``, ``max_length: 50 -> 100``."""
    before, after = change.before, change.after
    if change.kind == "added":
        return str(after)
    if change.kind == "removed":
        return str(before)
    if change.kind in ("required", "nullable"):
        return f"{change.kind}: {_yes(before)} -> {_yes(after)}"
    if change.kind == "enum":
        values = [f"+{v}" for v in after or ()] + [f"-{v}" for v in before or ()]  # type: ignore[union-attr]
        return "enum: " + " ".join(values)
    if change.kind == "type":
        return f"type: {before} -> {after}"
    if change.kind == "constraint":
        return f"{change.constraint}: {_value(before)} -> {_value(after)}"
    if change.kind == "additional_properties":
        return f"additional properties: {_extra(before)} -> {_extra(after)}"
    return f"{change.kind}: {_value(before)} -> {_value(after)}"


def _yes(value: object) -> str:
    return "yes" if value else "no"


def _value(value: object) -> str:
    return "none" if value is None else repr(value) if isinstance(value, str) else str(value)


_EXTRA = {"allow": "allowed", "forbid": "forbidden", "ignore": "ignored"}


def _extra(value: object) -> str:
    return _EXTRA.get(str(value), str(value))
