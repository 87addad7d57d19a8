"""Paired (duet) statistics on constructed windows: the estimate, its interval, the verdict, and
the reason for pairing — noise both sides share cancels."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import wilcoxon

from harness.gate.paired import (
    MIN_PAIRS,
    _signed_rank_pmf,
    compare_paired,
    hodges_lehmann,
    signed_rank_critical_value,
)
from harness.values.criteria import Direction
from harness.values.status import Status

HIGHER = Direction.HIGHER_IS_WORSE
WINDOWS = 60  # a 5-minute duet run in 5 s windows


def noise(rng: np.random.Generator, sigma: float = 0.05) -> np.ndarray:
    """A window's own multiplicative noise, independent on each side."""
    return rng.lognormal(0.0, sigma, WINDOWS)


def shared_factor(rng: np.random.Generator) -> np.ndarray:
    """What a busy machine does to both sides of one window alike: × 0.5 … 2."""
    return np.exp(rng.uniform(math.log(0.5), math.log(2.0), WINDOWS))


def width(ci: tuple[float, float] | None) -> float:
    assert ci is not None
    return ci[1] - ci[0]


def test_identical_samples_pass_with_no_shift() -> None:
    values = list(100 * noise(np.random.default_rng(1)))
    result = compare_paired(values, values, tolerance_pct=10, direction=HIGHER)
    assert result.status is Status.PASS
    assert result.n == WINDOWS and result.dropped == 0
    assert result.estimate_pct == 0 and result.ci_pct == (0, 0) and result.p_value == 1.0


def test_a_20_pct_rise_fails_with_an_interval_around_20_pct() -> None:
    rng = np.random.default_rng(2)
    baseline = 100 * noise(rng)
    candidate = 1.20 * 100 * noise(rng)
    result = compare_paired(list(baseline), list(candidate), tolerance_pct=10, direction=HIGHER)
    assert result.status is Status.FAIL
    assert result.ci_pct is not None and 10 < result.ci_pct[0] < 20 < result.ci_pct[1]
    assert result.estimate_pct == pytest.approx(20, abs=3)
    assert result.p_value is not None and result.p_value < 1e-6


def test_noise_both_sides_share_cancels_and_shuffling_the_pairs_loses_that() -> None:
    rng = np.random.default_rng(3)
    machine = shared_factor(rng)
    baseline = 100 * machine * noise(rng)
    same = 100 * machine * noise(rng)
    slower = 1.20 * 100 * machine * noise(rng)

    unchanged = compare_paired(list(baseline), list(same), tolerance_pct=10, direction=HIGHER)
    regressed = compare_paired(list(baseline), list(slower), tolerance_pct=10, direction=HIGHER)
    # Unpaired: the same windows with the pairing broken, as two independent runs would be.
    shuffled = list(rng.permutation(slower))
    unpaired = compare_paired(list(baseline), shuffled, tolerance_pct=10, direction=HIGHER)

    assert unchanged.status is Status.PASS
    assert regressed.status is Status.FAIL
    assert regressed.ci_pct is not None and regressed.ci_pct[0] < 20 < regressed.ci_pct[1]
    assert width(regressed.ci_pct) < width(unpaired.ci_pct) / 2, (regressed, unpaired)
    assert unpaired.status is not Status.FAIL  # drowned in the machine's noise


def test_lower_is_worse_fails_a_fall_and_passes_a_rise() -> None:
    rng = np.random.default_rng(4)
    baseline = 500 * noise(rng)
    fell = compare_paired(list(baseline), list(0.8 * baseline * noise(rng)), 5, "lower_is_worse")
    rose = compare_paired(list(baseline), list(1.2 * baseline * noise(rng)), 5, "lower_is_worse")
    assert fell.status is Status.FAIL
    assert fell.ci_pct is not None and fell.ci_pct[1] < -5
    assert rose.status is Status.PASS


def test_an_interval_straddling_the_tolerance_warns() -> None:
    # Shifts spread evenly around +10 %: the interval holds +10 % itself.
    d = math.log(1.10) + np.linspace(-0.05, 0.05, 20)
    result = compare_paired([1.0] * 20, list(np.exp(d)), tolerance_pct=10, direction=HIGHER)
    assert result.ci_pct is not None and result.ci_pct[0] < 10 < result.ci_pct[1]
    assert result.status is Status.WARN


def test_a_looser_warning_tolerance_turns_a_fail_into_a_warn_only_within_it() -> None:
    rng = np.random.default_rng(5)
    baseline = 100 * noise(rng)
    candidate = list(1.20 * 100 * noise(rng))

    within = compare_paired(list(baseline), candidate, 10, HIGHER, warning_tolerance_pct=30)
    beyond = compare_paired(list(baseline), candidate, 10, HIGHER, warning_tolerance_pct=12)

    assert within.status is Status.WARN
    assert beyond.status is Status.FAIL


