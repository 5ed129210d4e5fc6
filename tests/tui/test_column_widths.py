from __future__ import annotations

import pytest

from explorer.tui.widgets.events_table import COLUMNS, SUMMARY_MIN, column_widths


@pytest.mark.parametrize("width", [76, 80, 90, 100, 116, 200])
def test_every_fixed_column_fits_from_80_columns_up(width: int) -> None:
    sizes, summary = column_widths(width)
    assert sum(size + 1 for size in sizes) + (summary + 1 if summary else 0) <= width + 1
    assert sizes[5] == 8, "the decode badge is never narrowed"


def test_a_wide_terminal_keeps_the_designed_widths() -> None:
    sizes, summary = column_widths(116)
    assert sizes == [size for _, size in COLUMNS]
    assert summary >= SUMMARY_MIN
