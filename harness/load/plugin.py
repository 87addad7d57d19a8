"""The harness's Locust plugin: loaded beside any locustfile (``-f plugin.py,locustfile.py``).

It runs inside Locust's processes (so it may import Locust) and, without any change to the
user's locustfile:

* exports the client-side metrics of the contract on a loopback port Prometheus scrapes;
* opens the measured window after the warm-up and closes it when the load stops; the process that
  controls the run (standalone or master) decides the window and tells the workers;
* records each request inside the window in an HDR histogram per endpoint (exact percentiles,
  mergeable across processes) and writes them to a results file when Locust quits;
* before the process exits, waits (bounded) for one more Prometheus scrape, so the last counts of
  the window are stored in Prometheus and not lost with the process.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import gevent
from hdrh.histogram import HdrHistogram
from locust import events
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from prometheus_client.registry import Collector

from harness.load.client_metrics import (
    ENV_METRICS_PORTS,
    ENV_RESULTS_DIR,
    ENV_WARMUP_S,
    LATENCY_BUCKETS,
    WINDOW_FILE,
)

log = logging.getLogger("loadgate.plugin")

HDR_MAX_US = 3_600_000_000  # one hour, in microseconds: anything longer is clamped
WINDOW_MESSAGE = "loadgate_window_start"
FINAL_SCRAPE_WAIT_S = 10.0


class ScrapeClock(Collector):
    """A collector that exports nothing and remembers when Prometheus last scraped us."""

    def __init__(self) -> None:
        self.last_scrape = 0.0

    def collect(self) -> list[Any]:
        self.last_scrape = time.time()
        return []


class ClientMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "loadgate_client_requests",
            "Requests completed by the load generator.",
            ["name", "method", "outcome"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "loadgate_client_request_duration_seconds",
            "Request duration seen by the client.",
            ["name", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.dropped = Counter(
            "loadgate_client_dropped_iterations",
            "Open-model arrivals the generator could not start on time.",
            ["name"],
            registry=self.registry,
        )
        self.users = Gauge(
            "loadgate_client_users", "Users running in this process.", registry=self.registry
        )
        self.arrival_rate = Gauge(
            "loadgate_client_target_arrival_rate",
            "Target arrivals per second (open model).",
            registry=self.registry,
        )
        self.clock = ScrapeClock()
        self.registry.register(self.clock)


class WindowRecorder:
    """Per-endpoint counts and HDR histograms of requests inside the measured window."""

    def __init__(self) -> None:
        self.start: float | None = None
        self.end: float | None = None
        self.endpoints: dict[tuple[str, str], list[Any]] = {}

    def is_open(self) -> bool:
        return self.start is not None and self.end is None and time.time() >= self.start

    def record(self, name: str, method: str, response_time_ms: float, failed: bool) -> None:
        entry = self.endpoints.get((name, method))
        if entry is None:
            entry = self.endpoints[(name, method)] = [0, 0, HdrHistogram(1, HDR_MAX_US, 3)]
        entry[0] += 1
        entry[1] += int(failed)
        entry[2].record_value(min(max(1, round(response_time_ms * 1000)), HDR_MAX_US))

    def as_json(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "endpoints": [
                {
                    "name": name,
                    "method": method,
                    "requests": requests,
                    "failures": failures,
                    "hdr_us": histogram.encode().decode("ascii"),  # compressed, base64
                }
                for (name, method), (requests, failures, histogram) in sorted(
                    self.endpoints.items()
                )
            ],
        }


METRICS = ClientMetrics()
WINDOW = WindowRecorder()
_state: dict[str, Any] = {"exporter_port": None}
_seen_endpoints: set[tuple[str, str]] = set()


def _bind_exporter() -> int | None:
    """Serve metrics on the first free port the harness offered (processes race; bind decides)."""
    offered = [int(p) for p in os.environ.get(ENV_METRICS_PORTS, "").split(",") if p.strip()]
    for port in offered or [0]:
        try:
            server, _ = start_http_server(port, addr="127.0.0.1", registry=METRICS.registry)
        except OSError:
            continue
        return int(server.server_port)
    log.error("loadgate: none of the offered metrics ports %s is free", offered)
    return None


def _write_json(name: str, payload: dict[str, Any]) -> None:
    folder = os.environ.get(ENV_RESULTS_DIR)
    if not folder:
        return
    target = Path(folder) / name
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload), encoding="utf-8")
    temporary.replace(target)


def on_init(environment: Environment, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.register_message(WINDOW_MESSAGE, _on_window_message)
    if not isinstance(runner, MasterRunner):  # the master sends no requests: nothing to export
        _state["exporter_port"] = _bind_exporter()
        METRICS.users.set_function(lambda: float(runner.user_count) if runner else 0.0)


def on_test_start(environment: Environment, **_: Any) -> None:
    if isinstance(environment.runner, WorkerRunner):
        return  # the controlling process decides the window
    start = time.time() + float(os.environ.get(ENV_WARMUP_S, "0"))
    _open_window(start)
    if isinstance(environment.runner, MasterRunner):
        environment.runner.send_message(WINDOW_MESSAGE, {"start": start})


def _on_window_message(environment: Environment, msg: Any, **_: Any) -> None:
    _open_window(float(msg.data["start"]))


def _open_window(start: float) -> None:
    WINDOW.start = start
    WINDOW.end = None
    gevent.spawn_later(max(0.0, start - time.time()), log.info, "loadgate: measured window opened")


def on_request(
    request_type: str, name: str, response_time: float, exception: BaseException | None, **_: Any
) -> None:
    outcome = "error" if exception is not None else "ok"
    if (name, request_type) not in _seen_endpoints:
        # Both outcomes exist from the first request on, so "no errors" is a 0, not a missing
        # series that an SLO would have to read as "no data".
        _seen_endpoints.add((name, request_type))
        METRICS.requests.labels(name, request_type, "ok")
        METRICS.requests.labels(name, request_type, "error")
    METRICS.requests.labels(name, request_type, outcome).inc()
    METRICS.duration.labels(name, request_type).observe(response_time / 1000.0)
    if WINDOW.is_open():
        WINDOW.record(name, request_type, response_time, exception is not None)


def on_test_stop(environment: Environment, **_: Any) -> None:
    if WINDOW.end is None:
        WINDOW.end = time.time()


def on_quitting(environment: Environment, **_: Any) -> None:
    ended = WINDOW.end if WINDOW.end is not None else time.time()
    runner = environment.runner
    if not isinstance(runner, WorkerRunner):
        _write_json(WINDOW_FILE, {"start": WINDOW.start, "end": ended})
    if not isinstance(runner, MasterRunner):
        _write_json(f"client-{os.getpid()}.json", WINDOW.as_json())
        _wait_for_final_scrape(after=ended)


def _wait_for_final_scrape(after: float) -> None:
    # Counts made after Prometheus's last scrape would die with this process.
    if _state["exporter_port"] is None or not os.environ.get(ENV_RESULTS_DIR):
        return
    deadline = time.time() + FINAL_SCRAPE_WAIT_S
    while METRICS.clock.last_scrape <= after and time.time() < deadline:
        gevent.sleep(0.05)
    if METRICS.clock.last_scrape <= after:
        log.warning(
            "loadgate: Prometheus did not scrape after the load stopped; last counts may be lost"
        )


events.init.add_listener(on_init)
events.test_start.add_listener(on_test_start)
events.request.add_listener(on_request)
events.test_stop.add_listener(on_test_stop)
events.quitting.add_listener(on_quitting)
