from __future__ import annotations

import pytest

from explorer.tui.widgets.events_table import COLUMNS, SUMMARY_MIN, column_widths, header_text


@pytest.mark.parametrize("width", [76, 80, 90, 100, 116, 136, 200])
def test_every_fixed_column_fits_from_80_columns_up(width: int) -> None:
    sizes, summary = column_widths(width)
    assert sum(size + 1 for size in sizes if size) + (summary + 1 if summary else 0) <= width + 1
    assert sizes[5] >= 8, "the decode badge stays readable"
    assert len(header_text(width)) <= width + 1


def test_a_wide_terminal_keeps_the_designed_widths() -> None:
    sizes, summary = column_widths(136)  # a 140-column terminal
    assert sizes == [size for _, size in COLUMNS]
    assert summary >= SUMMARY_MIN


def test_what_identifies_an_event_gets_width_before_the_payload() -> None:
    # 140 columns: a whole correlation ID (rr-catalog-api-aa2cc) and a long event type
    sizes, _summary = column_widths(136)
    assert sizes[4] >= len("rr-catalog-api-aa2cc") and sizes[2] >= len(
        "apifrontend.session.started"
    )
    # 80 columns: the service (the event type's first word) and the payload go first
    sizes, summary = column_widths(77)
    assert sizes[1] == 0 and summary == 0
    assert sizes[2] >= 22 and sizes[4] >= 18 and sizes[3] == 7