def test_windows_missing_a_side_or_not_positive_are_left_out() -> None:
    baseline = [10.0, None, 10.0, 0.0, 10.0, 10.0, math.nan, 10.0, 10.0, 10.0]
    candidate = [12.0, 12.0, None, 12.0, 12.0, 12.0, 12.0, -1.0, 12.0, 12.0]
    result = compare_paired(baseline, candidate, tolerance_pct=10, direction=HIGHER)
    assert result.n == 5 and result.dropped == 5
    assert result.status is Status.NO_DATA and "at least 6" in result.detail


def test_five_pairs_are_too_few_even_for_a_doubling() -> None:
    # With 5 pairs the exact two-sided p-value is at least 2/32 > 0.05: nothing can be shown.
    assert MIN_PAIRS == 6
    five = compare_paired([1.0] * 5, [2.0] * 5, tolerance_pct=10, direction=HIGHER)
    six = compare_paired([1.0] * 6, [2.0] * 6, tolerance_pct=10, direction=HIGHER)
    assert five.status is Status.NO_DATA and five.estimate_pct is None
    assert six.status is Status.FAIL


def test_unequal_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="one value per window"):
        compare_paired([1.0] * 10, [1.0] * 9, tolerance_pct=10, direction=HIGHER)


def test_hodges_lehmann_on_a_hand_computable_example() -> None:
    # d = 1 … 10: the Walsh averages (i + j)/2, i ≤ j, are 1, 1.5, 2, 2, 2.5, 2.5, 3, 3, 3, …
    # (sum i + j = s occurs ⌊s/2⌋ times for s ≤ 11), so the 9th smallest is 3 and, by symmetry,
    # the 9th largest is 11 − 3 = 8; the median of all 55 is 5.5. For n = 10 the exact 95 %
    # interval takes the 9th smallest and 9th largest: P(T+ ≤ 8) = 25/1024 = 0.0244 ≤ 0.025 <
    # P(T+ ≤ 9) = 33/1024 (Hollander & Wolfe, Table A.4; R: qsignrank(0.025, 10) = 9).
    assert hodges_lehmann(list(range(1, 11))) == (3.0, 5.5, 8.0)
    # The same through the percent scale: candidate = baseline × e^(d / 100).
    d = [k / 100 for k in range(1, 11)]
    result = compare_paired([50.0] * 10, [50.0 * math.exp(x) for x in d], 2, HIGHER)
    assert result.estimate_pct == pytest.approx(100 * math.expm1(0.055))
    assert result.ci_pct == pytest.approx((100 * math.expm1(0.03), 100 * math.expm1(0.08)))
    assert result.status is Status.FAIL  # the whole interval (+3.0 … +8.3 %) beyond +2 %


@pytest.mark.parametrize(("n", "c"), [(6, 1), (8, 4), (10, 9), (15, 26), (20, 53), (30, 138), (50, 435)])  # fmt: skip
def test_critical_values_match_the_published_table(n: int, c: int) -> None:
    # C − 1 is the classic two-sided 5 % critical value of the signed-rank statistic (reject when
    # T ≤ C − 1): 0, 3, 8, 25, 52, 137, 434 for these n in the standard tables (e.g. Hollander &
    # Wolfe, Table A.4); C itself is R's qsignrank(0.025, n).
    assert signed_rank_critical_value(n, 0.05) == c


def test_the_exact_distribution_agrees_with_scipys_exact_p_value() -> None:
    # Ranks 1 … 12, negative for 1, 2, 4 and 7: T− = 14. Exact two-sided p = 2 · P(T+ ≤ 14).
    d = [-k if k in (1, 2, 4, 7) else k for k in range(1, 13)]
    expected = 2 * float(np.cumsum(_signed_rank_pmf(12))[14])
    assert wilcoxon(d, method="exact").pvalue == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("n", [51, 60, 100, 200])
def test_the_normal_approximation_beyond_50_pairs_is_within_one_rank_and_never_narrower(
    n: int,
) -> None:
    exact = int(np.searchsorted(np.cumsum(_signed_rank_pmf(n)), 0.025 - 1e-12))
    approximate = signed_rank_critical_value(n, 0.05)
    assert exact - 1 <= approximate <= exact


def test_too_few_pairs_for_the_corrected_confidence_are_no_data_not_a_narrow_label() -> None:
    """After a run-level correction for 6 comparisons each interval is 99.17 %: 7 pairs cannot
    reach it (their widest interval covers 1 − 2/2⁷ = 98.4 %), 8 can."""
    from harness.gate.paired import compare_log_ratios, pairs_needed

    confidence = 1 - 0.05 / 6
    assert pairs_needed(confidence) == 8
    seven = compare_log_ratios([0.01 * i for i in range(7)], 10.0, HIGHER, confidence=confidence)
    assert seven.status is Status.NO_DATA and "at least 8" in seven.detail
    eight = compare_log_ratios([0.01 * i for i in range(8)], 10.0, HIGHER, confidence=confidence)
    assert eight.status is Status.PASS
