"""A corpus of hostile input lines: what an audit tool meets on the worst day.

Each entry is (name, one NDJSON line as bytes). Used by the validate, import, export and TUI
tests: every line must get a status or a reported rejection, nothing may crash, and nothing
may reach the terminal as markup or escape sequences.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from explorer.client.datastorage import parse_timestamp
from tests.factories import event

MARKUP = "[reverse]x[/reverse][bold red]BOOM[/] [link=file:///etc/passwd]click[/link]"
ANSI = "\x1b[2J\x1b[31mred\x1b[0m\x1b]0;owned-title\x07\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\"
CONTROL = "bell\x07 back\x08space \r carriage \x9b c1-csi"
EVIL_STRINGS = (MARKUP, ANSI, CONTROL, "'; DROP TABLE events; --", "$1 %_ \\")


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def _poison_strings(value: Any, evil: str) -> Any:
    if isinstance(value, str):
        return value + evil
    if isinstance(value, list):
        return [_poison_strings(v, evil) for v in value]
    if isinstance(value, dict):
        return {k: _poison_strings(v, evil) for k, v in value.items()}
    return value


def _wrong_types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _wrong_types(v) for k, v in value.items()}
    if isinstance(value, str):
        return 12345
    if isinstance(value, bool):
        return "true"
    if isinstance(value, int):
        return "12"
    return value


def corpus() -> list[tuple[str, bytes]]:
    lines: list[tuple[str, bytes]] = []
    for index, evil in enumerate(EVIL_STRINGS):
        raw = _poison_strings(event(), evil)
        raw["event_id"] = str(uuid.UUID(int=1000 + index))
        raw["event_timestamp"] = "2026-11-20T10:00:00Z"
        lines.append((f"evil-strings-{index}", _dumps(raw)))
    raw = event(event_type="gateway.signal.received")
    raw["event_data"]["signal_name"] = "A" * 1_000_000
    lines.append(("one-megabyte-string", _dumps(raw)))
    lines.append(("deep-nesting", b'{"event_data": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"))
    raw = event()
    raw["event_data"]["deep"] = json.loads("[" * 200 + "]" * 200)
    lines.append(("nesting-200", _dumps(raw)))
    lines.append(
        ("invalid-utf8", b'{"event_id": "\xff\xfe", "event_type": "gateway.signal.received"}')
    )
    lines.append(("nul-byte-raw", b'{"event_id": "a\x00b"}'))
    nul = event()
    nul["correlation_id"] = "rr-\u0000-nul"
    lines.append(("nul-byte-escaped", _dumps(nul)))
    lines.append(("bom-inside", b"\xef\xbb\xbf" + _dumps(event())))
    big = event()
    big["duration_ms"] = 2**70
    big["event_data"]["occurrence_count"] = -(2**90)
    lines.append(("integers-beyond-64-bits", _dumps(big)))
    dup = _dumps(event())[:-1] + b', "event_type": "orchestrator.lifecycle.started"}'
    lines.append(("duplicate-keys", dup))
    wrong = _wrong_types(event())
    lines.append(("wrong-types-everywhere", _dumps(wrong)))
    for name, stamp in [
        ("no-zone", "2026-11-20T10:00:00"),
        ("year-1", "0001-01-01T00:00:00Z"),
        ("year-9999", "9999-12-31T23:59:59Z"),
        ("unparseable-time", "yesterday at noon"),
        ("time-is-a-number", 1732096800),
    ]:
        lines.append((f"timestamp-{name}", _dumps(event(event_timestamp=stamp))))
    lines.append(("event-id-not-uuid", _dumps(event(event_id="not-a-uuid; DROP"))))
    same = str(uuid.UUID(int=77))
    lines.append(("duplicate-id-a", _dumps(event(event_id=same, correlation_id="rr-a"))))
    lines.append(("duplicate-id-b", _dumps(event(event_id=same, correlation_id="rr-b"))))
    missing = event()
    del missing["event_id"]
    lines.append(("event-id-missing", _dumps(missing)))
    lines.append(("event-id-number", _dumps(event(event_id=42))))
    lines.append(("line-is-array", b"[1, 2, 3]"))
    lines.append(("line-is-number", b"3.14"))
    lines.append(("line-is-string", b'"just a string"'))
    lines.append(("line-is-null", b"null"))
    lines.append(
        ("binary-noise", bytes((i * 37 + 11) % 256 for i in range(300)).replace(b"\n", b" "))
    )
    lines.append(("truncated", _dumps(event())[:80]))
    lines += _more_hostile()
    return lines


MEGABYTE = 1_000_000
DEEP = 10_000
HUGE_CORR = "C" * MEGABYTE + ANSI
EVIL_ID = "id-" + ANSI + MARKUP + "\u202e"


def _more_hostile() -> list[tuple[str, bytes]]:
    lines: list[tuple[str, bytes]] = []
    big = event(event_id=str(uuid.UUID(int=2000)), correlation_id=HUGE_CORR)
    big["actor_id"] = "A" * MEGABYTE
    big["error_message"] = MARKUP + "E" * MEGABYTE
    big["event_data"]["signal_name"] = "S" * MEGABYTE
    big["event_data"]["X" * MEGABYTE] = "a megabyte key"
    lines.append(("megabyte-strings-in-many-fields", _dumps(big)))
    deep = _dumps(event(event_id=str(uuid.UUID(int=2001))) | {"extra_deep": "@DEEP@"})
    nested = b"[" * DEEP + b"]" * DEEP
    lines.append(("deep-nesting-inside-a-valid-event", deep.replace(b'"@DEEP@"', nested)))
    objects = b'{"a": ' * DEEP + b"1" + b"}" * DEEP
    deep = _dumps(event(event_id=str(uuid.UUID(int=2002))))
    lines.append(
        (
            "deep-objects-in-event-data",
            deep.replace(b'"event_data": {', b'"event_data": {"d": ' + objects + b", ", 1),
        )
    )
    for name, stamp in [
        ("offset-plus-14", "2026-11-20T10:00:00+14:00"),
        ("leap-second", "2026-12-31T23:59:60Z"),
        ("year-10000", "10000-01-01T00:00:00Z"),
        ("nanoseconds", "2026-11-20T10:00:00.123456789Z"),
    ]:
        lines.append((f"timestamp-{name}", _dumps(event(event_timestamp=stamp))))
    lines.append(("event-id-with-escapes", _dumps(event(event_id=EVIL_ID, correlation_id=EVIL_ID))))
    lone = event(event_id="s-\ud800", correlation_id="\udfff-lone")
    lines.append(("lone-surrogate-escaped", json.dumps(lone).encode("ascii")))
    return lines


def duplicates_of(event_ids: Iterable[str]) -> bytes:
    """A second file: events with the given ids but other content."""
    again = [event(event_id=eid, correlation_id="rr-second-file") for eid in event_ids]
    return b"".join(_dumps(item) + b"\n" for item in again)


def corpus_ndjson() -> bytes:
    return b"\n".join(line for _, line in corpus()) + b"\n"


def write_corpus(path: Path) -> Path:
    path.write_bytes(corpus_ndjson())
    return path


def hostile_cache(path: Path) -> Path:
    """A cache built from the corpus through the import path (what a user would have)."""
    from explorer.ingest.importer import import_files
    from explorer.store.cache import Cache

    source = write_corpus(path.with_suffix(".ndjson"))
    with Cache.open(path, notify=lambda _: None) as cache:
        import_files(cache, [source])
    return path


def servable_events() -> list[dict[str, Any]]:
    """The corpus lines a DataStorage could hold: JSON objects with a usable timestamp."""
    found = []
    for _, line in corpus():
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict) and parse_timestamp(value.get("event_timestamp")) is not None:
            found.append(value)
    return found


def read_export(path: Path, fmt: str) -> list[dict[str, Any]]:
    """The rows of an export file, read back with the ordinary readers of its format."""
    if fmt == "parquet":
        return pq.read_table(path).to_pylist()
    text = path.read_text(encoding="utf-8")
    if fmt == "json":
        return list(json.loads(text))
    if fmt == "ndjson":
        return [json.loads(line) for line in text.splitlines()]
    csv.field_size_limit(sys.maxsize)  # the corpus has megabyte cells
    return list(csv.DictReader(io.StringIO(text, newline="")))
