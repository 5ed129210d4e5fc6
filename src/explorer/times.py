"""Times, one grammar for all: CLI flags, filter terms and the server's ``since``/``until``.

A time is ``now``; a span before now (``30s``, ``30m``, ``24h``, ``7d``, ``2w``, or a
compound such as ``1h30m``); or an ISO 8601 / RFC 3339 date-time (``Z`` or an offset; no
zone means UTC, a bare date means midnight UTC). The server gets every one of them as an
absolute RFC 3339 UTC time computed here (``format_timestamp``): it reads relative times as
Go durations, which have no days or weeks, and a relative time resolved once keeps every
page of one sync on the same window.

Imports nothing from explorer: any layer may use it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

RELATIVE = re.compile(r"^(?:\d{1,9}[smhdw])+$", re.IGNORECASE)
_PART = re.compile(r"(\d+)([smhdw])", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
HINT = "use 30m, 24h, 7d or an ISO date"  # also 2w, 1h30m, now


def parse_relative(text: str) -> timedelta | None:
    """``24h``, ``7d``, ``2w``, ``1h30m`` as a duration; None for anything else."""
    text = text.strip()
    if not RELATIVE.match(text):
        return None
    seconds = sum(int(n) * _UNITS[u.lower()] for n, u in _PART.findall(text))
    try:
        return timedelta(seconds=seconds)
    except OverflowError:
        return None


def parse_timestamp(value: Any) -> datetime | None:
    """An ISO 8601 / RFC 3339 date-time string as an aware UTC datetime; None if not one.

    Never raises. No zone counts as UTC; RFC 3339's lower-case ``t`` and ``z`` are accepted.
    The one parser for stored columns, server answers and user input alike.
    """
    if type(value) is not str:
        return None
    try:
        try:
            stamp = datetime.fromisoformat(value)
        except ValueError:
            stamp = datetime.fromisoformat(value.upper())
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=UTC)
        return stamp.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """A time in the grammar above as an aware UTC datetime; ValueError (one line) if not."""
    now = aware(now or datetime.now(UTC))
    text = text.strip()
    if text.lower() == "now":
        return now
    if RELATIVE.match(text):
        delta = parse_relative(text)
        try:
            if delta is None:
                raise OverflowError
            return now - delta
        except OverflowError:
            raise ValueError(f"time {text!r} is out of range") from None
    stamp = parse_timestamp(text)
    if stamp is None:
        raise ValueError(f"bad time {text!r}: {HINT}")
    return stamp


def aware(moment: datetime) -> datetime:
    """``moment`` with UTC as its zone when it has none."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_timestamp(value: datetime) -> str:
    """RFC 3339 in UTC with microseconds and ``Z`` (no ``+`` to escape in a URL)."""
    value = aware(value).astimezone(UTC)
    return f"{value.year:04d}" + value.strftime("-%m-%dT%H:%M:%S.%fZ")  # %Y is "1" in year 1


def server_time(text: str, now: datetime | None = None) -> str:
    """What the server gets for ``since``/``until``: ``text`` resolved, as RFC 3339 UTC.

    A time already in UTC with ``Z`` is sent as it was given; others have no fraction
    when they are whole seconds.
    """
    stamp = parse_time(text, now)
    given = text.strip()
    if given.endswith("Z") and given == given.upper() and not RELATIVE.match(given):
        return given
    if stamp.microsecond:
        return format_timestamp(stamp)
    return f"{stamp.year:04d}" + stamp.strftime("-%m-%dT%H:%M:%SZ")


def format_duration(value: timedelta | float) -> str:
    """``850ms``, ``12.4s``, ``3m05s``, ``2h10m``, ``2d02h``: two units at most."""
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{sign}{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{sign}{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{sign}{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{sign}{hours}h{minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{sign}{days}d{hours:02d}h"
