"""The arithmetic of calibration against known values: exact binomial intervals, the detection
curve, and the smallest shift the gate catches with 95 % power."""

from __future__ import annotations

import pytest
from scipy.stats import binomtest

from harness.calibrate.stats import (
    DetectionPoint,
    clopper_pearson,
    detection_curve,
    detection_point,
    smallest_detected_shift,
)


@pytest.mark.parametrize(
    ("failures", "trials", "low", "high"),
    [
        (0, 60, 0.0, 1 - 0.025 ** (1 / 60)),  # 0.0596: "0 in 60" is "at most 6 %"
        (0, 59, 0.0, 0.0606),
        (5, 20, 0.0866, 0.4910),  # what R's binom.test(5, 20) reports: Clopper–Pearson too
        (20, 20, 0.025 ** (1 / 20), 1.0),  # 0.8316: all 20 failed is still not "≥ 95 %" surely
        (72, 72, 0.9501, 1.0),  # the fewest all-fail runs whose lower bound reaches 0.95
    ],
)
def test_clopper_pearson_known_values(failures: int, trials: int, low: float, high: float) -> None:
    assert clopper_pearson(failures, trials) == pytest.approx((low, high), abs=5e-5)


@pytest.mark.parametrize(("failures", "trials"), [(0, 1), (1, 7), (3, 40), (39, 40), (17, 17)])
def test_clopper_pearson_agrees_with_scipys_exact_binomial_interval(
    failures: int, trials: int
) -> None:
    ci = binomtest(failures, trials).proportion_ci(confidence_level=0.95, method="exact")
    assert clopper_pearson(failures, trials) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_the_interval_is_symmetric_between_failures_and_passes() -> None:
    low, high = clopper_pearson(3, 25)
    assert clopper_pearson(22, 25) == pytest.approx((1 - high, 1 - low))


@pytest.mark.parametrize(("failures", "trials"), [(-1, 10), (11, 10), (0, 0)])
def test_impossible_counts_are_refused(failures: int, trials: int) -> None:
    with pytest.raises(ValueError, match="failures"):
        clopper_pearson(failures, trials)


def test_the_detection_curve_counts_failed_runs_per_shift_smallest_first() -> None:
    curve = detection_curve(
        {10.0: [True] * 19 + [False], 0.0: [False] * 59 + [True], 5.0: [True, False] * 10}
    )
    assert [p.shift_pct for p in curve] == [0.0, 5.0, 10.0]
    assert [(p.failures, p.trials) for p in curve] == [(1, 60), (10, 20), (19, 20)]
    assert [p.p_fail for p in curve] == [1 / 60, 0.5, 0.95]
    assert curve[1].ci == clopper_pearson(10, 20)


def curve_of(*points: tuple[float, int, int]) -> list[DetectionPoint]:
    return [detection_point(shift, failures, trials) for shift, failures, trials in points]


def test_the_smallest_shift_detected_is_where_the_observed_rate_reaches_95_pct() -> None:
    curve = curve_of((0, 1, 20), (5, 8, 20), (10, 19, 20), (20, 20, 20))
    assert smallest_detected_shift(curve) == 10
    # The stricter reading: 20 of 20 has a lower bound of 0.83, so nothing qualifies.
    assert smallest_detected_shift(curve, criterion="lower_bound") is None


def test_the_lower_bound_criterion_needs_enough_runs() -> None:
    curve = curve_of((5, 60, 80), (10, 80, 80))  # 80/80: lower bound 0.955
    assert smallest_detected_shift(curve, criterion="lower_bound") == 10
    assert smallest_detected_shift(curve) == 10  # 60/80 = 0.75 at 5 %


def test_a_dip_above_a_qualifying_shift_is_not_claimed_past() -> None:
    # 19/20 at 5 % by luck, 18/20 at 10 %: only from 20 % on did the gate catch ≥ 95 %.
    curve = curve_of((5, 19, 20), (10, 18, 20), (20, 20, 20))
    assert smallest_detected_shift(curve) == 20


def test_no_answer_when_no_shift_reaches_the_power_or_only_zero_does() -> None:
    assert smallest_detected_shift(curve_of((5, 10, 20), (10, 18, 20))) is None
    # A gate failing everything, the unchanged service included, has detected nothing.
    assert smallest_detected_shift(curve_of((0, 20, 20))) is None
    assert smallest_detected_shift(curve_of((0, 20, 20), (10, 20, 20))) == 10
