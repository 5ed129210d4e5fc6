"""Every action of the explorer, in one registry.

The screens' and widgets' ``BINDINGS`` (and so the footer), the command palette and the
help screen are all made from ``ACTIONS``: a new action is one entry here and its
``action_*`` handler. Each binding carries the entry's ``id``, which a keymap can rebind.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from textual.binding import Binding, BindingType
from textual.keys import Keys

from explorer.config import ConfigError

# Whose BINDINGS carry an action: the app, a screen or a widget.
Scope = Literal[
    "app",
    "events",
    "events-table",
    "filter-bar",
    "timeline",
    "mismatches",
    "stats",
    "raw",
    "event",
    "results",
    "export",
    "help",
    "params",
    "copy",
    "reconstruction",
]

EVENTS = "Events"
VIEWS = "Timeline, mismatches, stats, query results"
EVERYWHERE = "Everywhere"


@dataclass(frozen=True)
class Action:
    """One thing a person can do, and everywhere it is offered."""

    id: str
    """Unique; the id of its bindings, which a keymap can rebind."""
    keys: str
    """Textual key names, comma-separated (``"escape,q"``); empty for the palette only."""
    action: str
    """What a key or the palette runs: ``"timeline"`` on the scope, ``"app.help"``."""
    label: str
    """The footer's word for it (the binding's description)."""
    description: str
    """The help screen's line, and the palette's help."""
    scopes: tuple[Scope, ...] = ()
    """Whose BINDINGS carry the keys; none when something else binds them (Textual)."""
    footer: bool = True
    """Shown in the footer."""
    title: str = ""
    """The command palette's entry; empty keeps it out of the palette."""
    section: str = ""
    """The help screen's section; empty keeps it off the help screen."""
    key_display: str = ""
    """How the help screen spells the keys, when their names do not say it."""
    priority: bool = False
    """Checked before the focused widget sees the key (so a burst typed after it follows)."""

    def key_labels(self, keys: str | None = None) -> tuple[str, ...]:
        """The keys as the help screen and the palette show them (``Esc``, ``/``); ``keys``
        are the keymap's, when it rebinds this action."""
        if self.key_display and keys is None:
            return (self.key_display,)
        return tuple(key_label(key) for key in (keys or self.keys).split(",") if key)

    def palette_help(self) -> str:
        """``Every event of the highlighted event's correlation ID (t)``."""
        text = self.description[:1].upper() + self.description[1:]
        labels = self.key_labels()
        return f"{text} ({labels[0]})" if labels else text


_KEY_LABELS = {
    "up": "↑",
    "down": "↓",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "enter": "Enter",
    "escape": "Esc",
    "slash": "/",
    "question_mark": "?",
    "tab": "Tab",
}


def key_label(key: str) -> str:
    """``Esc`` for ``escape``, ``shift+Tab`` for ``shift+tab``; other names as they are."""
    *modifiers, name = key.strip().split("+")
    return "+".join([*modifiers, _KEY_LABELS.get(name, name)])


def _table(id: str, keys: str, action: str, label: str, description: str) -> Action:
    return Action(
        f"table.{id}",
        keys,
        action,
        label,
        description,
        ("events-table",),
        footer=False,
        section=EVENTS,
    )


