"""The plugin's one record per request (harness/load/request_log.py) gives exactly what the three
records it replaced gave: the same HDR histograms, the same exported counter and histogram, the
same window membership."""

from __future__ import annotations

import math

import numpy as np
from hdrh.histogram import HdrHistogram
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from harness.load.request_log import FOLD_AT, RequestLog
from harness.load.window import HDR_MAX_US, WindowRecorder, _record_many
from harness.values.client_metrics import (
    CLIENT_HISTOGRAM,
    CLIENT_REQUESTS,
    LATENCY_BUCKETS,
    OUTCOME_ERROR,
    OUTCOME_OK,
)


def latencies_ms(count: int, seed: int = 7) -> np.ndarray:
    """Lognormal latencies around 20 ms, plus the edges: below 1 µs, ties at .5 µs, bucket
    bounds exactly, and beyond the HDR histogram's hour."""
    rng = np.random.default_rng(seed)
    edges = [0.0, 0.0004, 0.0015, 0.0025, 1.0, 10.0, 10000.5, HDR_MAX_US / 500.0]
    edges += [bound * 1000.0 for bound in LATENCY_BUCKETS[::7]]
    return np.concatenate([rng.lognormal(math.log(20.0), 1.2, count), np.array(edges)])


def scraped(registry: CollectorRegistry) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = generate_latest(registry).decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if not sample.name.endswith("_created")  # when a series was made, not what it counts
    }


def test_batched_recording_gives_the_histogram_record_value_gives() -> None:
    values = latencies_ms(20_000)
    one_by_one, batched = HdrHistogram(1, HDR_MAX_US, 3), HdrHistogram(1, HDR_MAX_US, 3)
    for ms in values:
        one_by_one.record_value(min(max(1, round(ms * 1000)), HDR_MAX_US))

    _record_many(batched, values[:7_000])
    _record_many(batched, values[7_000:])

    assert batched.get_total_count() == one_by_one.get_total_count() == values.size
    assert (batched.min_value, batched.max_value) == (one_by_one.min_value, one_by_one.max_value)
    assert list(batched.counts) == list(one_by_one.counts)
    assert batched.encode() == one_by_one.encode()  # what result.json carries


def test_the_scrape_shows_what_a_counter_and_histogram_fed_the_same_requests_show() -> None:
    values = latencies_ms(5_000)
    failed = np.random.default_rng(3).random(values.size) < 0.1
    routes = [("/home", "GET", ""), ("/event", "POST", ""), ("/home", "GET", "candidate")]
    log = RequestLog(WindowRecorder())
    ours = CollectorRegistry()
    ours.register(log)
    theirs = CollectorRegistry()
    requests = Counter(CLIENT_REQUESTS, "", ["name", "method", "outcome", "side"], registry=theirs)
    duration = Histogram(
        CLIENT_HISTOGRAM, "", ["name", "method", "side"], buckets=LATENCY_BUCKETS, registry=theirs
    )

    for index, (ms, fail) in enumerate(zip(values, failed, strict=True)):
        name, method, side = routes[index % len(routes)]
        log.append((name, method, side), 1000.0 + index, float(ms), float(ms), bool(fail))
        for outcome in (OUTCOME_OK, OUTCOME_ERROR):  # both exist from the first request on
            requests.labels(name, method, outcome, side)
        requests.labels(name, method, OUTCOME_ERROR if fail else OUTCOME_OK, side).inc()
        duration.labels(name, method, side).observe(float(ms) / 1000.0)
        if index == 2_500:
            scraped(ours)  # a scrape halfway: totals carry over between folds

    expected, seen = scraped(theirs), scraped(ours)
    assert seen.keys() == expected.keys()
    for key, value in expected.items():
        if key[0].endswith("_sum"):  # summed in another order: equal to float rounding
            assert math.isclose(seen[key], value, rel_tol=1e-9), key
        else:
            assert seen[key] == value, key


def test_only_requests_finishing_inside_the_window_reach_it() -> None:
    window = WindowRecorder()
    window.separate_uncorrected = True
    window.start, window.end = 100.0, 200.0
    log = RequestLog(window)
    finishing = [50.0, 99.999, 100.0, 150.0, 150.0, 200.0, 200.001, 300.0]
    for at, fail in zip(
        finishing, [False, False, False, True, False, False, True, False], strict=True
    ):
        log.append(("/home", "GET", ""), at, 30.0, 10.0, fail)

    log.fold()

    entry = window.endpoints[("/home", "GET", "")]
    assert (entry.requests, entry.failures) == (4, 1)  # 100.0, 150.0 twice, 200.0
    assert entry.corrected.get_value_at_percentile(50) == entry.corrected.get_value_at_percentile(
        100
    )
    assert entry.corrected.get_max_value() // 1000 == 30  # corrected and plain kept apart
    assert entry.uncorrected.get_max_value() // 1000 == 10


def test_records_are_folded_without_a_scrape_once_enough_are_buffered() -> None:
    # Under plain `locust` nobody scrapes: memory must not grow with every request.
    window = WindowRecorder()
    window.start = 0.0
    log = RequestLog(window)

    for index in range(FOLD_AT):
        log.append(("/home", "GET", ""), 1.0 + index, 5.0, 5.0, False)

    assert window.endpoints[("/home", "GET", "")].requests == FOLD_AT
