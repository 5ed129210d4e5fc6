"""A virtual table of events: it holds a few pages of rows, never the whole result.

``render_line`` paints rows from an LRU cache of pages; a row that is not there yet is
drawn as a placeholder and the table posts ``RowsWanted`` for the pages in view. The
screen fetches them in a worker (``explorer.core.browse``) and hands them back with
``add_window``. Scrolling to the end of a 1,000,000-row result is one small query.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from explorer.core.browse import EventRow, Window
from explorer.tui.actions import bindings
from explorer.tui.text import badge, clean, timestamp

PAGE = 200
FRESH_SECONDS = 3.0  # how long rows that just arrived stay highlighted
MAX_PAGES = 50

# (title, width); the summary takes what is left. What identifies an event (its type and
# correlation ID) gets width before the payload preview.
COLUMNS = (
    ("time (UTC)", 19),
    ("service", 12),
    ("event type", 32),
    ("outcome", 7),
    ("correlation", 22),
    ("decode", 12),
)
SUMMARY_MIN = 12
TIME_SHORT = 11  # "11-29 03:01": the time column at its narrowest


# On a narrow terminal the columns give up space in this order, down to these widths
# (column index, narrowest; 0 drops the column): the service first (the event type
# starts with it), then the date's year and the seconds, so that the event type, the
# correlation ID and the decode status stay readable at 80 columns.
_SHRINK = ((1, 0), (0, TIME_SHORT), (2, 22), (5, 8), (4, 18))


def _used(sizes: list[int]) -> int:
    return sum(size + 1 for size in sizes if size)


def column_widths(width: int) -> tuple[list[int], int]:
    """The widths of the fixed columns (0: not shown) and of the payload summary."""
    sizes = [size for _, size in COLUMNS]
    for index, narrowest in _SHRINK:
        spare = width - _used(sizes) - SUMMARY_MIN
        if spare >= 0:
            break
        sizes[index] = max(narrowest, sizes[index] + spare if narrowest else 0)
    rest = width - _used(sizes)
    if rest >= SUMMARY_MIN:
        return sizes, rest
    sizes[2] += max(rest, 0)  # no room for a preview: the event type takes what is left
    return sizes, 0


def header_text(width: int) -> Text:
    """The column titles, aligned with the rows."""
    sizes, summary = column_widths(width)
    line = Text(no_wrap=True, end="")
    for (title, _), size in zip(COLUMNS, sizes, strict=True):
        if size:
            line.append_text(_cell(title, size))
    if summary:
        line.append_text(_cell("payload", summary))
    return line


CONFLICT_BADGE = "changed"  # a version arrived again with different content (kept aside)
HOLD_BADGE = "hold"  # under legal hold


def time_cell(moment: object, size: int) -> str:
    """The full timestamp, or ``11-29 03:01`` in a narrow column."""
    text = timestamp(moment)
    return text[5:16] if size < len(text) and len(text) == 19 else text


def _cell(value: str, width: int, style: str | Style = "") -> Text:
    text = Text(clean(value), style=style, no_wrap=True, end="")
    text.truncate(width, overflow="ellipsis", pad=True)
    text.append(" ")
    return text


class EventsTable(ScrollView, can_focus=True):
    """Events newest first, one line each, with a row cursor."""

    BINDINGS = bindings("events-table")

    COMPONENT_CLASSES = {
        "events-table--cursor",
        "events-table--header",
        "events-table--placeholder",
        "events-table--failure",
        "events-table--ok",
        "events-table--drift",
        "events-table--invalid",
        "events-table--discriminator_mismatch",
        "events-table--unknown_type",
        "events-table--conflict",
        "events-table--hold",
        "events-table--fresh",
    }

    DEFAULT_CSS = """
    EventsTable {
        height: 1fr;
        scrollbar-gutter: stable;
        overflow-x: hidden;
        & > .events-table--header { color: $text-muted; text-style: bold; }
        & > .events-table--cursor { background: $surface-lighten-2; }
        &:focus > .events-table--cursor { background: $accent 50%; text-style: bold; }
        & > .events-table--placeholder { color: $text-disabled; }
        & > .events-table--failure { color: $error; }
        & > .events-table--ok { color: $success; }
        & > .events-table--drift { color: $warning; }
        & > .events-table--invalid { color: $error; }
        & > .events-table--discriminator_mismatch { color: $error; text-style: bold; }
        & > .events-table--unknown_type { color: $secondary; }
        & > .events-table--conflict { color: $error; text-style: bold reverse; }
        & > .events-table--hold { color: $warning; text-style: bold reverse; }
        & > .events-table--fresh { background: $success 25%; }
    }
    """

    cursor_row: reactive[int] = reactive(0)

    @dataclass
    class RowsWanted(Message):
        """Rows ``start`` .. ``start + size`` are in view but not loaded."""

        table: EventsTable
        start: int
        size: int

    @dataclass
    class Highlighted(Message):
        """The cursor is on ``row`` (None while that row is still loading)."""

        table: EventsTable
        index: int
        row: EventRow | None

    @dataclass
    class Selected(Message):
        """Enter (or a click on the highlighted row) on ``row``."""

        table: EventsTable
        row: EventRow

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.total = 0
        self.counting = False  # total is a lower bound until the count arrives
        self._pages: OrderedDict[int, list[EventRow]] = OrderedDict()
        self._wanted: set[int] = set()
        self._asked: set[int] = set()
        self._request_scheduled = False
        self.fresh: frozenset[str] = frozenset()  # IDs of events that just arrived (follow)
        self._fresh_generation = 0

    # -- data -------------------------------------------------------------------------------

    def reset(self, total: int, window: Window | None = None, *, counting: bool = False) -> None:
        """A new result: ``total`` rows, optionally with its first window.

        With ``counting``, ``total`` is only what is known so far (the first window) and
        :meth:`set_total` follows.
        """
        self.total = total
        self.counting = counting
        self._pages.clear()
        self._asked.clear()
        self.virtual_size = Size(self.size.width, total + 1)
        if window is not None:
            self.add_window(window)
        self.set_reactive(EventsTable.cursor_row, 0)
        self.scroll_to(y=0, animate=False, immediate=True)
        self._cursor_moved()

    def set_total(self, total: int) -> None:
        """The count of a result shown before it was counted; the cursor stays."""
        self.total = total
        self.counting = False
        self.virtual_size = Size(self.size.width, total + 1)
        self._update_position()
        self.refresh()

    def insert_top(self, count: int, above: int, fresh: frozenset[str] = frozenset()) -> None:
        """``count`` events arrived, ``above`` of them before the cursor's row (newer): the
        cursor stays on its event, and ``fresh`` rows are highlighted for a moment."""
        self.total += count
        self._pages.clear()
        self._asked.clear()
        self.virtual_size = Size(self.size.width, self.total + 1)
        self.set_reactive(EventsTable.cursor_row, self.cursor_row + above)
        self.fresh = fresh
        self._fresh_generation += 1
        generation = self._fresh_generation
        self.set_timer(FRESH_SECONDS, lambda: self._fade(generation))
        self._scroll_to_cursor()
        self._update_position()
        self.refresh()

    def _fade(self, generation: int) -> None:
        if generation == self._fresh_generation:
            self.fresh = frozenset()
            self.refresh()

    def add_window(self, window: Window) -> None:
        """Rows the screen fetched; pages outside the LRU bound are dropped."""
        for offset in range(0, len(window.rows), PAGE):
            start = window.start + offset
            if start % PAGE:
                continue
            page = start // PAGE
            self._pages[page] = window.rows[offset : offset + PAGE]
            self._pages.move_to_end(page)
            self._asked.discard(page)
        while len(self._pages) > MAX_PAGES:
            self._pages.popitem(last=False)
        self._update_position()
        self.refresh()
        if (
            row := self.row_at(self.cursor_row)
        ) is not None and window.start <= self.cursor_row < window.end:
            self.post_message(self.Highlighted(self, self.cursor_row, row))

    def row_at(self, index: int) -> EventRow | None:
        page = self._pages.get(index // PAGE)
        if page is None or index % PAGE >= len(page):
            return None
        return page[index % PAGE]

    @property
    def highlighted(self) -> EventRow | None:
        return self.row_at(self.cursor_row)

    # -- rendering --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._strip(header_text(width), width, "events-table--header")
        index = round(self.scroll_offset.y) + y - 1
        if index >= self.total:
            return Strip.blank(width, self.rich_style)
        row = self.row_at(index)
        if row is None:
            self._want(index // PAGE)
            text = Text("  …", style=self.get_component_rich_style("events-table--placeholder"))
        else:
            text = self._row_text(row, width)
        cursor = "events-table--cursor" if index == self.cursor_row else ""
        if not cursor and row is not None and row.event_id in self.fresh:
            cursor = "events-table--fresh"
        return self._strip(text, width, cursor)

    def _strip(self, text: Text, width: int, component: str) -> Strip:
        strip = Strip(list(text.render(self.app.console))).extend_cell_length(width).crop(0, width)
        if component:
            strip = strip.apply_style(self.get_component_rich_style(component))
        return strip.apply_style(self.rich_style)

    def _row_text(self, row: EventRow, width: int) -> Text:
        status = badge(row.status)
        outcome_style = (
            self.get_component_rich_style("events-table--failure")
            if row.outcome == "failure"
            else ""
        )
        badge_style = self._badge_style(status)
        sizes, summary = column_widths(width)
        cells: tuple[tuple[str, str | Style], ...] = (
            (time_cell(row.timestamp, sizes[0]), ""),
            (row.service or "-", ""),
            (row.event_type or "-", ""),
            (row.outcome or "-", outcome_style),
            (row.correlation_id or "-", ""),
            (status, badge_style),
        )
        line = Text(no_wrap=True, end="")
        for (value, style), size in zip(cells, sizes, strict=True):
            if size:
                line.append_text(_cell(value, size, style))
        if summary > len(CONFLICT_BADGE) and row.conflict:
            style = self.get_component_rich_style("events-table--conflict")
            line.append_text(_cell(CONFLICT_BADGE, len(CONFLICT_BADGE), style))
            summary -= len(CONFLICT_BADGE) + 1
        if summary > len(HOLD_BADGE) and row.hold:
            style = self.get_component_rich_style("events-table--hold")
            line.append_text(_cell(HOLD_BADGE, len(HOLD_BADGE), style))
            summary -= len(HOLD_BADGE) + 1
        if summary:
            line.append_text(_cell(row.summary, summary))
        return line

    def _badge_style(self, status: str) -> Style:
        name = f"events-table--{status}"
        return self.get_component_rich_style(name) if name in self.COMPONENT_CLASSES else Style()

    def _want(self, page: int) -> None:
        if page in self._asked:
            return
        self._wanted.add(page)
        if not self._request_scheduled:
            self._request_scheduled = True
            self.call_later(self._request_rows)

    def _request_rows(self) -> None:
        """Ask once for every missing page in view.

        The screen's fetch worker is exclusive, so a newer request supersedes an older
        one: only the pages of the latest request count as asked for.
        """
        self._request_scheduled = False
        top = round(self.scroll_offset.y)
        bottom = min(self.total, top + self.scrollable_content_region.height)
        in_view = range(top // PAGE, max(top, bottom - 1) // PAGE + 1)
        missing = self._wanted | {page for page in in_view if page not in self._pages}
        self._wanted.clear()
        if not missing or self.total == 0:
            return
        first, last = min(missing), max(missing)
        self._asked = set(range(first, last + 1))
        self.post_message(self.RowsWanted(self, first * PAGE, (last - first + 1) * PAGE))

    # -- cursor -----------------------------------------------------------------------------

    def watch_cursor_row(self) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self._cursor_moved()

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_offset.y)
        height = self.scrollable_content_region.height - 1
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif height and self.cursor_row >= top + height:
            self.scroll_to(y=self.cursor_row - height + 1, animate=False, immediate=True)

    def _cursor_moved(self) -> None:
        self._update_position()
        self.post_message(self.Highlighted(self, self.cursor_row, self.highlighted))

    def _update_position(self) -> None:
        if self.total == 0:
            self.border_subtitle = "no events"
            return
        start = self.cursor_row // PAGE * PAGE
        end = min(self.total, start + PAGE)
        if self.counting:
            self.border_subtitle = f"{start + 1:,}-{end:,} of ≥ {self.total:,} · counting…"
        else:
            self.border_subtitle = f"{start + 1:,}-{end:,} of {self.total:,}"

    def move_to(self, index: int) -> None:
        if self.total:
            self.cursor_row = max(0, min(index, self.total - 1))

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height - 2)
        self.move_to(self.cursor_row + direction * height)

    def action_jump(self, where: int) -> None:
        self.move_to(self.total - 1 if where < 0 else where)

    def action_select(self) -> None:
        if (row := self.highlighted) is not None:
            self.post_message(self.Selected(self, row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = round(self.scroll_offset.y) + offset.y - 1
        if 0 <= index < self.total:
            if index == self.cursor_row and event.chain > 1:
                self.action_select()
            self.cursor_row = index

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.total + 1)
