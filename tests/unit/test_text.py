"""explorer.text: one control-character policy for the CLI, the TUI, errors and exports."""

from __future__ import annotations

import io

import orjson
import pyarrow as pa
import pytest

from explorer import text
from explorer.cli import render
from explorer.client.datastorage import ClientSettings, DataStorageClient
from explorer.models.decode import Status
from explorer.store.connection import first_line
from explorer.tui import text as tui_text
from explorer.tui.widgets.result_table import safe_table

# Every code point of the policy, written out independently of explorer.text.RANGES.
POLICY = (
    set(range(0x00, 0x20))
    | set(range(0x7F, 0xA0))
    | {0x2028, 0x2029}
    | set(range(0x202A, 0x202F))
    | set(range(0x2066, 0x206A))
)
UNSAFE = "".join(map(chr, sorted(POLICY)))
NEAR = "a\u00e9\u200b\u2065\u206a\u2027 €"  # neighbours that are not controls


def test_the_policy_is_exactly_that_set() -> None:
    matched = {c for c in range(0x2100) if text.CONTROL.fullmatch(chr(c))}
    assert matched == POLICY
    assert text.clean(NEAR + "\u00a0\u202f") == NEAR + "\u00a0\u202f"


def test_clean_escapes_visibly() -> None:
    assert text.clean("a\x1b[31mb\nc\td\r\x9b\u202e\u2028") == (
        "a\\x1b[31mb\\nc\\td\\r\\x9b\\u202e\\u2028"
    )
    assert text.clean_lines("a\nb\tc\x1b") == "a\nb\tc\\x1b"


@pytest.mark.parametrize(
    "clean",
    [
        text.clean,
        render.clean,
        tui_text.clean,
        first_line,
        lambda s: DataStorageClient(ClientSettings(url="http://x"))._scrub(s),
        lambda s: tui_text.visible(s),
        lambda s: safe_table(pa.table({"c": [s]}))["c"][0].as_py(),
    ],
    ids=["text", "cli", "tui", "errors", "client", "tui-input", "tui-table"],
)
def test_every_caller_leaves_no_control(clean: object) -> None:
    for char in UNSAFE:
        shown = clean(f"x{char}y")  # type: ignore[operator]
        assert not text.has_controls(shown), (clean, hex(ord(char)))
    assert clean(NEAR) == NEAR  # type: ignore[operator]


def test_terminal_stream_keeps_lines() -> None:
    out = io.BytesIO()
    render.TerminalStream(out).write(("a\tb\nc" + UNSAFE).encode())
    shown = out.getvalue().decode()
    assert shown.startswith("a\tb\nc") and not text.has_controls(
        shown.replace("\n", "").replace("\t", "")
    )


def test_json_escaper_matches_the_policy() -> None:
    """``_JSON_UNSAFE`` (on UTF-8 bytes) covers the policy but C0, which orjson escapes."""
    byte_matched = {c for c in range(0x2100) if render._JSON_UNSAFE.fullmatch(chr(c).encode())}
    assert byte_matched == {c for c in POLICY if c >= 0x20}
    safe = render.json_safe(orjson.dumps(UNSAFE + NEAR)).decode()
    assert orjson.loads(safe) == UNSAFE + NEAR and not text.has_controls(safe)


def test_one_badge_mapping() -> None:
    for status in Status:
        assert tui_text.badge(status.value) == status.value  # one vocabulary everywhere
    assert tui_text.badge("weird\x1b") == "weird\\x1b"
    assert tui_text.badge(None) == "-"
