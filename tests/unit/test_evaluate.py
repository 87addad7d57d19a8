"""SLO evaluation is pure: counts in, status out. Missing data is never success."""

from __future__ import annotations

import pytest

from harness.model import SLOStatus
from harness.slo.evaluate import burn_rate, evaluate_slo
from harness.slo.measure import SLIMeasurement
from harness.slo.model import SLO

GOOD_TOTAL = SLO(name="a", service="s", source="f", objective=0.99, total_query="t", good_query="g")
BAD_TOTAL = SLO(name="b", service="s", source="f", objective=0.99, total_query="t", bad_query="b")


@pytest.mark.parametrize(
    ("slo", "measured", "status"),
    [
        (GOOD_TOTAL, SLIMeasurement(good=995, bad=None, total=1000), SLOStatus.MET),
        (GOOD_TOTAL, SLIMeasurement(good=990, bad=None, total=1000), SLOStatus.MET),
        (GOOD_TOTAL, SLIMeasurement(good=989, bad=None, total=1000), SLOStatus.BREACHED),
        (BAD_TOTAL, SLIMeasurement(good=None, bad=5, total=1000), SLOStatus.MET),
        (BAD_TOTAL, SLIMeasurement(good=None, bad=20, total=1000), SLOStatus.BREACHED),
    ],
)
def test_met_or_breached_by_the_ratio(
    slo: SLO, measured: SLIMeasurement, status: SLOStatus
) -> None:
    assert evaluate_slo(slo, measured, min_events=100).status is status


@pytest.mark.parametrize(
    ("measured", "why"),
    [
        (SLIMeasurement(good=10, bad=None, total=None), "total query returned no data"),
        (SLIMeasurement(good=None, bad=None, total=1000), "good query returned no data"),
        (SLIMeasurement(good=50, bad=None, total=50), "not enough events: 50"),
        (SLIMeasurement(good=None, bad=None, total=None, error="rejected"), "rejected"),
    ],
)
def test_no_series_too_few_events_or_errors_are_no_data(measured: SLIMeasurement, why: str) -> None:
    evaluation = evaluate_slo(GOOD_TOTAL, measured, min_events=100)
    assert evaluation.status is SLOStatus.NO_DATA
    assert why in evaluation.detail
    assert evaluation.sli is None


def test_burn_rate_is_error_ratio_over_budget() -> None:
    evaluation = evaluate_slo(
        GOOD_TOTAL, SLIMeasurement(good=970, bad=None, total=1000), min_events=1
    )
    assert evaluation.burn_rate == pytest.approx(3.0)
    assert burn_rate(1.0, 0.999) == 0.0


def test_extrapolation_past_one_is_clamped_not_reported_as_more_than_perfect() -> None:
    evaluation = evaluate_slo(
        GOOD_TOTAL, SLIMeasurement(good=1001.2, bad=None, total=1000), min_events=1
    )
    assert evaluation.sli == 1.0
