"""The client-side metrics of the contract, and the loopback HTTP server Prometheus scrapes.

Runs inside Locust processes; imports nothing from Locust itself.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    ProcessCollector,
    start_http_server,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from harness.values.client_metrics import (
    CLIENT_CHECKS,
    CLIENT_DROPPED_ITERATIONS,
    CLIENT_PHASE,
    CLIENT_PROCESS_NAMESPACE,
    CLIENT_SESSIONS,
    CLIENT_TARGET_ARRIVAL_RATE,
    CLIENT_USERS,
    DROPPED_ITERATION_NAME,
    ENV_METRICS_ADDR,
    ENV_METRICS_PORTS,
    PHASE_LABEL,
    PHASE_WARMUP,
    PHASE_WINDOW,
    SIDE_LABEL,
)

__all__ = ["ClientMetrics", "ScrapeClock", "WindowPhase", "bind_exporter"]

# The window as the plugin knows it: (start, end), each None until known.
WindowBounds = Callable[[], tuple[float | None, float | None]]

log = logging.getLogger("loadgate.plugin")


class ScrapeClock(Collector):
    """A collector that exports nothing and remembers when Prometheus last scraped us."""

    def __init__(self) -> None:
        self.last_scrape = 0.0

    def collect(self) -> list[Metric]:
        self.last_scrape = time.time()
        return []


class WindowPhase(Collector):
    """``loadgate_client_phase``: 1 for the phase this process is in at scrape time (the warm-up
    from the test's start until the window opens, then the window until it closes), 0 for the
    other. Read at scrape time from the window itself, so no timer has to flip it."""

    def __init__(self) -> None:
        self.bounds: WindowBounds = lambda: (None, None)

    def collect(self) -> list[Metric]:
        start, end = self.bounds()
        now = time.time()
        warmup = start is not None and end is None and now < start
        window = start is not None and start <= now and (end is None or now <= end)
        family = GaugeMetricFamily(
            CLIENT_PHASE,
            "1 while this process is in the phase (warmup, window), else 0.",
            labels=[PHASE_LABEL],
        )
        family.add_metric([PHASE_WARMUP], float(warmup))
        family.add_metric([PHASE_WINDOW], float(window))
        return [family]


class ClientMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        # The request counter and latency histogram come from the plugin's request log
        # (request_log.py), registered beside these: one record per request, not three.
        self.dropped = Counter(
            CLIENT_DROPPED_ITERATIONS,
            "Open-model arrivals the generator could not start on time.",
            ["name"],
            registry=self.registry,
        )
        # Present at 0 from the start: a dashboard shows "none dropped", not "no data".
        self.dropped.labels(DROPPED_ITERATION_NAME)
        self.checks = Counter(
            CLIENT_CHECKS,
            "Responses the locustfile checked (loadgate_check), by check and outcome.",
            ["name", "check", "outcome", SIDE_LABEL],
            registry=self.registry,
        )
        self.sessions = Counter(
            CLIENT_SESSIONS,
            "Sessions the locustfile's users began (loadgate_session).",
            [SIDE_LABEL],
            registry=self.registry,
        )
        self.users = Gauge(CLIENT_USERS, "Users running in this process.", registry=self.registry)
        self.arrival_rate = Gauge(
            CLIENT_TARGET_ARRIVAL_RATE,
            "Target arrivals per second in this process (open model; 0 in the closed model).",
            registry=self.registry,
        )
        self.clock = ScrapeClock()
        self.registry.register(self.clock)
        self.phase = WindowPhase()
        self.registry.register(self.phase)
        # The generator's own CPU, for dashboards (the gate samples it apart: load/health.py).
        ProcessCollector(namespace=CLIENT_PROCESS_NAMESPACE, registry=self.registry)


def bind_exporter(registry: CollectorRegistry) -> int | None:
    """Serve metrics on the first free port the harness offered (processes race; bind decides)."""
    offered = [int(p) for p in os.environ.get(ENV_METRICS_PORTS, "").split(",") if p.strip()]
    address = os.environ.get(ENV_METRICS_ADDR, "127.0.0.1")
    for port in offered or [0]:
        try:
            server, _ = start_http_server(port, addr=address, registry=registry)
        except OSError:
            continue
        return int(server.server_port)
    log.error("loadgate: none of the offered metrics ports %s is free", offered)
    return None
