"""Windows without data stay in their place in time, against a real Prometheus.

An endpoint that gets no request in a 5 s window has no percentile there: Prometheus answers NaN
for that step. Dropping such steps would slide the later windows back in time — a chart would
compress the run, and a trend would see a steeper slope than there was.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Histogram, start_http_server

from harness.prometheus_api import PrometheusAPI
from harness.stack.processes import ProcessGroup
from harness.stack.prometheus import ScrapeTargets, start_private_prometheus
from tests.conftest import free_port, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

PHASE_S = 3.0  # requests at 100 ms, then none for two phases, then requests at 300 ms
P99_MS = "1000 * histogram_quantile(0.99, sum by (le) (increase(gap_test_seconds_bucket[2s])))"


@pytest.fixture
def latency() -> Iterator[Histogram]:
    registry = CollectorRegistry()
    histogram = Histogram("gap_test_seconds", "latency of a test endpoint", registry=registry)
    port = free_port()
    server, _ = start_http_server(port, addr="127.0.0.1", registry=registry)
    histogram.port = port  # type: ignore[attr-defined]
    yield histogram
    server.shutdown()


def observe_for(histogram: Histogram, seconds: float, value: float) -> None:
    until = time.time() + seconds
    while time.time() < until:
        histogram.observe(value)
        time.sleep(0.05)


def test_a_window_without_requests_is_a_gap_in_its_place(
    latency: Histogram, tmp_path: Path
) -> None:
    with ProcessGroup(tmp_path, "gap-test") as group:
        targets = ScrapeTargets(None, "/metrics", "http", clients=(f"127.0.0.1:{latency.port}",))  # type: ignore[attr-defined]
        api = start_private_prometheus(group, tmp_path / "prom", tmp_path / "tsdb", targets)
        wait_for(lambda: api.value("sum(gap_test_seconds_count)") is not None, timeout_s=30)

        start = time.time()
        observe_for(latency, PHASE_S, 0.1)
        time.sleep(2 * PHASE_S)  # the quiet phase is the point of the test, not a wait
        resumed = time.time()
        observe_for(latency, PHASE_S, 0.3)
        end = time.time()
        wait_for(lambda: scraped_after(api, end), timeout_s=10)

        values = api.range_values(P99_MS, start + 2, end, 1.0)

    first_step = round(start + 2)  # the client asks in whole seconds
    assert len(values) == int(round(end) - first_step) + 1
    fast = [i for i, v in enumerate(values) if v is not None and v < 150]
    slow = [i for i, v in enumerate(values) if v is not None and v > 250]
    # Both ends of the range had requests: the steps cover it from its first to its last second.
    assert fast and fast[0] <= 1 and slow and slow[-1] >= len(values) - 2, values
    gap = values[fast[-1] + 1 : slow[0]]
    assert gap and all(v is None for v in gap), values
    # The first slow window sits where it happened: its 2 s range holds the first slow requests.
    assert resumed <= first_step + slow[0] <= resumed + 4, (values, resumed - first_step)


def scraped_after(api: PrometheusAPI, moment: float) -> bool:
    newest = api.value("max(timestamp(gap_test_seconds_count))")
    return newest is not None and newest > moment
