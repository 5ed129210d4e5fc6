from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.client.files import MAX_LINE, EventReader, Record, parse_json
from explorer.errors import InputError


def read(data: bytes) -> tuple[list[Record], str | None]:
    reader = EventReader(io.BytesIO(data), name="test")
    records = list(reader)
    return records, reader.shape


def test_ndjson_with_blank_lines_keeps_line_numbers() -> None:
    records, shape = read(b'{"a": 1}\n\n{"a": 2}\n')
    assert shape == "ndjson"
    assert [(r.locator, r.value) for r in records] == [("line 1", {"a": 1}), ("line 3", {"a": 2})]


def test_single_line_array_page_and_export() -> None:
    assert read(b'[{"a": 1}, {"a": 2}]')[1] == "array"
    records, shape = read(b'{"data": [{"a": 1}], "pagination": {"total": 1}}\n')
    assert shape == "page" and records[0].locator == "item 0"
    assert read(b'{"export_metadata": {}, "events": [{"a": 1}]}')[1] == "export"


def test_pretty_printed_documents() -> None:
    doc = json.dumps({"data": [{"a": 1}, {"a": 2}]}, indent=2).encode()
    records, shape = read(doc)
    assert shape == "page" and len(records) == 2
    records, shape = read(json.dumps({"event_id": "x"}, indent=2).encode())
    assert shape == "event" and records[0].value == {"event_id": "x"}


def test_ndjson_whose_first_line_is_broken() -> None:
    records, shape = read(b'{"broken": \n{"a": 1}\n{"a": 2}\n')
    assert shape == "ndjson"
    assert records[0].error is not None and records[0].locator == "line 1"
    assert [r.value for r in records[1:]] == [{"a": 1}, {"a": 2}]


def test_lines_that_are_arrays_or_numbers_are_records_not_errors() -> None:
    records, _ = read(b'{"a": 1}\n[1, 2]\n42\n')
    assert [r.value for r in records] == [{"a": 1}, [1, 2], 42]


def test_byte_order_mark_nul_bytes_and_invalid_utf8() -> None:
    records, _ = read(b'\xef\xbb\xbf{"a": 1}\n{"b": "\x00"}\n{"c": "\xff\xfe"}\n{"d": 1}\n')
    assert records[0].value == {"a": 1}
    assert records[1].error is not None  # a raw NUL is not valid inside a JSON string
    assert records[2].error is not None
    assert records[3].value == {"d": 1}


def test_integers_beyond_64_bits_are_kept_exactly() -> None:
    assert parse_json(b'{"n": 123456789012345678901234567890}') == {
        "n": 123456789012345678901234567890
    }


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    deep = b"[" * 10_000 + b"]" * 10_000
    records, _ = read(b'{"a": 1}\n' + deep + b"\n")
    assert records[1].error is not None


def test_nan_is_not_json() -> None:
    records, _ = read(b'{"a": 1}\n{"a": NaN}\n')
    assert records[1].error is not None


def test_over_long_line_is_reported_and_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("explorer.client.files.MAX_LINE", 1000)
    records, _ = read(b'{"a": 1}\n{"x": "' + b"y" * 5000 + b'"}\n{"a": 2}\n')
    assert records[1].error is not None and "longer than" in records[1].error
    assert records[2].value == {"a": 2}
    assert MAX_LINE >= 64 * 1024 * 1024


def test_binary_noise_is_refused_at_once() -> None:
    with pytest.raises(InputError, match="not JSON"):
        read(bytes(range(256)) * 100)


def test_empty_input() -> None:
    assert read(b"") == ([], "empty")
    assert read(b"\n\n  \n") == ([], "empty")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(EventReader(tmp_path / "missing.ndjson"))
    with pytest.raises(InputError, match="directory"):
        list(EventReader(tmp_path))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_shape_detection_never_raises_anything_but_input_error(data: bytes) -> None:
    try:
        records, _ = read(data)
    except InputError:
        return
    for record in records:
        assert record.ok or record.error


def test_a_byte_order_mark_may_open_any_line() -> None:
    records, _ = read(b'{"a": 1}\n\xef\xbb\xbf{"a": 2}\n')
    assert [r.value for r in records] == [{"a": 1}, {"a": 2}]
