"""Durations as people write them: ``500ms``, ``20s``, ``5m``, ``2h``, ``1h30m``."""

from __future__ import annotations

import re

__all__ = ["DURATION_HELP", "format_duration", "parse_duration", "promql_duration"]

DURATION_HELP = "a duration such as 500ms, 20s, 5m, 2h or 1h30m"
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")


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
