"""Progress bars for long CLI work (import, sync, redecode, the demo cache), on stderr.

Drawn only when stderr is a terminal: a pipe or a log file gets nothing. Rich is imported
only when a bar is drawn, so the commands start as fast as before.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.progress import Task
    from rich.text import Text

Update = Callable[..., None]
"""``update(done, total=None, **fields)``: how far the work is (and, once known, of how much)."""


@contextmanager
def progress_bar(
    label: str, total: int | None = None, *, unit: str = "events", stream: IO[str] | None = None
) -> Iterator[Update | None]:
    """A bar with the count, the rate and the time left while the block runs; ``None`` (draw
    nothing) unless ``stream`` (stderr by default) is a terminal. It is gone when the block ends."""
    stream = stream if stream is not None else sys.stderr
    if not _is_terminal(stream):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.progress import TimeRemainingColumn as Remaining

    console = Console(file=stream, force_terminal=True, highlight=False)
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    bar = Progress(*columns, _rate_column(unit), Remaining(), console=console, transient=True)
    task = bar.add_task(label, total=total)

    def update(done: int, total: int | None = None, **_: Any) -> None:
        if total is not None:
            bar.update(task, total=total)
        bar.update(task, completed=done)

    with bar:
        yield update


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream is no terminal
        return False


def _rate_column(unit: str) -> Any:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        """``12,345 events/s``, once there is a rate to show."""

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:,.0f} {unit}/s")

    return Rate()
