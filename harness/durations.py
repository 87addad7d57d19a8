"""Durations as people write them: ``500ms``, ``20s``, ``5m``, ``2h``, ``1h30m``, ``4w``; and SLO
windows as OpenSLO writes them, which may also count months, quarters and years (``1M``)."""

from __future__ import annotations

import re

__all__ = [
    "CALENDAR_DAYS",
    "DURATION_HELP",
    "SLO_WINDOW_HELP",
    "format_duration",
    "parse_duration",
    "parse_slo_window",
    "promql_duration",
]

DURATION_HELP = "a duration such as 500ms, 20s, 5m, 2h or 1h30m"
# Weeks are exact and PromQL has them too (Sloth periods, policy windows: 4w); months are not
# exact, so they are only read where a window has to be a number of days anyway: SLO windows.
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 7 * 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
# OpenSLO's duration shorthand (a whole number and one of m h d w M Q Y) leaves each unit's length
# to the implementation. A rolling window in PromQL needs a fixed one: a month is 30 days (the SRE
# workbook's month, Sloth's default period, and the window the burn policy's numbers are for), a
# quarter three such months, a year 365 days (PromQL's own ``y``). 28 days is written ``4w``.
CALENDAR_DAYS = {"M": 30, "Q": 90, "Y": 365}
_CALENDAR = re.compile(r"([1-9]\d*)([MQY])")
SLO_WINDOW_HELP = (
    "a duration such as 28d, 4w or 1M (OpenSLO shorthand: a whole number and m, h, d, w, "
    "M = 30 days, Q = 90 days or Y = 365 days)"
)


def parse_duration(text: object) -> float:
    """Seconds in ``text``; raises ``ValueError`` with what is allowed when it is not a duration."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"expected {DURATION_HELP}")
    if isinstance(text, int | float):
        raise ValueError(f"{text!r} has no unit; expected {DURATION_HELP}")
    spec = text.strip()
    position, total = 0, 0.0
    for match in _PART.finditer(spec):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if position != len(spec) or not spec:
        raise ValueError(f"{text!r} is not {DURATION_HELP}")
    return total


def parse_slo_window(text: object) -> float:
    """Seconds in an SLO window: ``parse_duration``'s forms and OpenSLO's ``M``, ``Q``, ``Y``."""
    calendar = _CALENDAR.fullmatch(text.strip()) if isinstance(text, str) else None
    if calendar:
        return int(calendar.group(1)) * CALENDAR_DAYS[calendar.group(2)] * 86400.0
    try:
        seconds = parse_duration(text)
    except ValueError:
        raise ValueError(f"{text!r} is not {SLO_WINDOW_HELP}") from None
    if seconds <= 0:
        raise ValueError(f"{text!r} is an empty window; allowed: {SLO_WINDOW_HELP}")
    return seconds


def format_duration(seconds: float) -> str:
    """A short human form: 90 → ``1m30s``, 0.5 → ``500ms``."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
        f"{secs}s" if secs else "",
    ]
    return "".join(parts) or "0s"


def promql_duration(seconds: float) -> str:
    """A PromQL range, in whole milliseconds so the window is exact: 12.3456 → ``12346ms``."""
    return f"{max(1, round(seconds * 1000))}ms"
