"""The regression judge on constructed samples: each outcome, and the interval it reports."""

from __future__ import annotations

import random

import pytest

from harness.gate.statistics import compare
from harness.values.criteria import Direction
from harness.values.status import Status


def samples(center: float, count: int = 12, spread: float = 0.02, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    return [center * (1 + rng.uniform(-spread, spread)) for _ in range(count)]


def test_identical_runs_pass() -> None:
    result = compare(
        samples(100), samples(100), tolerance_pct=10, direction=Direction.HIGHER_IS_WORSE
    )
    assert result.judgement is Status.PASS
    assert abs(result.shift_pct or 0) < 1


def test_a_20_percent_rise_fails_with_an_interval_around_20_percent() -> None:
    result = compare(
        samples(100), samples(120, seed=2), tolerance_pct=10, direction=Direction.HIGHER_IS_WORSE
    )
    assert result.judgement is Status.FAIL
    assert result.shift_pct == pytest.approx(20, abs=2)
    assert result.ci_low_pct is not None and result.ci_high_pct is not None
    assert 10 < result.ci_low_pct < 20 < result.ci_high_pct < 25
    assert result.p_value is not None and result.p_value < 0.001


def test_a_3_percent_rise_under_a_10_percent_tolerance_passes() -> None:
    result = compare(
        samples(100), samples(103, seed=3), tolerance_pct=10, direction=Direction.HIGHER_IS_WORSE
    )
    assert result.judgement is Status.PASS
    assert result.shift_pct == pytest.approx(3, abs=1.5)


def test_three_windows_are_too_few_to_judge() -> None:
    result = compare(
        samples(100, count=3), samples(150), tolerance_pct=10, direction=Direction.HIGHER_IS_WORSE
    )
    assert result.judgement is Status.INCONCLUSIVE
    assert "too few windows" in result.detail


def test_a_shift_straddling_the_tolerance_warns() -> None:
    result = compare(
        samples(100, spread=0.2), samples(110, spread=0.2, seed=4), 10, Direction.HIGHER_IS_WORSE
    )
    assert result.judgement is Status.WARN


def test_lower_throughput_is_the_regression_for_throughput() -> None:
    falling = compare(
        samples(1000), samples(850, seed=5), tolerance_pct=5, direction=Direction.LOWER_IS_WORSE
    )
    rising = compare(
        samples(1000), samples(1150, seed=6), tolerance_pct=5, direction=Direction.LOWER_IS_WORSE
    )
    assert falling.judgement is Status.FAIL
    assert rising.judgement is Status.PASS


def test_the_worked_example_of_docs_gate_md() -> None:
    baseline = [14.1, 14.6, 13.9, 14.3, 14.8, 14.2]
    current = [18.2, 18.9, 17.8, 18.4, 19.0, 18.1]
    result = compare(baseline, current, tolerance_pct=10, direction=Direction.HIGHER_IS_WORSE)
    assert result.judgement is Status.FAIL
    assert (
        round(result.shift_pct or 0),
        round(result.ci_low_pct or 0),
        round(result.ci_high_pct or 0),
    ) == (29, 25, 33)


def test_windows_without_a_value_are_left_out_not_counted_as_windows() -> None:
    gappy: list[float | None] = [None, *samples(120, count=4, seed=2), None]
    too_few = compare(samples(100), gappy, tolerance_pct=10, direction=Direction.HIGHER_IS_WORSE)
    assert too_few.judgement is Status.INCONCLUSIVE
    assert "4 now" in too_few.detail
    enough = compare(
        samples(100), [*gappy, *samples(120, count=8, seed=3)], 10, Direction.HIGHER_IS_WORSE
    )
    assert enough.judgement is Status.FAIL