# In the order the help screen lists them (sections in order of first appearance).
ACTIONS: tuple[Action, ...] = (
    # -- the events screen and its table ----------------------------------------------------
    _table("up", "up,k", "cursor(-1)", "Up", "move the cursor"),
    _table("down", "down,j", "cursor(1)", "Down", "move the cursor"),
    _table("page_up", "pageup", "page(-1)", "Page up", "move the cursor"),
    _table("page_down", "pagedown", "page(1)", "Page down", "move the cursor"),
    _table("first", "home,g", "jump(0)", "First", "newest / oldest event"),
    _table("last", "end,G", "jump(-1)", "Last", "newest / oldest event"),
    _table("select", "enter", "select", "Open", "move into the detail pane"),
    Action(
        "events.filter",
        "slash",
        "filter",
        "Filter",
        "filter (Enter applies, Esc leaves, Tab or → completes)",
        ("events",),
        title="Filter events",
        section=EVENTS,
        priority=True,
    ),
    Action(
        "events.clear_filter",
        "",
        "clear_filter",
        "Clear the filter",
        "show every event again",
        title="Clear the filter",
    ),
    Action(
        "events.timeline",
        "t",
        "timeline",
        "Timeline",
        "incident timeline of the highlighted event's correlation ID",
        ("events",),
        title="Incident timeline",
        section=EVENTS,
    ),
    Action(
        "events.mismatches",
        "m",
        "mismatches",
        "Mismatches",
        "mismatches: non-ok events by verdict, service, type, status, issue kind",
        ("events",),
        title="Mismatches",
        section=EVENTS,
    ),
    Action(
        "events.stats",
        "S",
        "stats",
        "Stats",
        "stats: events over time, per service and outcome",
        ("events",),
        title="Stats",
        section=EVENTS,
    ),
    Action(
        "events.export",
        "e",
        "export",
        "Export",
        "export the current view (CSV, JSON, NDJSON, Parquet)",
        ("events",),
        title="Export current view",
        section=EVENTS,
    ),
    Action(
        "events.raw",
        "r",
        "raw",
        "Raw JSON",
        "raw JSON of the highlighted event",
        ("events",),
        title="Raw JSON",
        section=EVENTS,
    ),
    Action(
        "events.copy",
        "y",
        "copy",
        "Copy",
        "copy the highlighted event: JSON, event_id or correlation_id (clipboard, OSC 52)",
        ("events",),
        title="Copy event",
        section=EVENTS,
    ),
    Action(
        "events.pager",
        "o",
        "pager",
        "Pager",
        "open the event's JSON in $PAGER (less -R)",
        ("events",),
        footer=False,
        title="Open in pager",
        section=EVENTS,
    ),
    Action(
        "events.editor",
        "E",
        "editor",
        "Editor",
        "open the event's JSON in $EDITOR (a private temporary copy)",
        ("events",),
        footer=False,
        title="Open in editor",
        section=EVENTS,
    ),
    Action(
        "events.toggle_detail",
        "d",
        "toggle_detail",
        "Detail",
        "show or hide the detail pane",
        ("events",),
        footer=False,
        title="Toggle detail",
        section=EVENTS,
    ),
    Action(
        "events.sync",
        "s",
        "sync",
        "Sync",
        "sync from DataStorage (the cache's last source, or the configured one)",
        ("events",),
        title="Sync",
        section=EVENTS,
    ),
    Action(
        "events.follow",
        "f",
        "follow",
        "Live",
        "follow live: poll DataStorage every few seconds, new events on top (again: stop)",
        ("events",),
        title="Follow live",
        section=EVENTS,
    ),
    # The table binds Home and End; the palette runs these on the screen.
    Action(
        "events.newest",
        "home",
        "newest",
        "Newest",
        "first row: the newest event",
        title="Jump to newest",
    ),
    Action(
        "events.oldest",
        "end",
        "oldest",
        "Oldest",
        "last row: the oldest event",
        title="Jump to oldest",
    ),
    Action(
        "events.focus_table",
        "escape",
        "focus_table",
        "Back to the table",
        "back to the table (from the filter bar or the detail)",
        ("events",),
        footer=False,
        section=EVENTS,
    ),
    Action(
        "filter.leave",
        "escape",
        "leave",
        "Leave filter",
        "leave the filter bar",
        ("filter-bar",),
        footer=False,
    ),
    Action(
        "filter.older",
        "up",
        "older",
        "Older",
        "filter bar: the previous filter (history)",
        ("filter-bar",),
        footer=False,
        section=EVENTS,
        key_display="↑ ↓",
    ),
    Action(
        "filter.newer",
        "down",
        "newer",
        "Newer",
        "filter bar: the previous filter (history)",
        ("filter-bar",),
        footer=False,
    ),
    Action(
        "filter.complete",
        "tab",
        "accept",
        "Complete",
        "take the suggested completion",
        ("filter-bar",),
        footer=False,
    ),
    # -- the other views (back first: the footers read "Back" first) ------------------------
    Action(
        "view.back",
        "escape,q",
        "back",
        "Back",
        "back",
        ("timeline", "mismatches", "stats", "event"),
        section=VIEWS,
    ),
    Action("results.back", "escape,q", "back", "Back", "back", ("results",), section=VIEWS),
    Action("raw.back", "escape,q,r", "back", "Back", "back to where you were", ("raw",)),
    Action(
        "raw.search",
        "slash",
        "search",
        "Search",
        "raw JSON: search (Enter), n / N next and previous match",
        ("raw",),
        section=VIEWS,
        key_display="/ n N",
    ),
    Action("raw.next", "n", "next_match(1)", "Next", "next match", ("raw",), footer=False),
    Action(
        "raw.previous", "N", "next_match(-1)", "Previous", "previous match", ("raw",), footer=False
    ),
    Action("copy.cancel", "escape,q", "dismiss(None)", "Cancel", "close the copy menu", ("copy",)),
    Action(
        "mismatches.drill",
        "enter",
        "drill",
        "Show events",
        "open the step / show the group's events",
        ("mismatches",),
        section=VIEWS,
    ),
    # Enter on a timeline step is the DataTable's own binding.
    Action(
        "timeline.open",
        "enter",
        "",
        "Open",
        "open the step / show the group's events",
        section=VIEWS,
    ),
    Action(
        "timeline.next_problem",
        "n",
        "next_problem(1)",
        "Next failure",
        "timeline: next failure or decode problem (N: previous)",
        ("timeline",),
        section=VIEWS,
    ),
    Action(
        "timeline.previous_problem",
        "N",
        "next_problem(-1)",
        "Previous failure",
        "timeline: next failure or decode problem (N: previous)",
        ("timeline",),
        footer=False,
        section=VIEWS,
    ),
    # Not on the help screen nor in the footer (yet): they need a DataStorage to ask.
    Action(
        "timeline.verify",
        "v",
        "verify",
        "Verify",
        "timeline: ask DataStorage for its hash-chain verdict on this correlation",
        ("timeline",),
        footer=False,
    ),
    Action(
        "timeline.reconstruct",
        "R",
        "reconstruct",
        "Reconstruct",
        "timeline: the RemediationRequest DataStorage rebuilds from this correlation",
        ("timeline",),
        footer=False,
    ),
    Action(
        "reconstruction.back",
        "escape,q",
        "back",
        "Back",
        "back to the timeline",
        ("reconstruction",),
    ),
    Action(
        "timeline.export",
        "e",
        "export",
        "Export",
        "export (timeline, query result)",
        ("timeline",),
        section=VIEWS,
    ),
    Action(
        "results.export",
        "e",
        "export",
        "Export",
        "export (timeline, query result)",
        ("results",),
        section=VIEWS,
    ),
    Action(
        "results.open",
        "enter",
        "open",
        "Open",
        "query result: open the row's event (or its correlation's timeline)",
        ("results",),
        footer=False,
        section=VIEWS,
    ),
    Action(
        "results.timeline",
        "t",
        "timeline",
        "Timeline",
        "incident timeline of the highlighted row's correlation ID",
        ("results",),
        section=VIEWS,
    ),
    Action(
        "results.params",
        "p",
        "params",
        "Parameters",
        "query result: change the query's parameters and run it again",
        ("results",),
        section=VIEWS,
    ),
    Action("params.cancel", "escape", "cancel", "Cancel", "close without running", ("params",)),
    Action("event.raw", "r", "raw", "Raw JSON", "raw JSON of the event", ("event",)),
    Action("export.cancel", "escape", "cancel", "Cancel", "close without exporting", ("export",)),
    Action(
        "help.close",
        "escape,q,question_mark",
        "app.pop_screen",
        "Close",
        "close the help",
        ("help",),
    ),
    # -- everywhere -------------------------------------------------------------------------
    Action(
        "app.quit",
        "q",
        "app.quit",
        "Quit",
        "quit; q on a view goes back",
        ("app",),
        title="Quit",
        section=EVERYWHERE,
    ),
    Action(
        "app.help",
        "question_mark",
        "app.help",
        "Help",
        "every key and what it does",
        ("app",),
        title="Help",
        section=EVERYWHERE,
    ),
    Action(
        "app.command_palette",
        "ctrl+p,colon",
        "app.command_palette",
        "Commands",
        "command palette: every action and the named queries",
        ("app",),
        footer=False,
        section=EVERYWHERE,
    ),
    # Any other list (timeline, mismatches, results, raw JSON): the focused widget's own moves.
    Action(
        "app.vi_down",
        "j",
        "vi('down')",
        "Down",
        "j k g G: down, up, first, last in any list",
        ("app",),
        footer=False,
        section=EVERYWHERE,
        key_display="j k g G",
    ),
    Action("app.vi_up", "k", "vi('up')", "Up", "up in any list", ("app",), footer=False),
    Action("app.vi_first", "g", "vi('first')", "First", "first of a list", ("app",), footer=False),
    Action("app.vi_last", "G", "vi('last')", "Last", "last in any list", ("app",), footer=False),
    # Textual binds Tab and shift+Tab on every screen.
    Action("app.focus", "tab,shift+tab", "", "Focus", "move between panes", section=EVERYWHERE),
    Action(
        "app.mouse",
        "",
        "",
        "Mouse",
        "click a row to highlight it, scroll with the wheel",
        section=EVERYWHERE,
        key_display="mouse",
    ),
)


