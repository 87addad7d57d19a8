"""Per-window samples of each endpoint — what a baseline keeps and what the gate compares.

From the client histogram and counters in Prometheus, one value per 5 s window of the run:
p50, p95 and p99 latency, error ratio and throughput. Many small samples, not one number, are
what lets the gate attach a confidence interval to a change.
"""

from __future__ import annotations

from harness.prometheus_api import PrometheusAPI
from harness.values.client_metrics import (
    CLIENT_HISTOGRAM_BUCKET,
    CLIENT_REQUESTS_TOTAL,
    OUTCOME_ERROR,
)
from harness.values.run_result import PERCENTILE_RANKS, ClientStats, LoadWindow, PercentileKey
from harness.values.samples import WINDOW_PERCENTILES, WINDOW_S, PerWindow, endpoint_key

__all__ = ["window_samples"]


def window_samples(api: PrometheusAPI, client: ClientStats, window: LoadWindow) -> PerWindow:
    samples: PerWindow = {}
    start = window.start + WINDOW_S  # the first full window ends here
    if window.end < start:
        return samples
    w = f"{WINDOW_S:g}s"
    for endpoint in client.endpoints:
        selector = f'name="{_escape(endpoint.name)}", method="{_escape(endpoint.method)}"'
        buckets = f"sum by (le) (increase({CLIENT_HISTOGRAM_BUCKET}{{{selector}}}[{w}]))"
        requests = f"sum(increase({CLIENT_REQUESTS_TOTAL}{{{selector}}}[{w}]))"
        errors = (
            f'sum(increase({CLIENT_REQUESTS_TOTAL}{{{selector}, outcome="{OUTCOME_ERROR}"}}[{w}]))'
        )
        queries: dict[str, str] = {
            **{
                key: f"1000 * histogram_quantile({_quantile(key)}, {buckets})"
                for key in WINDOW_PERCENTILES
            },
            "error_ratio": f"{errors} / {requests}",
            "throughput": f"{requests} / {WINDOW_S:g}",
        }
        samples[endpoint_key(endpoint.method, endpoint.name)] = {
            metric: api.range_values(query, start, window.end, WINDOW_S)
            for metric, query in queries.items()
        }
    return samples


def _quantile(key: PercentileKey) -> str:
    rank = PERCENTILE_RANKS[key]
    assert rank is not None, "a window's maximum is not a quantile of its histogram"
    return f"{rank / 100:g}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
