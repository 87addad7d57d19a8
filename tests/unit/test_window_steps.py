"""A range query's answer placed on its steps: a step Prometheus left out, or answered with NaN,
is a gap in its place — the later values do not slide into it."""

from __future__ import annotations

from harness.prometheus_api import on_steps


def test_each_step_gets_its_value_and_a_missing_one_is_a_gap() -> None:
    points = [(100.0, 1.0), (105.0, 2.0), (120.0, 5.0)]  # 110 and 115 were left out
    assert on_steps(points, 100, 120, 5) == [1.0, 2.0, None, None, 5.0]


def test_nan_and_infinity_are_gaps_and_points_off_the_range_are_ignored() -> None:
    points = [(95.0, 9.0), (100.0, float("nan")), (105.0, float("inf")), (110.0, 3.0), (125.0, 9.0)]
    assert on_steps(points, 100, 110, 5) == [None, None, 3.0]


def test_the_range_ends_at_the_last_whole_step() -> None:
    assert on_steps([], 100, 114.9, 5) == [None, None, None]
    assert on_steps([(115.0, 1.0)], 100, 115, 5) == [None, None, None, 1.0]
    assert on_steps([], 100, 99, 5) == []