def bindings(scope: Scope) -> list[BindingType]:
    """The ``BINDINGS`` of ``scope``: its entries, in registry order."""
    return [
        Binding(
            entry.keys,
            entry.action,
            entry.label,
            show=entry.footer,
            id=entry.id,
            priority=entry.priority,
        )
        for entry in ACTIONS
        if scope in entry.scopes
    ]


def palette_actions() -> list[Action]:
    """What the command palette offers: entries with a title."""
    return [entry for entry in ACTIONS if entry.title]


def help_sections(
    keymap: Mapping[str, str] | None = None,
) -> list[tuple[str, list[tuple[str, str]]]]:
    """(section, [(keys, description)]): entries with the same line share it, keys merged;
    the keys are the ``keymap``'s where it rebinds an action."""
    keymap = keymap or {}
    sections: dict[str, dict[str, list[str]]] = {}
    for entry in ACTIONS:
        if not entry.section:
            continue
        keys = sections.setdefault(entry.section, {}).setdefault(entry.description, [])
        labels = entry.key_labels(keymap.get(entry.id))
        keys += [label for label in labels if label not in keys]
    return [
        (title, [(" ".join(keys), description) for description, keys in lines.items()])
        for title, lines in sections.items()
    ]


_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAMED_KEYS = frozenset(key.value for key in Keys if not key.value.startswith("<"))


