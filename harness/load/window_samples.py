"""Per-window samples of each endpoint — what a baseline keeps and what the gate compares.

From the client histogram and counters in Prometheus, one value per 5 s window of the run:
p50, p95 and p99 latency, error ratio and throughput. Many small samples, not one number, are
what lets the gate attach a confidence interval to a change.
"""

from __future__ import annotations

from harness.prometheus_api import PrometheusAPI
from harness.values.client_metrics import (
    BASELINE_SIDE,
    CLIENT_HISTOGRAM_BUCKET,
    CLIENT_REQUESTS_TOTAL,
    OUTCOME_ERROR,
    SIDE_LABEL,
)
from harness.values.criteria import ALL_ENDPOINTS
from harness.values.run_result import PERCENTILE_RANKS, ClientStats, LoadWindow, PercentileKey
from harness.values.samples import WINDOW_PERCENTILES, WINDOW_S, PerWindow, endpoint_key

__all__ = ["window_samples"]


def window_samples(
    api: PrometheusAPI, client: ClientStats, window: LoadWindow, side: str | None = None
) -> PerWindow:
    """Each endpoint's metrics per window. ``side``: a duet's side ("baseline" or "candidate"),
    whose samples also hold every request together (``ALL_ENDPOINTS``): the duet's most precise
    comparison; None outside a duet (a saved baseline keeps endpoints only, as it always has)."""
    samples: PerWindow = {}
    start = window.start + WINDOW_S  # the first full window ends here
    if window.end < start:
        return samples
    selectors = {
        endpoint_key(e.method, e.name): f'name="{_escape(e.name)}", method="{_escape(e.method)}"'
        for e in client.endpoints
    }
    if side is not None:
        operator = "=" if side == BASELINE_SIDE else "!="
        on_side = f'{SIDE_LABEL}{operator}"{BASELINE_SIDE}"'
        selectors = {key: f"{selector}, {on_side}" for key, selector in selectors.items()}
        selectors[ALL_ENDPOINTS] = on_side
    for key, selector in selectors.items():
        samples[key] = {
            metric: api.range_values(query, start, window.end, WINDOW_S)
            for metric, query in _queries(selector).items()
        }
    return samples


def _queries(selector: str) -> dict[str, str]:
    w = f"{WINDOW_S:g}s"
    buckets = f"sum by (le) (increase({CLIENT_HISTOGRAM_BUCKET}{{{selector}}}[{w}]))"
    requests = f"sum(increase({CLIENT_REQUESTS_TOTAL}{{{selector}}}[{w}]))"
    errors = f'sum(increase({CLIENT_REQUESTS_TOTAL}{{{selector}, outcome="{OUTCOME_ERROR}"}}[{w}]))'
    return {
        **{
            key: f"1000 * histogram_quantile({_quantile(key)}, {buckets})"
            for key in WINDOW_PERCENTILES
        },
        "error_ratio": f"{errors} / {requests}",
        "throughput": f"{requests} / {WINDOW_S:g}",
    }


def _quantile(key: PercentileKey) -> str:
    rank = PERCENTILE_RANKS[key]
    assert rank is not None, "a window's maximum is not a quantile of its histogram"
    return f"{rank / 100:g}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
