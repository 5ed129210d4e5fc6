"""Mismatches: non-ok events as a tree of service, event type, and issue kind at a path.

Each level has its total (events, each once) and the largest comes first. Enter on any
level shows its events. The verdict comes from the contracts an event fits: version skew
(it fits another shipped contract) is told apart from a producer bug (it fits none) and
from drift; the summary counts each, each group says its own.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static, Tree
from textual.widgets.tree import TreeNode

from explorer.core.filters import Filter, quote_value
from explorer.core.stats import (
    MismatchRow,
    ServiceMismatches,
    TypeMismatches,
    Verdict,
    mismatch_summary,
    mismatch_tree,
    mismatch_type_counts,
    verdict_totals,
)
from explorer.models.registry import CONTRACT_NAMES
from explorer.tui.actions import bindings
from explorer.tui.screens.base import ExplorerScreenMixin
from explorer.tui.styles import Palette, Role, follow_theme, palette
from explorer.tui.text import badge, clean, plural
from explorer.tui.widgets.footer import ExplorerFooter

# (role, attributes) of each verdict's words
VERDICT_STYLES: dict[Verdict, tuple[Role, str]] = {
    "no contract": ("bad", "bold"),
    "version skew": ("info", "bold"),
    "drift": ("warn", ""),
}
VERDICT_WORDS: dict[Verdict, str] = {
    "no contract": "fits no contract",
    "version skew": "version skew",
    "drift": "drift",
}
# The events of a whole verdict, in the filter language.
_VERDICT_FILTERS: dict[Verdict, str] = {
    "no contract": "-status:ok fits:none",
    "version skew": "-status:ok,drift -fits:none",
    "drift": "status:drift",
}
EXPANDED = 1  # the largest service (and its largest type) open at first; the rest closed


def verdict_style(verdict: Verdict, colors: Palette) -> Style:
    role, attributes = VERDICT_STYLES.get(verdict, ("other", ""))
    return colors(role, attributes)


class MismatchesLoaded(Message):
    def __init__(
        self,
        tree: list[ServiceMismatches],
        totals: dict[Verdict, int],
        contract: str,
    ) -> None:
        super().__init__()
        self.tree = tree
        self.totals = totals
        self.contract = contract


# What a node stands for: a service, an event type, or an issue group.
Node = ServiceMismatches | TypeMismatches | MismatchRow


def verdict_expression(verdict: Verdict, base: str = "") -> str:
    """The filter that shows every event of one verdict."""
    return " ".join(part for part in (base.strip(), _VERDICT_FILTERS[verdict]) if part)


def drill_expression(row: MismatchRow, base: str = "") -> str:
    """The filter that shows the events behind one mismatch row."""
    terms = [base.strip()] if base.strip() else []
    if row.service != "-":
        terms.append(f"service:{quote_value(row.service)}")
    if row.event_type != "-":
        terms.append(f"type:{quote_value(row.event_type)}")
    terms.append(f"status:{badge(row.status)}")
    if row.issue_kind != "-":
        terms.append(f"issue:{quote_value(row.issue_kind)}")
    terms += [f"fits:{quote_value(name)}" for name in row.fits] or ["fits:none"]
    return " ".join(terms)


def node_expression(node: Node, service: str, base: str = "") -> str:
    """The filter behind any level: a service's or a type's non-ok events, or a group's."""
    if isinstance(node, MismatchRow):
        return drill_expression(node, base)
    terms = [base.strip()] if base.strip() else []
    if service != "-":
        terms.append(f"service:{quote_value(service)}")
    if isinstance(node, TypeMismatches) and node.event_type != "-":
        terms.append(f"type:{quote_value(node.event_type)}")
    terms.append("-status:ok")
    return " ".join(terms)


