"""Events over time as vertical bars, with the time axis under them."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from explorer.core.stats import Histogram
from explorer.tui.styles import Palette, follow_theme, palette
from explorer.tui.text import duration, plural, timestamp

BLOCKS = " ▁▂▃▄▅▆▇█"
ROWS = 8


def histogram_text(hist: Histogram, width: int, colors: Palette) -> Text:
    """Bars ``ROWS`` lines high; buckets are merged to fit ``width`` columns."""
    if not hist.counts or hist.start is None:
        return Text("No events for this filter.", style="dim", end="")
    room = max(width - 10, 1)
    merge = max(1, -(-len(hist.counts) // room))
    counts = [sum(hist.counts[i : i + merge]) for i in range(0, len(hist.counts), merge)]
    # Few buckets on a wide screen: each bar is several columns wide.
    bar = max(1, min(4, room // max(len(counts), 1)))
    peak = max(counts) or 1
    out = Text(end="")
    bars = colors("info")
    for line in range(ROWS, 0, -1):
        label = f"{peak:>8,} " if line == ROWS else " " * 9
        out.append(label, style="dim")
        for count in counts:
            level = count / peak * ROWS - (line - 1)
            out.append(BLOCKS[max(0, min(8, round(level * 8)))] * bar, style=bars)
        out.append("\n")
    start, end = timestamp(hist.start), timestamp(hist.end)
    gap = max(1, len(counts) * bar - len(start) - len(end))
    out.append(" " * 9 + start + " " * gap + end, style="dim")
    step = hist.step * merge
    events = plural(hist.total, "event")
    out.append(
        f"\n{' ' * 9}one bar = {duration(step.total_seconds())}   {events}   UTC", style="dim"
    )
    return out


class HistogramView(Static):
    """Redraws its histogram to the width it is given."""

    DEFAULT_CSS = """
    HistogramView { height: auto; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.histogram: Histogram | None = None

    def on_mount(self) -> None:
        follow_theme(self, self._draw)

    def show(self, hist: Histogram) -> None:
        self.histogram = hist
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.histogram is not None:
            colors = palette(self.app)
            self.update(histogram_text(self.histogram, self.size.width - 2, colors))
