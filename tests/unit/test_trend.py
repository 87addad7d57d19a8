"""Leak and drift detection on constructed series: each outcome, its interval and its sentence;
and the resource sampler against a fake Prometheus that fails in each way it can."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from harness.errors import InconclusiveError
from harness.prometheus_api import QueryError
from harness.soak.resources import ResourceSampler
from harness.soak.trend import (
    MEGABYTES,
    GrowthStatus,
    Trend,
    fit_trend,
    judge_growth,
    latency_drift,
    p99_drift,
)
from harness.values.samples import WINDOW_S

MB = 1e6
RSS_THRESHOLDS = (5 * MB, 2.0)  # the service RSS defaults: 5 MB/h and 2 %/h
SECONDS = [float(i) for i in range(1200)]  # 20 min of 1 s samples


def rss(slope_mb_per_h: float = 0.0, noise_mb: float = 2.0, seed: int = 1) -> list[float]:
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, noise_mb * MB, len(SECONDS))
    return [
        200 * MB + slope_mb_per_h * MB * t / 3600 + n for t, n in zip(SECONDS, noise, strict=True)
    ]


def judge_rss(values: list[float], skip_first_s: float = 0.0) -> tuple[GrowthStatus, str, Trend]:
    trend = fit_trend(SECONDS, values, skip_first_s=skip_first_s)
    assert trend is not None
    finding = judge_growth(trend, *RSS_THRESHOLDS, what="service RSS", unit=MEGABYTES)
    return finding.status, finding.sentence, trend


def test_flat_noise_is_flat_and_rules_a_leak_out() -> None:
    status, sentence, trend = judge_rss(rss(0.0))
    assert status is GrowthStatus.FLAT
    assert trend.ci_low_per_h < 0 < trend.ci_high_per_h < RSS_THRESHOLDS[0]
    assert sentence.endswith("flat: a leak (above 5.0 MB/h and 2 %/h at once) is ruled out")


def test_40_mb_per_hour_is_a_leak_with_an_interval_around_40() -> None:
    status, sentence, trend = judge_rss(rss(40.0))
    assert status is GrowthStatus.LEAKING
    assert trend.ci_low_per_h < 40 * MB < trend.ci_high_per_h
    assert trend.ci_high_per_h - trend.ci_low_per_h < 10 * MB
    assert trend.relative_pct_per_h > 15  # 40 MB/h on about 205 MB
    assert sentence.startswith("service RSS grows 4")
    assert "MB/h (95 % CI " in sentence and sentence.endswith("over 20 min — a leak")


def test_a_cache_filling_during_the_warm_up_is_not_a_leak() -> None:
    # 150 MB for 3 min, then 200 MB for good: a step, not a slope.
    values = [v - (50 * MB if t < 180 else 0) for t, v in zip(SECONDS, rss(0.0), strict=True)]
    _, unwarmed, _ = judge_rss(values)  # a fit over it all sees growth it cannot rule out
    assert "cannot be ruled out" in unwarmed or unwarmed.endswith("a leak")
    status, sentence, trend = judge_rss(values, skip_first_s=240)
    assert status is GrowthStatus.FLAT
    assert trend.span_s == 959 and "over 16 min" in sentence


def test_tiny_growth_on_a_tiny_value_is_not_a_leak() -> None:
    # 20 %/h relative, but 1 kB/h: far below the absolute threshold.
    values = [5_000 + 1_000 * t / 3600 for t in SECONDS]
    finding = judge_growth(fit_trend(SECONDS, values), *RSS_THRESHOLDS, unit=MEGABYTES)
    assert finding.trend is not None and finding.trend.relative_pct_per_h > 15
    assert finding.status is GrowthStatus.FLAT and not finding.not_ruled_out


def test_slow_growth_on_a_large_value_is_not_a_leak() -> None:
    # 10 MB/h is above the absolute threshold, but on 4 GB it is 0.25 %/h.
    values = [v + 4_000 * MB for v in rss(10.0)]
    status, sentence, _ = judge_rss(values)
    assert status is GrowthStatus.FLAT
    assert "is ruled out" in sentence


def test_an_interval_straddling_the_threshold_is_flat_but_not_ruled_out() -> None:
    status, sentence, trend = judge_rss(rss(5.0, noise_mb=3.0))
    assert status is GrowthStatus.FLAT
    assert trend.ci_low_per_h < RSS_THRESHOLDS[0] < trend.ci_high_per_h
    assert "cannot be ruled out" in sentence


def test_too_few_points_or_no_time_span_is_insufficient_data() -> None:
    assert fit_trend([0, 1, 2, 3, 4], [1, 2, 3, 4, 5]) is None
    assert fit_trend([5.0] * 10, list(range(10))) is None  # zero time span
    assert fit_trend(SECONDS[:60], [1.0] * 60, skip_first_s=56) is None  # the warm-up ate it
    assert fit_trend([0, 1, 2, 3, 4, 5, 6], [1, 2, float("nan"), 4, 5, 6, 7]) is not None  # 6 left
    finding = judge_growth(None, *RSS_THRESHOLDS, what="service RSS")
    assert finding.status is GrowthStatus.INSUFFICIENT_DATA
    assert finding.sentence.startswith("service RSS: too few samples")


def test_a_random_walk_without_drift_is_rarely_called_a_leak() -> None:
    """Autocorrelated noise, the worst case: a random walk of 50 kB per 1 s sample on 200 MB
    wanders ±1.7 MB (1 σ) over 20 min, an apparent ±5 MB/h — the threshold. Measured over 100
    seeds: 2 called a leak. Plain OLS on the raw samples calls 15 of the same 100 a leak; with
    100 kB steps it is 5 here against 28."""
    leaks = 0
    for seed in range(100):
        walk = 200 * MB + np.cumsum(np.random.default_rng(seed).normal(0, 50e3, len(SECONDS)))
        leaks += judge_rss(list(walk))[0] is GrowthStatus.LEAKING
    assert leaks <= 2


def test_a_creeping_p99_is_a_drift_and_the_worst_endpoint_is_reported() -> None:
    rng = np.random.default_rng(4)
    flat = [50 + float(x) for x in rng.normal(0, 2, 240)]  # 20 min of 5 s windows
    creeping = [v + 30 * i * 5 / 3600 for i, v in enumerate(flat)]  # + 30 ms/h on 50 ms

    assert p99_drift(flat).status is GrowthStatus.FLAT
    drift = latency_drift({"GET /home": {"p99_ms": creeping}, "GET /similar": {"p99_ms": flat}})
    assert drift is not None and drift.status is GrowthStatus.DRIFTING
    assert drift.sentence.startswith("p99 latency of GET /home grows ")
    assert drift.sentence.endswith("over 20 min — a drift")
    assert latency_drift({}) is None
    no_p99 = latency_drift({"GET /home": {}})
    assert no_p99 is not None and no_p99.status is GrowthStatus.INSUFFICIENT_DATA


def test_a_finding_goes_to_json() -> None:
    finding = judge_growth(fit_trend(SECONDS, rss(40.0)), *RSS_THRESHOLDS, unit=MEGABYTES)
    data = json.loads(json.dumps(finding.as_dict()))
    assert data["status"] == "leaking" and data["trend"]["points"] == 20


class FakePrometheus:
    """RSS leaks 2 MB/s, the fds query is rejected, loop lag has no data; or nothing answers."""

    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.queries: list[str] = []

    def value(self, query: str, at: float | None = None) -> float | None:
        self.queries.append(query)
        if self.down:
            raise InconclusiveError("Prometheus at http://127.0.0.1:1 did not answer")
        if "process_resident_memory_bytes" in query:
            return 100 * MB + 2 * MB * ((at or 0.0) - 1_000)
        if "process_open_fds" in query:
            raise QueryError("Prometheus rejected the query")
        return None


def test_the_sampler_skips_what_it_cannot_read_and_judges_the_rest() -> None:
    api = FakePrometheus()
    sampler = ResourceSampler(api, "loadgate_service", os.getpid())  # type: ignore[arg-type]
    for second in range(30):
        sampler.sample(1_000.0 + second)

    found = {f.what: f for f in sampler.findings(skip_first_s=10)}
    assert found["service RSS"].status is GrowthStatus.LEAKING
    assert found["service RSS"].trend is not None and found["service RSS"].trend.span_s == 19
    fds = found["service open fds"]
    assert fds.status is GrowthStatus.INSUFFICIENT_DATA
    assert fds.sentence.endswith("30 samples skipped, the last: Prometheus rejected the query")
    assert found["service event-loop lag p99"].sentence.endswith("the last: no data")
    assert found["harness RSS"].trend is not None
    assert 'process_open_fds{job="loadgate_service"}' in api.queries[1]
    assert "[10s]" in api.queries[2]
    report = json.loads(json.dumps(sampler.report()))
    assert report["series"]["service_rss_bytes"]["t_s"][:2] == [0.0, 1.0]
    assert report["series"]["service_open_fds"]["skipped"] == 30


def test_an_unreachable_prometheus_costs_one_query_per_sample() -> None:
    api = FakePrometheus(down=True)
    sampler = ResourceSampler(api, "loadgate_service")  # type: ignore[arg-type]
    assert set(sampler.sample(1_000.0)) == {"harness_rss_bytes"}
    assert len(api.queries) == 1
    assert "did not answer" in sampler.findings(skip_first_s=0)[1].sentence


def test_a_steep_but_tiny_rise_in_a_short_soak_is_not_yet_a_leak() -> None:
    # 0.4 MB over 90 s after the warm-up: 16 MB/h "extrapolated", but too little actually seen.
    times = [float(t) for t in range(90)]
    values = [87e6 + 0.4e6 * t / 90 for t in times]
    trend = fit_trend(times, values)
    short = judge_growth(trend, 5e6, 2.0, what="service RSS", unit=MEGABYTES, min_total=2e6)
    assert short.status is GrowthStatus.FLAT and short.not_ruled_out
    assert "too little to call a leak yet" in short.sentence
    long_times = [float(t) for t in range(0, 3600, 10)]
    steady = fit_trend(long_times, [87e6 + 16e6 * t / 3600 for t in long_times])
    hour = judge_growth(steady, 5e6, 2.0, what="service RSS", unit=MEGABYTES, min_total=2e6)
    assert hour.status is GrowthStatus.LEAKING  # the same slope, seen for an hour: 16 MB


def test_windows_without_a_p99_keep_their_place_in_time() -> None:
    # +7.2 ms/h (0.01 ms per 5 s window) with the middle half of the windows empty: the drift is
    # measured over the time that passed, not over the windows that happened to have a value.
    p99: list[float | None] = [50 + 0.01 * i for i in range(400)]
    p99[100:300] = [None] * 200
    finding = p99_drift(p99)
    assert finding.trend is not None
    assert finding.trend.slope_per_h == pytest.approx(7.2, rel=0.01)
    assert finding.trend.span_s == pytest.approx(399 * WINDOW_S)