class MismatchesScreen(ExplorerScreenMixin, Screen[str | None]):
    """The tree an SRE reads first when a producer breaks; Enter shows those events."""

    BINDINGS = bindings("mismatches")

    def __init__(self, flt: Filter) -> None:
        super().__init__()
        self.filter = flt
        self.loaded: MismatchesLoaded | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Static(Text("Counting non-ok events…"), classes="view-summary", id="mismatch-summary")
        tree: Tree[tuple[Node, str]] = Tree(
            Text("non-ok events"), classes="view-table", id="mismatch-tree"
        )
        tree.border_title = "Mismatches"
        tree.show_root = False
        tree.auto_expand = False  # Enter shows the events; Space opens and closes
        yield tree
        yield ExplorerFooter()

    def on_mount(self) -> None:
        self.query_one(Tree).focus()
        follow_theme(self, self._show)
        self._load(self.filter)

    @work(
        thread=True,
        exclusive=True,
        group="mismatches",
        exit_on_error=False,
        description="Counting mismatches",
    )
    def _load(self, flt: Filter) -> None:
        cache = self.explorer.cache
        if cache is None:
            self.post_message(MismatchesLoaded([], {}, ""))
            return
        cur = self.explorer.cursor()
        rows = mismatch_summary(cur, flt.where, flt.params)
        tree = mismatch_tree(rows, mismatch_type_counts(cur, flt.where, flt.params))
        totals = verdict_totals(cur, flt.where, flt.params)
        self.post_message(MismatchesLoaded(tree, totals, cache.contract))

    def on_mismatches_loaded(self, message: MismatchesLoaded) -> None:
        self.loaded = message
        self._show()

    def _show(self) -> None:
        """Fill the tree and the summary (again, in the colours of a new theme)."""
        if (message := self.loaded) is None:
            return
        colors = palette(self.app)
        tree: Tree[tuple[Node, str]] = self.query_one(Tree)
        line = tree.cursor_line
        opened = {n.data[0] for n in _nodes(tree.root) if n.is_expanded and n.data}
        tree.clear()
        for index, service in enumerate(message.tree):
            node = tree.root.add(service_label(service, colors), data=(service, service.service))
            for kind in service.types:
                child = node.add(type_label(kind, colors), data=(kind, service.service))
                for group in kind.groups:
                    child.add_leaf(
                        group_label(group, message.contract, colors), data=(group, service.service)
                    )
                if kind in opened or (not opened and index < EXPANDED and kind is service.types[0]):
                    child.expand()
            if service in opened or (not opened and index < EXPANDED):
                node.expand()
        tree.root.expand()
        tree.cursor_line = max(line, 0)
        summary = Text(end="")
        if not message.tree:
            summary.append("No mismatches: every event decodes ok.", style=colors("ok"))
        else:
            summary.append_text(totals_text(message.totals, colors))
            summary.append(f"   against {message.contract}", style="dim")
            summary.append("   Space opens, Enter shows the events", style="dim")
        if self.filter.expr.strip():
            summary.append("   filter: ", style="dim")
            summary.append(clean(self.filter.expr))
        self.query_one("#mismatch-summary", Static).update(summary)

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[tuple[Node, str]]) -> None:
        event.stop()
        self.action_drill()

    def action_drill(self) -> None:
        node = self.query_one(Tree).cursor_node
        if node is None or node.data is None:
            return
        found, service = node.data
        self.dismiss(node_expression(found, service, self.filter.expr))

    def action_back(self) -> None:
        self.dismiss(None)


def _nodes(node: TreeNode[tuple[Node, str]]) -> list[TreeNode[tuple[Node, str]]]:
    found = []
    for child in node.children:
        found.append(child)
        found += _nodes(child)
    return found


def _count(events: int) -> Text:
    return Text(f"{events:>7,}  ", style="bold", end="")


def service_label(service: ServiceMismatches, colors: Palette) -> Text:
    out = _count(service.events)
    out.append(clean(service.service), style="bold")
    out.append(f"  {plural(len(service.types), 'event type')}", style="dim")
    return out


def type_label(kind: TypeMismatches, colors: Palette) -> Text:
    out = _count(kind.events)
    out.append(clean(kind.event_type))
    out.append(f"  {plural(len(kind.groups), 'issue group')}", style="dim")
    return out


def group_label(row: MismatchRow, contract: str, colors: Palette) -> Text:
    """``12  missing at event_data.rr_name  invalid  fits no contract (none)``."""
    out = _count(row.events)
    status = badge(row.status)
    out.append(clean(row.issue_kind), style=colors("bad"))
    if row.path != "-":
        out.append(" at ", style="dim")
        out.append(clean(row.path))
    out.append("  ")
    out.append(status, style=colors("warn" if status == "drift" else "bad"))
    verdict = row.verdict(contract)
    if verdict not in ("ok", status):
        out.append("  ")
        out.append(VERDICT_WORDS[verdict], style=verdict_style(verdict, colors))
    out.append(f"  ({clean(fits_cell(row))})", style="dim")
    return out


def totals_text(totals: dict[Verdict, int], colors: Palette) -> Text:
    """``fits no contract 4 · fits another contract 312 · drift 28`` (events, each once)."""
    out = Text(end="")
    words = {"no contract": "fits no contract", "version skew": "fits another contract"}
    for index, (verdict, count) in enumerate(totals.items()):
        if index:
            out.append(" · ", style="dim")
        out.append(f"{words.get(verdict, verdict)} ", style=verdict_style(verdict, colors))
        out.append(f"{count:,}", style="bold")
    return out


def fits_cell(row: MismatchRow) -> str:
    """``ok under v1.5.7`` where another version takes the events as they are, else the
    contracts they fit (``none``), oldest first."""
    order = {name: index for index, name in enumerate(CONTRACT_NAMES)}

    def names(found: tuple[str, ...]) -> str:
        return ", ".join(sorted(found, key=lambda name: order.get(name, len(order))))

    if row.fits_ok:
        return "ok under " + names(row.fits_ok)
    return names(row.fits) or "none"
