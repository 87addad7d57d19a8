from __future__ import annotations

import pytest

from harness.durations import format_duration, parse_duration, parse_slo_window, promql_duration

DAY = 86400


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
        ("2w", 14 * 86400),
    ],
)
def test_durations_read_as_people_write_them(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10", "10 parsecs", "s", "5m3", "-5s", "1h 30m"])
def test_anything_else_is_refused_with_what_is_allowed(text: str) -> None:
    with pytest.raises(ValueError, match="20s, 5m"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["1M", "1Q", "1Y"])
def test_run_durations_have_no_months_a_load_window_is_never_one(text: str) -> None:
    with pytest.raises(ValueError, match="20s, 5m"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("1w", 7),
        ("2w", 14),
        ("4w", 28),
        ("1M", 30),
        ("3M", 90),
        ("1Q", 90),
        ("1Y", 365),
        ("28d", 28),
    ],
)
def test_slo_windows_read_the_openslo_shorthand(text: str, days: int) -> None:
    assert parse_slo_window(text) == days * DAY


def test_slo_windows_keep_reading_loadgates_own_forms() -> None:
    assert parse_slo_window("36h") == 1.5 * DAY
    assert parse_slo_window("1d12h") == 1.5 * DAY


@pytest.mark.parametrize("text", ["0M", "1.5M", "M", "1m2M", "1X", "0d", 28])
def test_slo_windows_refuse_anything_else_saying_what_a_month_is(text: object) -> None:
    with pytest.raises(ValueError, match=r"4w or 1M .*M = 30 days"):
        parse_slo_window(text)


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
