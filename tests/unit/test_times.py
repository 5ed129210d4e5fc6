"""explorer.times: one time grammar for CLI flags, filter terms and the server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from explorer.client.datastorage import EventFilters
from explorer.core.filters import parse_filter
from explorer.errors import ClientError, FilterError
from explorer.times import format_duration, parse_time, parse_timestamp, server_time

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

GRAMMAR = [
    ("now", NOW),
    ("30s", NOW - timedelta(seconds=30)),
    ("30m", NOW - timedelta(minutes=30)),
    ("24h", NOW - timedelta(hours=24)),
    ("7d", NOW - timedelta(days=7)),
    ("2w", NOW - timedelta(weeks=2)),
    ("2W", NOW - timedelta(weeks=2)),
    ("1h30m", NOW - timedelta(hours=1, minutes=30)),
    ("1d2h30m", NOW - timedelta(days=1, hours=2, minutes=30)),
    ("2026-11-19", datetime(2026, 11, 19, tzinfo=UTC)),
    ("2026-11-19T08:30", datetime(2026, 11, 19, 8, 30, tzinfo=UTC)),
    ("2026-11-19T08:30:00Z", datetime(2026, 11, 19, 8, 30, tzinfo=UTC)),
    ("2026-11-19t08:30:00z", datetime(2026, 11, 19, 8, 30, tzinfo=UTC)),
    ("2026-11-19T10:30:00+02:00", datetime(2026, 11, 19, 8, 30, tzinfo=UTC)),
    ("2026-11-19T08:30:00.250-01:00", datetime(2026, 11, 19, 9, 30, 0, 250000, tzinfo=UTC)),
]
JUNK = ["", "soon", "24x", "h", "1.5h", "-1h", "24 h", "2026-13-01", "last tuesday", "9999999w"]


@pytest.mark.parametrize(("text", "expected"), GRAMMAR)
def test_the_grammar(text: str, expected: datetime) -> None:
    got = parse_time(text, NOW)
    assert got == expected and got.tzinfo is not None
    fraction = f".{expected.microsecond:06d}" if expected.microsecond else ""
    assert server_time(text, NOW) == expected.strftime("%Y-%m-%dT%H:%M:%S") + fraction + "Z"


@pytest.mark.parametrize("text", JUNK)
def test_junk_is_one_line_value_error(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_time(text, NOW)
    assert "\n" not in str(info.value) and repr(text) in str(info.value)


@pytest.mark.parametrize("text", [text for text, _ in GRAMMAR] + JUNK)
def test_sync_and_filters_accept_the_same_times(text: str) -> None:
    """The CLI sync options (EventFilters) and the filter language agree on every input."""

    def sync_accepts(name: str) -> bool:
        try:
            EventFilters(**{name: text})
        except ClientError:
            return False
        return True

    def filter_accepts(name: str) -> bool:
        try:
            parse_filter(f'{name}:"{text}"', now=NOW)
        except FilterError:
            return False
        return True

    valid = text not in JUNK
    for name in ("since", "until"):
        assert sync_accepts(name) is valid, name
        assert filter_accepts(name) is valid, name


def test_filter_and_sync_mean_the_same_moment() -> None:
    flt = parse_filter("since:1h30m until:2026-11-20", now=NOW)
    resolved = EventFilters(since="1h30m", until="2026-11-20").resolved(NOW)
    assert flt.params == [parse_timestamp(resolved.since), parse_timestamp(resolved.until)]


def test_parse_timestamp_never_raises() -> None:
    assert parse_timestamp(None) is None
    assert parse_timestamp(20261120) is None
    assert parse_timestamp("nope") is None
    assert parse_timestamp("9999-12-31T23:59:59-01:00") is None  # past year 9999 in UTC
    assert parse_timestamp("2026-11-20T10:00:00") == NOW


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0s"),
        (0.85, "850ms"),
        (12.44, "12.4s"),
        (153, "2m33s"),
        (3 * 60 + 5, "3m05s"),
        (2 * 3600 + 10 * 60, "2h10m"),
        (timedelta(hours=50), "2d02h"),
        (timedelta(days=9, hours=1, minutes=59), "9d01h"),
        (-153, "-2m33s"),
    ],
)
def test_one_duration_style(value: float | timedelta, expected: str) -> None:
    assert format_duration(value) == expected


def test_tui_and_cli_durations_agree() -> None:
    from explorer.tui.text import duration

    assert duration(50 * 3600) == format_duration(timedelta(hours=50)) == "2d02h"
