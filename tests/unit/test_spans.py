"""A parallel import cuts its input into byte spans that workers read themselves: the
lines they read, and their numbers, are the lines the plain reader reads."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer.client.files import TOO_LONG, NumberedLines
from explorer.ingest import ndjson
from explorer.ingest.ndjson import Span, read_span

LIMIT = 40  # MAX_LINE, scaled down


def _plain(data: bytes) -> list[tuple[int, bytes | None]]:
    lines = NumberedLines(io.BytesIO(data))
    return [(n, None if t is TOO_LONG else t.removesuffix(b"\n")) for n, t in lines]


def _spanned(data: bytes, block: int, tmp: Path) -> list[tuple[int, bytes | None]]:
    path = tmp / "in.ndjson"
    path.write_bytes(data)
    with path.open("rb") as stream:
        spans = list(ndjson.spans(stream, block))
    assert sum(span.length for span in spans) == len(data)  # every byte, once, in order
    assert all(a.offset + a.length == b.offset for a, b in itertools.pairwise(spans))
    return [line for span in spans for line in read_span(str(path), span)]


_line = st.one_of(
    st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")),
    st.just(b""),
    st.just(b"\r"),
    st.integers(LIMIT - 1, LIMIT + 2).map(lambda n: b"x" * n),
    st.just(b"y" * 100),
)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(_line, max_size=12), last=st.booleans(), block=st.integers(1, 64))
def test_spans_read_the_lines_the_plain_reader_reads(
    lines: list[bytes], last: bool, block: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    data = b"\n".join(lines) + (b"\n" if last and lines else b"")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("explorer.client.files.MAX_LINE", LIMIT)
        patch.setattr(ndjson, "MAX_LINE", LIMIT)
        expected = _plain(data)
        got = _spanned(data, block, tmp_path_factory.mktemp("spans"))
    assert got == expected


def test_a_long_line_is_a_span_of_its_own_and_never_read(tmp_path: Path) -> None:
    data = b'{"a": 1}\n' + b"z" * 100 + b'\n{"b": 2}'
    path = tmp_path / "in.ndjson"
    path.write_bytes(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ndjson, "MAX_LINE", LIMIT)
        with path.open("rb") as stream:
            spans = list(ndjson.spans(stream, 16))
    assert spans == [Span(0, 9, 1), Span(9, 101, 2, too_long=True), Span(110, 8, 3)]
    assert read_span(str(path), spans[1]) == [(2, None)]
