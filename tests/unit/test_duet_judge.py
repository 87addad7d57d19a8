"""The duet's judge on constructed windows: identical sides pass, a +20 % candidate fails with its
interval, a noise factor shared by both sides cancels in the duet but not between two runs, a
thin percentile is not judged, and the run's false-alarm rate is split over its comparisons."""

from __future__ import annotations

import random

from harness.gate.comparable import requests_needed
from harness.gate.duet import DUET_DEFAULT_CRITERIA, MEDIAN, judge_duet
from harness.gate.relative import judge_relative
from harness.values.criteria import Direction, RelativeCriterion
from harness.values.samples import PerWindow
from harness.values.status import Status

WINDOWS = 12  # a 60 s duet in 5 s windows
HOME = "GET /v1/recommendations/home"
P50 = (RelativeCriterion("p50_ms", 10.0, Direction.HIGHER_IS_WORSE, key=True),)


def sides(
    shift: float, shared_noise: float, own_noise: float = 0.02, seed: int = 7, rate: float = 100.0
) -> tuple[PerWindow, PerWindow]:
    """p50 per window on each side: 20 ms × a factor both sides share in that window (the
    machine) × each side's own small noise; the candidate × (1 + shift)."""
    rng = random.Random(seed)
    base: list[float | None] = []
    cand: list[float | None] = []
    for _ in range(WINDOWS):
        machine = rng.uniform(1.0, 1.0 + shared_noise)
        base.append(20.0 * machine * rng.lognormvariate(0, own_noise))
        cand.append(20.0 * (1 + shift) * machine * rng.lognormvariate(0, own_noise))
    throughput: list[float | None] = [rate] * WINDOWS
    return (
        {HOME: {"p50_ms": base, "throughput": throughput}},
        {HOME: {"p50_ms": cand, "throughput": throughput}},
    )


def test_identical_sides_pass() -> None:
    baseline, candidate = sides(0.0, 0.0, own_noise=0.0)
    judged = judge_duet(P50, baseline, candidate)
    assert [c.status for c in judged.criteria] == [Status.PASS]
    assert judged.criteria[0].effect_pct == 0.0


def test_a_twenty_percent_slower_candidate_fails_with_its_interval() -> None:
    baseline, candidate = sides(0.20, 0.5)
    [criterion] = judge_duet(P50, baseline, candidate).criteria
    assert criterion.status is Status.FAIL
    assert criterion.ci_pct is not None
    low, high = criterion.ci_pct
    assert 10.0 < low < high  # the whole interval beyond the tolerance
    assert criterion.effect_pct is not None and abs(criterion.effect_pct - 20.0) < 2.5
    assert "rose" in criterion.detail and HOME in criterion.detail


def test_noise_shared_by_both_sides_cancels_in_the_duet_but_not_between_runs() -> None:
    # The machine slows some windows by up to 60 %; both sides alike in a duet.
    baseline, candidate = sides(0.0, 0.6)
    assert judge_duet(P50, baseline, candidate).criteria[0].status is Status.PASS
    # Two sequential runs meet different machine states: the same unchanged service, windows of
    # two independent runs, cannot be told apart from a change.
    other_run, _ = sides(0.0, 0.6, seed=99)
    [sequential] = judge_relative(P50, other_run, candidate, "earlier run").criteria
    assert sequential.status is not Status.PASS
    duet_width = _width(judge_duet(P50, baseline, candidate).criteria[0].ci_pct)
    assert duet_width * 4 < _width(sequential.ci_pct)


def test_a_percentile_whose_windows_are_too_thin_is_not_judged_and_says_why() -> None:
    baseline, candidate = sides(0.0, 0.0, rate=24.0)  # 120 requests a window
    for side in (baseline, candidate):
        side[HOME]["p99_ms"] = side[HOME]["p50_ms"]
    tails = tuple(
        RelativeCriterion(tail, 25.0, Direction.HIGHER_IS_WORSE, key=True)
        for tail in ("p95_ms", "p99_ms")
    )
    judged = judge_duet((*P50, *tails), baseline, candidate)
    assert [c.name for c in judged.criteria] == [f"p50 of {HOME}, candidate vs baseline"]
    assert any("p99" in reason and "≥ 1000" in reason for reason in judged.unjudged)
    assert requests_needed("p95_ms") == 200


def test_the_false_alarm_rate_is_split_over_the_run_s_comparisons() -> None:
    baseline, candidate = sides(0.0, 0.1)
    for side in (baseline, candidate):
        side["POST /v1/events"] = dict(side[HOME])
    judged = judge_duet(P50, baseline, candidate)
    assert len(judged.criteria) == 2
    assert judged.confidence == 1 - 0.05 / 2
    # A share of the run's α (a calibration re-judging with weights) is split the same way.
    assert judge_duet(P50, baseline, candidate, alpha=0.025).confidence == 1 - 0.025 / 2


def test_an_endpoint_on_one_side_only_is_named_not_judged() -> None:
    baseline, candidate = sides(0.0, 0.0)
    candidate["GET /v2/new"] = dict(candidate[HOME])
    judged = judge_duet(P50, baseline, candidate)
    assert any("GET /v2/new" in r and "baseline side" in r for r in judged.unjudged)


def _width(ci: tuple[float, float] | None) -> float:
    assert ci is not None
    return ci[1] - ci[0]


def test_the_default_judges_the_median_only_all_requests_and_each_endpoint() -> None:
    """Tails are left to the SLOs: over a 45 s duet the two sides' p95 ratio read unchanged
    services up to +103 % (docs/performance.md), noise a tail criterion would only warn on."""
    assert {(c.metric, c.endpoint) for c in DUET_DEFAULT_CRITERIA} == {
        (MEDIAN, "all"),
        (MEDIAN, "each"),
    }
    assert all(c.key for c in DUET_DEFAULT_CRITERIA)


def test_each_criterion_gets_an_equal_share_of_alpha_split_among_its_endpoints() -> None:
    """All requests' p50 is one question, each endpoint's p50 another: the first is judged at
    1 − α/2, each of 4 endpoints at 1 − α/8 — not all 5 comparisons at 1 − α/5, which let the
    repeated criterion take most of α and left all requests' interval wider."""
    baseline, candidate = sides(0.0, 0.1)
    endpoints = ["GET /a", "GET /b", "GET /c", "POST /d"]
    for side in (baseline, candidate):
        home = side.pop(HOME)
        side.update({endpoint: dict(home) for endpoint in [*endpoints, "all"]})

    judged = judge_duet(DUET_DEFAULT_CRITERIA, baseline, candidate)

    levels = {c.name.split(",")[0]: c.detail or c.name for c in judged.criteria}
    assert len(judged.criteria) == 5, levels
    intervals = {c.name.split(",")[0]: c.ci_pct for c in judged.criteria if c.ci_pct is not None}
    assert set(intervals) == {"p50 of all", *(f"p50 of {e}" for e in endpoints)}
    # the same windows on every endpoint: the stricter level gives each endpoint a wider interval
    assert _width(intervals["p50 of all"]) < _width(intervals["p50 of GET /a"])
    assert judged.confidence == 1 - 0.05 / 8