def _known_key(key: str) -> bool:
    """A key Textual can report: a character, a named key, or a character's name."""
    *modifiers, name = key.split("+")
    if not name or any(mod not in _MODIFIERS for mod in modifiers):
        return False
    if len(name) == 1 and name.isprintable() and not name.isspace():
        return True
    if name in _NAMED_KEYS or name.lower() in _NAMED_KEYS:
        return True
    try:
        unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return False
    return True


def check_keymap(keymap: Mapping[str, str], source: object = "keymap") -> dict[str, str]:
    """The config's ``[keymap]`` (action id -> keys), or a one-line error for a bad entry."""
    ids = {entry.id for entry in ACTIONS if entry.scopes}
    for action_id, keys in keymap.items():
        if action_id not in ids:
            hint = difflib.get_close_matches(action_id, sorted(ids), n=1)
            also = f" (did you mean {hint[0]}?)" if hint else " (ids: README, Keys)"
            raise ConfigError(f"{source}: [keymap] unknown action {action_id!r}{also}")
        names = [key.strip() for key in keys.split(",")]
        bad = [name for name in names if not _known_key(name)]
        if bad or not names:
            raise ConfigError(
                f"{source}: [keymap] {action_id}: not a key: {bad[0] if bad else keys!r}"
            )
    return dict(keymap)
