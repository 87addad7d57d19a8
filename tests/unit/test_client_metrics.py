from __future__ import annotations

from itertools import pairwise

from harness.values.client_metrics import LATENCY_BUCKETS, ROUND_THRESHOLDS


def test_buckets_span_1ms_to_10s_and_are_sorted() -> None:
    assert LATENCY_BUCKETS[0] == 0.001
    assert LATENCY_BUCKETS[-1] == 10.0
    assert list(LATENCY_BUCKETS) == sorted(set(LATENCY_BUCKETS))


def test_neighbouring_buckets_are_at_most_10_percent_apart() -> None:
    # histogram_quantile interpolates within a bucket: its error is bounded by the bucket's width.
    assert max(high / low for low, high in pairwise(LATENCY_BUCKETS)) <= 1.1 + 1e-3


def test_every_round_slo_threshold_is_an_exact_bucket_boundary() -> None:
    assert set(ROUND_THRESHOLDS) <= set(LATENCY_BUCKETS)
    for threshold in (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10):
        assert threshold in LATENCY_BUCKETS
