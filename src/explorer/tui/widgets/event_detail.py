"""One event in detail: envelope fields, the payload through its typed model, decode issues.

Each issue is shown at the field it concerns (a missing field appears where it should
be); nested objects and arrays are tree nodes a person can collapse.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from explorer.core.browse import EventRecord
from explorer.core.stats import fits_sentence
from explorer.core.timeline import step_error
from explorer.models.decode import Issue
from explorer.store.reads import KeptVersion
from explorer.store.received import MISSING
from explorer.tui.styles import Palette, Role, follow_theme, palette
from explorer.tui.text import badge, clean, safe, timestamp

_HIDDEN = frozenset({"event_data", "decode_issues", "decode_status", "extra", "event_date"})
# (role, attributes) of each decode badge; any other status is "other"
BADGE_STYLES: dict[str, tuple[Role, str]] = {
    "ok": ("ok", ""),
    "drift": ("warn", ""),
    "invalid": ("bad", ""),
    "discriminator_mismatch": ("bad", "bold"),
}


class EventDetail(VerticalScroll):
    """The highlighted event; ``show(record)`` fills it, ``show(None)`` clears it."""

    DEFAULT_CSS = """
    EventDetail {
        height: 1fr;
        & > #detail-envelope { height: auto; padding: 0 1; }
        & > #detail-payload {
            height: auto; padding: 0 1; background: $surface; overflow-y: hidden;
        }
        & > #detail-issues { height: auto; padding: 0 1; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.record: EventRecord | None = None

    def compose(self) -> ComposeResult:
        # Decode issues first: they are what a person opens a broken event for.
        yield Static(id="detail-issues")
        yield Static(Text("No event highlighted.", style="dim"), id="detail-envelope")
        tree: Tree[None] = Tree(Text("event_data"), id="detail-payload")
        tree.display = False
        yield tree

    def on_mount(self) -> None:
        follow_theme(self, self._redraw)

    def _redraw(self) -> None:
        if self.record is not None:
            self.show(self.record)

    def show(self, record: EventRecord | None) -> None:
        self.record = record
        envelope = self.query_one("#detail-envelope", Static)
        tree: Tree[None] = self.query_one("#detail-payload", Tree)
        issues = self.query_one("#detail-issues", Static)
        if record is None:
            envelope.update(Text("No event highlighted.", style="dim"))
            tree.display = False
            issues.update("")
            return
        colors = palette(self.app)
        by_path = issues_by_path(record.decoded.issues)
        envelope.update(envelope_text(record, by_path, colors))
        fill_payload(tree, record, by_path, colors)
        tree.display = True
        issues.update(heading_text(record, colors))
        self.scroll_home(animate=False)


def issues_by_path(issues: Iterable[Issue]) -> dict[str, list[Issue]]:
    found: dict[str, list[Issue]] = {}
    for issue in issues:
        found.setdefault(issue.path, []).append(issue)
    return found


def heading_text(record: EventRecord, colors: Palette) -> Text:
    """The event type and its decode badge, then every decode issue (path, expected vs got)."""
    status = badge(record.row.get("decode_status"))
    out = Text(end="")
    out.append_text(safe(record.row.get("event_type") or "-", "bold"))
    out.append("  ")
    role, attributes = BADGE_STYLES.get(status, ("other", ""))
    out.append(f" {status} ", style=colors(role, f"reverse {attributes}"))
    out.append("\n")
    out.append_text(error_text(record, colors))
    if status != "ok":
        fits = record.row.get("decode_fits")
        ok = list(fits.get("ok") or []) if isinstance(fits, dict) else None
        drift = list(fits.get("drift") or []) if isinstance(fits, dict) else []
        words = fits_sentence(
            record.row.get("decode_status"),
            None if ok is None else ok + drift,
            record.contract,
            ok,
        )
        out.append(clean(words) + "\n", style="italic")
    out.append_text(issues_text(record.decoded.issues, colors))
    out.append_text(conflicts_text(record.conflicts, colors))
    out.rstrip()
    return out


def conflicts_text(versions: Iterable[KeptVersion], colors: Palette) -> Text:
    """Each version that arrived again with different content (kept aside, never applied):
    when and from where, then each differing path with the stored and received values."""
    out = Text(end="")
    for version in versions:
        out.append("≠ changed  ", style=colors("bad", "bold"))
        out.append(f"arrived again {timestamp(version.seen_at)} UTC", style="bold")
        out.append(f" from {clean(version.source or '?')}; the stored version stays\n")
        width = max((len(clean(d.path)) for d in version.differences), default=0)
        for difference in version.differences:
            out.append("  " + clean(difference.path).ljust(width + 2), style="bold")
            out.append("stored ", style="dim")
            out.append(_version_value(difference.stored))
            out.append("  received ", style="dim")
            out.append(_version_value(difference.received), style=colors("bad"))
            out.append("\n")
    return out


def _version_value(value: Any) -> str:
    if value is MISSING:
        return "(absent)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = clean(text)
    return text if len(text) <= 60 else text[:59] + "…"


def error_text(record: EventRecord, colors: Palette) -> Text:
    """``failure  LLM_TIMEOUT: LLM provider timeout after 120s`` (from event_data.error_...)
    when the event failed or carries an error; nothing otherwise."""
    row = record.row
    failed = str(row.get("event_outcome") or "").lower() == "failure"
    error = step_error(
        row.get("event_type"),
        record.raw.get("event_data") if isinstance(record.raw, dict) else None,
        row.get("error_code"),
        row.get("error_message"),
        failed=failed,
    )
    out = Text(end="")
    if error is None and not failed:
        return out
    out.append("failure  " if failed else "error  ", style=colors("bad", "bold"))
    out.append(clean(str(error)) if error else "(no error message)", style=colors("bad"))
    if error is not None and error.source != "error_message":
        out.append(f"  ({clean(error.source)})", style="dim")
    out.append("\n")
    return out


