from __future__ import annotations

import pytest

from harness.durations import format_duration, parse_duration, promql_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("500ms", 0.5),
        ("20s", 20),
        ("5m", 300),
        ("2h", 7200),
        ("1h30m", 5400),
        ("1.5s", 1.5),
        ("1d", 86400),
    ],
)
def test_durations_read_as_people_write_them(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10", "10 parsecs", "s", "5m3", "-5s", "1h 30m"])
def test_anything_else_is_refused_with_what_is_allowed(text: str) -> None:
    with pytest.raises(ValueError, match="20s, 5m"):
        parse_duration(text)


@pytest.mark.parametrize("value", [10, 1.5, True, None])
def test_numbers_without_a_unit_are_refused(value: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(value)


def test_promql_windows_are_exact_to_the_millisecond() -> None:
    assert promql_duration(12.3456) == "12346ms"
    assert promql_duration(0.0001) == "1ms"


def test_formatting_is_short() -> None:
    assert format_duration(90) == "1m30s"
    assert format_duration(0.25) == "250ms"
    assert format_duration(3600) == "1h"
