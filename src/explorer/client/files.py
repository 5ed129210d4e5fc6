"""Read audit events from files and streams, whatever their shape.

Accepted shapes, detected from the first lines:
- NDJSON: one event per line (streamed: memory stays flat on multi-GB files);
- a JSON array of events;
- a query page ``{"data": [...], "pagination": {...}}``;
- an export document ``{"events": [...], ...}``;
- a single event object.

Every input record becomes a :class:`Record`: either a parsed JSON value or the reason
it could not be parsed, with where it came from (``line 12``, ``item 3``), and the keys
its text writes twice in one object (the parsed value keeps only the last of each).
:func:`decode_record` decodes one.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import orjson

from explorer.client.evidence import VERDICT
from explorer.errors import InputError
from explorer.jsontext import (
    DuplicateKey,
    Where,
    canonical_text,
    duplicate_keys,
    duplicates_by_item,
    may_hold_big_integer,
)
from explorer.models.decode import Decoded, decode, describe, malformed
from explorer.models.registry import Contract

Shape = Literal["ndjson", "array", "page", "export", "event", "empty"]

MAX_LINE = 64 * 1024 * 1024  # a longer NDJSON line is reported, not read into memory
_BOM = b"\xef\xbb\xbf"
_SAMPLE_LINES = 5


@dataclass(frozen=True, slots=True)
class Record:
    locator: str  # "line 12", "item 3"
    line: int | None  # 1-based line number where known
    value: Any = None
    error: str | None = None
    duplicates: tuple[DuplicateKey, ...] = ()  # paths from the record's own root
    # The exact JSON text of an object ``value`` where known (see ``canonical_text``):
    # decoding validates it instead of writing the value out again.
    text: bytes | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def decode_record(
    record: Record, text: bytes | None = None, contract: Contract | None = None
) -> Decoded:
    """Decode one input record; unparseable NDJSON lines become ``malformed_json`` entries.

    ``text``: the JSON text the record was parsed from, when known (see ``decode``;
    default: the record's own exact text, if any);
    ``contract``: what to decode against (default: main). The keys the record's text
    writes twice are ``duplicate_key`` issues."""
    if record.error is not None:
        return malformed(record.locator, record.error)
    if record.line is not None and not isinstance(record.value, dict):
        return malformed(record.locator, f"expected an event object, got {describe(record.value)}")
    exact = text if text is not None else record.text
    return decode(record.value, exact, contract, record.duplicates)


class _ParseFailed(Exception):
    pass


def parse_json(data: bytes) -> Any:
    """Parse one JSON text. Integers beyond 64 bits are kept exactly (orjson would
    turn them into floats), at the cost of the slower parser for such texts only."""
    try:
        if may_hold_big_integer(data):
            return json.loads(data, parse_constant=_reject_constant)
        return orjson.loads(data)
    except (ValueError, RecursionError) as error:  # orjson.JSONDecodeError is a ValueError
        raise _ParseFailed(_one_line(str(error))) from None


def parse_record_text(data: bytes) -> tuple[Any, tuple[DuplicateKey, ...], bytes | None]:
    """:func:`parse_json`; the keys ``data`` writes twice in one object; and for an object
    written canonically, its exact text (see :func:`canonical_text`)."""
    value = parse_json(data)
    try:  # the common case: data is stripped already, and canonical
        if orjson.dumps(value) == data:
            return value, (), data if type(value) is dict else None
    except (TypeError, orjson.JSONEncodeError):
        pass
    exact = canonical_text(data, value)
    if exact is not None:
        return value, (), exact if type(value) is dict else None
    return value, duplicate_keys(data), None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _one_line(message: str) -> str:
    return " ".join(message.split())[:200]


class EventReader:
    """Iterate the records of one input. ``shape`` is known after the first record."""

    def __init__(self, source: str | Path | IO[bytes], *, name: str | None = None) -> None:
        self.name = name or _display_name(source)
        self.shape: Shape | None = None
        # An export document, whole (its verdicts and summary), once it has been read.
        self.export: dict[str, Any] | None = None
        self._source = source

    def __iter__(self) -> Iterator[Record]:
        stream, close = _open(self._source, self.name)
        try:
            yield from self._records(stream)
        finally:
            if close:
                stream.close()

    def _records(self, stream: IO[bytes]) -> Iterator[Record]:
        lines = NumberedLines(stream)
        first = lines.next_nonblank()
        if first is None:
            self.shape = "empty"
            return
        number, text = first
        text = text.removeprefix(_BOM)
        head = text.strip()
        if head[:1] in (b"[", b"{"):
            try:
                value, duplicates, exact = parse_record_text(head)
            except _ParseFailed:
                yield from self._document_or_lines(lines, number, text)
                return
            following = lines.next_nonblank()
            if following is None:
                yield from self._from_document(value, duplicates, exact)
                return
            self.shape = "ndjson"
            yield Record(f"line {number}", number, value, duplicates=duplicates, text=exact)
            yield parse_line(*following)
        else:
            self._check_looks_like_json(lines, number, head)
            self.shape = "ndjson"
            yield parse_line(number, text)
        for number, text in lines:
            if text.strip():
                yield parse_line(number, text)

    def _document_or_lines(
        self, lines: NumberedLines, number: int, text: bytes
    ) -> Iterator[Record]:
        """The first line is not JSON by itself: a multi-line document, or broken NDJSON."""
        following = lines.next_nonblank()
        if following is not None and following[1].strip()[:1] == b"{":
            try:
                second, repeated, exact = parse_record_text(following[1].strip())
            except _ParseFailed:
                second = None
            if isinstance(second, dict):
                self.shape = "ndjson"
                yield parse_line(number, text)
                yield Record(
                    f"line {following[0]}", following[0], second, duplicates=repeated, text=exact
                )
                for n, t in lines:
                    if t.strip():
                        yield parse_line(n, t)
                return
        rest = lines.read_rest()
        document = text + (following[1] if following else b"") + rest
        try:
            value, duplicates, exact = parse_record_text(document)
        except _ParseFailed as exc:
            raise InputError(f"{self.name}: not valid JSON ({exc})") from None
        yield from self._from_document(value, duplicates, exact)

    def _from_document(
        self, value: Any, duplicates: tuple[DuplicateKey, ...] = (), exact: bytes | None = None
    ) -> Iterator[Record]:
        items_at: Where
        if isinstance(value, list):
            self.shape, items_at, items = "array", (), value
        elif isinstance(value, dict) and isinstance(value.get("data"), list):
            self.shape, items_at, items = "page", ("data",), value["data"]
        elif isinstance(value, dict) and isinstance(value.get("events"), list):
            self.shape, items_at, items = "export", ("events",), value["events"]
            self.export = value
            # the server's verdict is not part of the event: see ingest.evidence
            items = [_without_verdict(item) for item in items]
        else:
            self.shape = "event"
            yield Record("item 0", None, value, duplicates=duplicates, text=exact)
            return
        by_item = duplicates_by_item(duplicates, items_at)
        for index, item in enumerate(items):
            yield Record(f"item {index}", None, item, duplicates=by_item.get(index, ()))

    def _check_looks_like_json(self, lines: NumberedLines, number: int, head: bytes) -> None:
        """Refuse at once an input none of whose first lines is JSON (a binary file, HTML)."""
        candidates = [head] + [t.strip() for _, t in lines.peek(_SAMPLE_LINES - 1)]
        for candidate in candidates:
            try:
                parse_json(candidate)
            except _ParseFailed:
                continue
            return
        raise InputError(f"{self.name}: not JSON (the first lines are neither JSON nor NDJSON)")


def _without_verdict(item: Any) -> Any:
    if isinstance(item, dict) and VERDICT in item:
        return {key: value for key, value in item.items() if key != VERDICT}
    return item


def is_ndjson(stream: IO[bytes]) -> bool:
    """Whether :class:`EventReader` reads this input as NDJSON from its first lines alone:
    the first non-blank line is a JSON object or array by itself, and another non-blank
    line follows. (Other inputs it may still read as NDJSON, after a closer look.)"""
    lines = NumberedLines(stream)
    first = lines.next_nonblank()
    if first is None:
        return False
    head = first[1].removeprefix(_BOM).strip()
    if head[:1] not in (b"[", b"{"):
        return False
    try:
        parse_json(head)
    except _ParseFailed:
        return False
    return lines.next_nonblank() is not None


def parse_line(number: int, text: bytes) -> Record:
    """The record of NDJSON line ``number`` (:data:`TOO_LONG` for a line never read)."""
    locator = f"line {number}"
    if text is TOO_LONG:
        return Record(locator, number, error=f"line is longer than {MAX_LINE // 2**20} MiB")
    try:
        # A BOM can open any line of files concatenated from several exports.
        value, duplicates, exact = parse_record_text(text.strip().removeprefix(_BOM))
        return Record(locator, number, value, duplicates=duplicates, text=exact)
    except _ParseFailed as exc:
        return Record(locator, number, error=f"not valid JSON: {exc}")


TOO_LONG = b"\x00<too long>"  # stands for a line longer than MAX_LINE (compared by identity)


class NumberedLines:
    """Numbered lines of a byte stream with bounded length, one-line lookahead; a line
    longer than ``MAX_LINE`` is :data:`TOO_LONG`, never kept."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._number = 0
        self._pending: list[tuple[int, bytes]] = []

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        while True:
            item = self._next()
            if item is None:
                return
            yield item

    def _next(self) -> tuple[int, bytes] | None:
        if self._pending:
            return self._pending.pop(0)
        line = self._stream.readline(MAX_LINE + 1)
        if not line:
            return None
        self._number += 1
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while True:  # skip the rest of an over-long line without keeping it
                chunk = self._stream.readline(1024 * 1024)
                if not chunk or chunk.endswith(b"\n"):
                    break
            return self._number, TOO_LONG
        return self._number, line

    def next_nonblank(self) -> tuple[int, bytes] | None:
        while (item := self._next()) is not None:
            if item[1].strip():
                return item
        return None

    def peek(self, count: int) -> list[tuple[int, bytes]]:
        seen: list[tuple[int, bytes]] = []
        while len(seen) < count and (item := self.next_nonblank()) is not None:
            seen.append(item)
        self._pending = seen + self._pending
        return seen

    def read_rest(self) -> bytes:
        pending = b"".join(t for _, t in self._pending)
        self._pending = []
        return pending + self._stream.read()


def _display_name(source: str | Path | IO[bytes]) -> str:
    if isinstance(source, (str, Path)):
        return "stdin" if str(source) == "-" else str(source)
    return (
        getattr(source, "name", "stream")
        if isinstance(getattr(source, "name", None), str)
        else "stream"
    )


def _open(source: str | Path | IO[bytes], name: str) -> tuple[IO[bytes], bool]:
    if isinstance(source, (str, Path)):
        if str(source) == "-":
            return sys.stdin.buffer, False
        try:
            return open(source, "rb"), True
        except FileNotFoundError:
            raise InputError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise InputError(f"{name}: is a directory, not a file") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if isinstance(source, io.TextIOBase):
        raise TypeError("EventReader needs a binary stream")
    return source, False
