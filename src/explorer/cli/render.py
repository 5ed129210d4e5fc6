"""Plain-text helpers for the CLI: untrusted strings never reach the terminal raw."""

from __future__ import annotations

import codecs
import io
import os
import re
import shutil
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import IO, Any, TypeVar

import click

from explorer import text as _text
from explorer.models.decode import Status


def clean(text: str) -> str:
    """Make untrusted text safe for a terminal: ``explorer.text.clean``, a tab as a space."""
    return _text.clean(text.replace("\t", " "))


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 event``, ``2,000 events``: the count and the noun that goes with it."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


F = TypeVar("F", bound=Callable[..., Any])

ALL_FORMATS = ("table", "json", "ndjson", "csv", "parquet")
"""The one output-format vocabulary of every command (each takes the ones it can write)."""


class FormatChoice(click.Choice[str]):
    """``--format``: a subset of ``FORMATS``, case-insensitive; ``text`` is ``table``."""

    def __init__(self, formats: Sequence[str]) -> None:
        super().__init__(list(formats), case_sensitive=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.lower() == "text":
            value = "table"
        return super().convert(value, param, ctx)


def format_choice_option(
    formats: Sequence[str], default: str | None, help: str
) -> Callable[[F], F]:
    """The ``--format`` option over ``formats``, shown as ``table|json|...``."""
    return click.option(
        "--format",
        "fmt",
        type=FormatChoice(formats),
        default=default,
        show_default=default is not None,
        metavar="|".join(formats),
        help=help,
    )


def examples(*lines: str) -> str:
    """A command's help epilog: a few real command lines, kept as written by click."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def conflict_lines(count: int) -> list[str]:
    """The summaries' line for versions of stored events that arrived with different
    content (kept aside, never applied); empty when there were none."""
    if not count:
        return []
    events = "1 event" if count == 1 else f"{count:,} events"
    return [
        "",
        f"{events} arrived again with different content: the stored versions stay, "
        "the new ones are kept aside (filter: conflict:yes)",
    ]


def status_lines(by_status: Mapping[str, int], heading: str = "Stored by status:") -> list[str]:
    """The per-status block of the import and sync summaries (empty when nothing counted)."""
    counted = [(status, by_status.get(status, 0)) for status in Status]
    rows = [f"  {status:<24} {count:>10,}" for status, count in counted if count]
    return ["", heading, *rows] if rows else []


# explorer.text.CONTROL but C0 (which orjson escapes itself), as UTF-8 bytes: DEL, C1
# controls (0x9b is CSI) as 0xc2 0x80-0x9f, U+2028-U+202E as 0xe2 0x80 0xa8-0xae and
# U+2066-U+2069 as 0xe2 0x81 0xa6-0xa9. Lead bytes 0xc2/0xe2 never occur inside another
# character. tests/unit/test_text.py checks it matches exactly that set.
_JSON_UNSAFE = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]")


def json_safe(data: bytes) -> bytes:
    """JSON text (UTF-8) with those characters as ``\\uXXXX`` escapes: the same JSON value."""
    return _JSON_UNSAFE.sub(_json_escape, data)


def _json_escape(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(match.group().decode("utf-8"))


class JsonSafeStream(io.RawIOBase):
    """Writes JSON text through ``json_safe``: for JSON on stdout, which may be a terminal."""

    def __init__(self, out: IO[bytes]) -> None:
        super().__init__()
        self._out = out

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._out.write(json_safe(bytes(data)))
        return len(data)


class TerminalStream(io.RawIOBase):
    """Text for a person at a terminal: controls but newline and tab become visible escapes.

    Lossy, unlike ``JsonSafeStream``: for CSV on a terminal, which has no escapes of its own.
    """

    def __init__(self, out: IO[bytes]) -> None:
        super().__init__()
        self._out = out
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        text = self._decoder.decode(bytes(data))
        self._out.write(_text.clean_lines(text).encode("utf-8"))
        return len(data)


# -- tables that fit the terminal ------------------------------------------------------------

GAP = "  "
MIN_WIDTH = 8


def table_width() -> int | None:
    """The columns a table may use: $COLUMNS, else the terminal's; None on a pipe, which gets
    every value whole."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, an ellipsis where it was cut."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def fit_table(
    names: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int | None,
    *,
    keep: Collection[str] = (),
    drop: Sequence[str] = (),
) -> tuple[list[str], list[str]]:
    """Fixed-width lines of terminal-safe cells, and the names of the columns left out.

    With a ``width``, the widest columns are cut (with ``…``, never below ``MIN_WIDTH``)
    until a row fits on one line; columns in ``keep`` (identifiers) stay whole. If that is
    not enough, columns are left out: those in ``drop`` first, then from the right.
    """
    shown = list(range(len(names)))
    widths = [max([len(names[i]), *(len(row[i]) for row in rows)]) for i in shown]
    left_out: list[str] = []
    if width is not None:
        while not _shrink(widths, shown, names, keep, width):
            victim = _victim(shown, names, keep, drop)
            if victim is None:
                break
            shown.remove(victim)
            left_out.append(names[victim])
            widths = [
                max([len(names[i]), *(len(row[i]) for row in rows)]) for i in range(len(names))
            ]
    lines = [_line([names[i] for i in shown], [widths[i] for i in shown])]
    lines.append(_line(["-" * widths[i] for i in shown], [widths[i] for i in shown]))
    lines += [_line([row[i] for i in shown], [widths[i] for i in shown]) for row in rows]
    return lines, left_out


def _shrink(
    widths: list[int], shown: list[int], names: Sequence[str], keep: Collection[str], width: int
) -> bool:
    """Cut the widest columns (not ``keep``) one character at a time; whether the row fits."""
    total = sum(widths[i] for i in shown) + len(GAP) * (len(shown) - 1)
    while total > width:
        cuttable = [i for i in shown if names[i] not in keep and widths[i] > MIN_WIDTH]
        if not cuttable:
            return False
        widest = max(cuttable, key=lambda i: widths[i])
        widths[widest] -= 1
        total -= 1
    return True


def _victim(
    shown: list[int], names: Sequence[str], keep: Collection[str], drop: Sequence[str]
) -> int | None:
    if len(shown) <= 1:
        return None
    for name in drop:
        for i in shown:
            if names[i] == name:
                return i
    others = [i for i in shown if names[i] not in keep]
    return others[-1] if others else None


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return GAP.join(cut(c, w).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def left_out_note(left_out: Sequence[str], width: int | None) -> str | None:
    """The stderr line that says which columns a narrow terminal left out."""
    if not left_out:
        return None
    return (
        f"(left out at {width} columns: {', '.join(clean(n) for n in left_out)}; "
        "widen the terminal or use --format ndjson)"
    )
