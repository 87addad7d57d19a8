"""Prometheus's view of client latency, beside the exact HDR percentiles: ``histogram_quantile``
over the client histogram for the window. The two should agree within the buckets' 10 % spacing;
a larger gap means a measurement problem worth a look."""

from __future__ import annotations

from dataclasses import replace

from harness.durations import promql_duration
from harness.prometheus_api import PrometheusAPI, QueryError
from harness.values.client_metrics import CLIENT_HISTOGRAM_BUCKET
from harness.values.run_result import ClientStats, EndpointStats, LoadWindow

__all__ = ["with_prometheus_p99"]


def with_prometheus_p99(api: PrometheusAPI, client: ClientStats, window: LoadWindow) -> ClientStats:
    rng = promql_duration(window.seconds)

    def p99(selector: str) -> float | None:
        query = (
            "histogram_quantile(0.99, sum by (le) "
            f"(increase({CLIENT_HISTOGRAM_BUCKET}{{{selector}}}[{rng}])))"
        )
        try:
            seconds = api.value(query, at=window.end)
        except QueryError:
            return None
        return None if seconds is None else round(seconds * 1000.0, 3)

    def one(stats: EndpointStats) -> EndpointStats:
        selector = f'name="{_escape(stats.name)}", method="{_escape(stats.method)}"'
        return replace(stats, prometheus_p99_ms=p99(selector))

    return ClientStats(
        total=replace(client.total, prometheus_p99_ms=p99("")),
        endpoints=tuple(one(e) for e in client.endpoints),
    )


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
