"""SLO evaluation is pure: counts in, status out. Missing data is never success."""

from __future__ import annotations

import pytest

from harness.slo.evaluate import burn_rate, evaluate_slo
from harness.slo.measure import SLIMeasurement
from harness.values.slo import CLIENT_EVENTS_QUERY, SLO
from harness.values.verdict import SLOStatus

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


RAW = SLO(name="r", service="s", source="f", objective=0.99, raw_query="ratio")
RAW_FAILURE = SLO(
    name="rf", service="s", source="f", objective=0.99, raw_query="ratio", raw_is_failure=True
)
RAW_OWN_COUNT = SLO(
    name="ro", service="s", source="f", objective=0.99, raw_query="ratio", events_query="n"
)
RAW_RATE_COUNT = SLO(
    name="rr",
    service="s",
    source="f",
    objective=0.99,
    raw_query="ratio",
    events_query="sum(rate(requests_total[{{window}}]))",
)

# A raw ratio's events are SLIMeasurement.total: its own events query, or the client's counter.
RAW_CASES = {
    "A raw ratio with too few events is no data, however good its ratio.": (
        RAW,
        SLIMeasurement(good=None, bad=None, total=40, raw=1.0, window_s=2),
        SLOStatus.NO_DATA,
        "not enough events: 40 in the window, at least 100 are needed",
    ),
    "A raw ratio whose events could not be counted is no data, saying how to give a count.": (
        RAW,
        SLIMeasurement(good=None, bad=None, total=None, raw=1.0, window_s=2),
        SLOStatus.NO_DATA,
        "loadgate_client_requests_total) had no data over the window",
    ),
    "A raw ratio whose own events query has no data is no data, naming the annotation.": (
        RAW_OWN_COUNT,
        SLIMeasurement(good=None, bad=None, total=None, raw=1.0, window_s=2),
        SLOStatus.NO_DATA,
        "the events query (loadgate/events-query) returned no data",
    ),
    "A raw ratio with enough events but no ratio is no data.": (
        RAW,
        SLIMeasurement(good=None, bad=None, total=500, raw=None, window_s=2),
        SLOStatus.NO_DATA,
        "the raw ratio query returned no data",
    ),
    "A raw success ratio with enough events is met when above the objective.": (
        RAW,
        SLIMeasurement(good=None, bad=None, total=500, raw=0.995, window_s=2),
        SLOStatus.MET,
        "events are the load generator's requests",
    ),
    "A raw success ratio with enough events is breached when below the objective.": (
        RAW,
        SLIMeasurement(good=None, bad=None, total=500, raw=0.98, window_s=2),
        SLOStatus.BREACHED,
        "events are the load generator's requests",
    ),
    "A raw failure ratio is judged on one minus the ratio.": (
        RAW_FAILURE,
        SLIMeasurement(good=None, bad=None, total=500, raw=0.02, window_s=2),
        SLOStatus.BREACHED,
        "events are the load generator's requests",
    ),
    "A raw ratio counted by its own events query does not mention the client's counter.": (
        RAW_OWN_COUNT,
        SLIMeasurement(good=None, bad=None, total=500, raw=0.995, window_s=2),
        SLOStatus.MET,
        None,  # no detail at all
    ),
    "A rate() events query counts events per second times the window.": (
        RAW_RATE_COUNT,
        SLIMeasurement(good=None, bad=None, total=40, raw=0.995, window_s=2),
        SLOStatus.NO_DATA,
        "not enough events: 80 in the window",
    ),
}


@pytest.mark.parametrize("case", list(RAW_CASES))
def test_raw_ratios_are_guarded_by_their_events_like_any_other_slo(case: str) -> None:
    slo, measured, status, detail = RAW_CASES[case]

    evaluation = evaluate_slo(slo, measured, min_events=100)

    assert evaluation.status is status
    assert evaluation.detail == "" if detail is None else detail in evaluation.detail
    if status is SLOStatus.NO_DATA:
        assert evaluation.sli is None
    else:
        assert evaluation.events == measured.total
        assert measured.raw is not None
        expected = 1 - measured.raw if slo.raw_is_failure else measured.raw
        assert evaluation.sli == pytest.approx(expected)


def test_a_raw_ratio_counts_its_own_events_query_or_else_the_load_generators_requests() -> None:
    assert RAW_OWN_COUNT.count_query == "n"
    assert RAW.count_query == CLIENT_EVENTS_QUERY
    assert GOOD_TOTAL.count_query == GOOD_TOTAL.total_query
