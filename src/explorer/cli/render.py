"""Plain-text helpers for the CLI: untrusted strings never reach the terminal raw."""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Mapping
from typing import IO, Any

from explorer import text as _text
from explorer.models.decode import Status


def clean(text: str) -> str:
    """Make untrusted text safe for a terminal: ``explorer.text.clean``, a tab as a space."""
    return _text.clean(text.replace("\t", " "))


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
