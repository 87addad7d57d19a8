"""The client series dashboards read besides requests: the phase marks, the generator's CPU, and
dropped iterations at 0 before any drop (docs/architecture.md, client-side metrics)."""

from __future__ import annotations

import time

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from harness.load.exporter import ClientMetrics


def scrape(metrics: ClientMetrics) -> dict[tuple[str, str], float]:
    text = generate_latest(metrics.registry).decode()
    return {
        (sample.name, sample.labels.get("phase", sample.labels.get("name", ""))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_the_phase_follows_the_window_from_warm_up_to_its_end() -> None:
    metrics = ClientMetrics()
    bounds: list[tuple[float | None, float | None]] = [(None, None)]
    metrics.phase.bounds = lambda: bounds[0]
    now = time.time()

    phases = []
    for start, end in [(None, None), (now + 60, None), (now - 1, None), (now - 10, now - 5)]:
        bounds[0] = (start, end)
        seen = scrape(metrics)
        phases.append(
            (seen[("loadgate_client_phase", "warmup")], seen[("loadgate_client_phase", "window")])
        )

    # not started; warming up; inside the window; after it closed
    assert phases == [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.0, 0.0)]


def test_generator_cpu_and_dropped_iterations_are_exported_before_anything_happens() -> None:
    seen = scrape(ClientMetrics())

    assert seen[("loadgate_client_dropped_iterations_total", "iteration")] == 0.0
    assert ("loadgate_client_process_cpu_seconds_total", "") in seen