def envelope_text(record: EventRecord, by_path: dict[str, list[Issue]], colors: Palette) -> Text:
    """One ``name  value`` line per envelope field that has a value."""
    out = Text(end="")
    fields = {k: v for k, v in record.row.items() if k not in _HIDDEN and v is not None}
    extra = record.row.get("extra")
    if isinstance(extra, dict):
        fields.update({f"{k} (extra)": v for k, v in extra.items()})
    width = max((len(clean(k)) for k in fields), default=0)
    for name, value in fields.items():
        shown = timestamp(value) + " UTC" if isinstance(value, datetime) else clean(value)
        out.append(clean(name).ljust(width + 2), style="dim")
        out.append(shown)
        for issue in by_path.get(name, ()):
            out.append(f"  ✗ {issue.kind}: {clean(issue.message)}", style=colors("bad"))
        out.append("\n")
    return out


def issues_text(issues: Iterable[Issue], colors: Palette) -> Text:
    out = Text(end="")
    for issue in issues:
        out.append(f"✗ {issue.kind:<17}", style=colors("bad"))
        out.append(clean(issue.path or "(event)"), style="bold")
        out.append(f"  {clean(issue.message)}\n")
    return out


def fill_payload(
    tree: Tree[None], record: EventRecord, by_path: dict[str, list[Issue]], colors: Palette
) -> None:
    """The payload as a tree: typed when it decoded, the raw JSON shape otherwise."""
    tree.clear()
    payload = record.decoded.payload
    model_name = type(payload).__name__ if payload is not None else "not decoded"
    tree.root.set_label(Text.assemble(("event_data", "bold"), (f"  {model_name}", "dim")))
    builder = _PayloadBuilder(tree, colors)
    if payload is not None:
        builder.add_model(tree.root, payload, "event_data")
    else:
        builder.add_children(tree.root, record.raw.get("event_data"), "event_data")
    builder.attach_issues(by_path)
    tree.root.expand_all()


class _PayloadBuilder:
    """Adds the payload's nodes, remembering each path's node so issues attach to it."""

    def __init__(self, tree: Tree[None], colors: Palette) -> None:
        self.colors = colors
        self.nodes: dict[str, TreeNode[None]] = {"event_data": tree.root}

    def add_model(self, node: TreeNode[None], model: BaseModel, path: str) -> None:
        present = model.model_fields_set
        for name, info in type(model).model_fields.items():
            if name not in present:
                continue
            alias = info.alias or name
            self.add_value(node, alias, getattr(model, name), f"{path}.{alias}")
        for key, value in (model.model_extra or {}).items():
            self.add_value(node, key, value, f"{path}.{key}")

    def add_value(self, node: TreeNode[None], name: str, value: Any, path: str) -> None:
        label = Text(clean(name), style="bold", end="")
        if isinstance(value, BaseModel | dict | list):
            kind = type(value).__name__ if isinstance(value, BaseModel) else _json_kind(value)
            label.append(f"  {kind}", style="dim")
            child = node.add(label)
            self.nodes[path] = child
            if isinstance(value, BaseModel):
                self.add_model(child, value, path)
            else:
                self.add_children(child, value, path)
            return
        label.append(": ")
        label.append_text(self.scalar(value))
        self.nodes[path] = node.add_leaf(label)

    def add_children(self, node: TreeNode[None], value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self.add_value(node, str(key), item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.add_value(node, f"[{index}]", item, f"{path}[{index}]")
        else:
            node.add_leaf(self.scalar(value))

    def scalar(self, value: Any) -> Text:
        """A typed value: strings quoted, then its type in dim."""
        if isinstance(value, Enum):
            value = value.value
        if value is None:
            return Text("null", style="italic dim", end="")
        number, string = self.colors("info"), self.colors("ok")
        if isinstance(value, bool):
            return Text.assemble((str(value).lower(), number), ("  boolean", "dim"))
        if isinstance(value, int | float):
            return Text.assemble((str(value), number), (f"  {_json_kind(value)}", "dim"))
        if isinstance(value, datetime | date):
            kind = type(value).__name__
            return Text.assemble((value.isoformat(), string), (f"  {kind}", "dim"))
        if isinstance(value, str):
            return Text.assemble((f'"{clean(value)}"', string), ("  string", "dim"))
        return Text.assemble((clean(value), string), (f"  {type(value).__name__}", "dim"))

    def attach_issues(self, by_path: dict[str, list[Issue]]) -> None:
        """Mark each issue on its field's node; a missing field gets a node where it belongs."""
        nodes, bad = self.nodes, self.colors("bad")
        for path, issues in by_path.items():
            if not path.startswith("event_data"):
                continue
            for issue in issues:
                note = Text(f"  ✗ {issue.kind}: {clean(issue.message)}", style=bad, end="")
                node = nodes.get(path)
                if node is not None and node is not nodes["event_data"]:
                    label = node.label.copy() if isinstance(node.label, Text) else Text(node.label)
                    label.append_text(note)
                    node.set_label(label)
                    continue
                parent = nodes.get(_parent(path), nodes["event_data"])
                name = path.rsplit(".", 1)[-1] if path != "event_data" else "(payload)"
                parent.add_leaf(Text.assemble((clean(name), self.colors("bad", "bold")), note))


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return f"object ({len(value)})"
    if isinstance(value, list):
        return f"array ({len(value)})"
    return type(value).__name__


def _parent(path: str) -> str:
    cut = max(path.rfind("."), path.rfind("["))
    return path[:cut] if cut > 0 else "event_data"
