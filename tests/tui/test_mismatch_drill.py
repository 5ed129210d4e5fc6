from __future__ import annotations

from explorer.core.filters import parse_terms
from explorer.core.stats import MismatchRow
from explorer.tui.screens.mismatches import drill_expression
from tests.unit.test_filters import HOSTILE


def test_drill_down_expression_round_trips_hostile_names() -> None:
    for value in (*HOSTILE, "a'b\"c", "x,y z*"):
        row = MismatchRow("gateway", value, "invalid", "type", 1)
        terms = list(parse_terms(drill_expression(row, "since:24h")))
        assert [t.key for t in terms] == ["since", "service", "type", "status", "issue", "fits"]
        assert [v.text for v in terms[2].values] == [value]
