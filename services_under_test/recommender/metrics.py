"""The service's metrics: HTTP and gRPC server metrics named after the OpenTelemetry HTTP and RPC
semantic conventions, and ``recommender_*`` metrics for what a recommender's on-call needs to see.

The gRPC metric follows the RPC conventions as they stand since semconv 1.38 (release
candidate): ``rpc.server.call.duration`` in seconds with ``rpc.system.name``, ``rpc.method``
(fully qualified, ``package.Service/Method``: the older ``rpc.service`` attribute is gone) and
``rpc.response.status_code`` (the status's name, ``OK``, ``UNAVAILABLE``…; the older numeric
``rpc.grpc.status_code`` is deprecated). In Prometheus's spelling:
``rpc_server_call_duration_seconds{rpc_system_name, rpc_method, rpc_response_status_code}``.

The registry is injected, so tests each use their own and never touch the global one. With
several worker processes, values go through prometheus_client's multiprocess mode and /metrics
aggregates every worker.

What a soak watches for leaks and drift:

- ``process_resident_memory_bytes``, ``process_open_fds`` (and the rest of ``process_*``):
  prometheus_client's ``ProcessCollector`` on the service's registry. **Single-process mode only**
  (``--workers 1``, the default): with ``--workers N``, /metrics is built from the multiprocess
  files, which hold no ``process_*`` metrics, so they are absent — a known limitation.
- ``recommender_event_loop_lag_seconds``: a histogram (not a gauge, so a window's p99 can be taken
  with ``histogram_quantile``) of how late the event loop woke a task that sleeps 0.25 s at a time.
  A blocking call, a stop-the-world stall or a CPU-bound loop shows here before it shows in request
  latency. With ``--workers N`` it is summed over all workers like every other histogram.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = [
    "LATENCY_BUCKETS",
    "LOOP_LAG_INTERVAL_S",
    "ServiceMetrics",
    "measure_loop_lag",
    "metrics_handler",
]

# Every round threshold an SLO may use is a bucket boundary, so latency SLIs are exact there.
LATENCY_BUCKETS = (
    0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.075,
    0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
)  # fmt: skip
FAST_BUCKETS = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
)
ITEMS_BUCKETS = (0, 1, 2, 5, 10, 20, 50, 100)
LOOP_LAG_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
LOOP_LAG_INTERVAL_S = 0.25

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ServiceMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.duration = Histogram(
            "http_server_request_duration_seconds",
            "Duration of HTTP server requests.",
            ["http_route", "http_request_method", "http_response_status_code"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.rpc_duration = Histogram(
            "rpc_server_call_duration_seconds",
            "Duration of incoming RPCs (OpenTelemetry rpc.server.call.duration).",
            ["rpc_system_name", "rpc_method", "rpc_response_status_code"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.active = Gauge(
            "http_server_active_requests",
            "Number of active HTTP server requests.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.in_flight = Gauge(
            "recommender_in_flight_requests",
            "Requests in flight against --max-concurrency, HTTP and gRPC together.",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.store_duration = Histogram(
            "recommender_store_operation_duration_seconds",
            "Duration of store operations.",
            ["operation", "outcome"],
            buckets=FAST_BUCKETS,
            registry=registry,
        )
        self.cache_requests = Counter(
            "recommender_cache_requests", "Cache lookups.", ["cache", "result"], registry=registry
        )
        self.downstream_duration = Histogram(
            "recommender_downstream_request_duration_seconds",
            "Duration of calls to the re-ranking service, by outcome (ok, timeout, error).",
            ["outcome"],
            buckets=FAST_BUCKETS,
            registry=registry,
        )
        self.breaker_state = Gauge(
            "recommender_downstream_breaker_state",
            "Circuit breaker to the re-ranking service: 0 closed, 1 half-open, 2 open.",
            registry=registry,
            multiprocess_mode="max",
        )
        self.fallbacks = Counter(
            "recommender_fallbacks",
            "Responses served by a fallback, by reason and the route that answered.",
            ["reason", "http_route"],
            registry=registry,
        )
        self.shed = Counter(
            "recommender_shed_requests",
            "Requests refused with 503 to protect latency.",
            registry=registry,
        )
        self.items_returned = Histogram(
            "recommender_items_returned",
            "Items in each recommendation response: a quality signal (it drops when results empty).",
            ["http_route"],
            buckets=ITEMS_BUCKETS,
            registry=registry,
        )
        self.fault_active = Gauge(
            "recommender_fault_active",
            "Injected faults and their settings (0: off).",
            ["fault"],
            registry=registry,
            multiprocess_mode="max",
        )
        self.loop_lag = Histogram(
            "recommender_event_loop_lag_seconds",
            f"How late the event loop woke a task scheduled every {LOOP_LAG_INTERVAL_S:g} s.",
            buckets=LOOP_LAG_BUCKETS,
            registry=registry,
        )
        # process_resident_memory_bytes, process_open_fds, CPU…: exposed in single-process mode
        # only (see the module's docstring).
        ProcessCollector(registry=registry)
        # Labelled children by label values, for the per-request metrics: labels() validates and
        # takes a lock on every call (~1 µs); a dict lookup is ~50 ns. They hold no more series
        # than the metrics themselves.
        self._children: dict[tuple[object, ...], Histogram] = {}

    def _child(self, metric: Histogram, *values: str) -> Histogram:
        key = (metric, *values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*values)
        return child

    def items_returned_of(self, route: str) -> Histogram:
        return self._child(self.items_returned, route)

    def observe_store(self, operation: str, outcome: str, seconds: float) -> None:
        self._child(self.store_duration, operation, outcome).observe(seconds)

    def declare_fallbacks(self, routes: dict[str, tuple[str, ...]]) -> None:
        """Export every route's possible fallback reasons at 0 from the start: an SLO counting
        fallbacks reads "none yet" as 0, not as a series that is missing (no data)."""
        for route, reasons in routes.items():
            for reason in reasons:
                self.fallbacks.labels(reason, route)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        # The route template, not the raw path: bounded label values whatever clients send.
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        started = time.perf_counter()
        status = 500
        self.active.inc()
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            self.active.dec()
            self._child(self.duration, route, request.method, str(status)).observe(
                time.perf_counter() - started
            )


async def measure_loop_lag(
    histogram: Histogram, interval_s: float = LOOP_LAG_INTERVAL_S
) -> AsyncIterator[None]:
    """For ``cleanup_ctx``: every ``interval_s``, observe how late the loop woke us; stopped on shutdown."""

    async def watch() -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + interval_s
            await asyncio.sleep(interval_s)
            histogram.observe(max(0.0, loop.time() - due))

    task = asyncio.create_task(watch())
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def metrics_handler(registry: CollectorRegistry) -> Handler:
    """``/metrics``: this process's registry, or every worker's when running several."""

    async def handle(request: web.Request) -> web.Response:
        source = registry
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            source = CollectorRegistry()
            # prometheus_client leaves MultiProcessCollector.__init__ unannotated.
            MultiProcessCollector(source)  # type: ignore[no-untyped-call]
        return web.Response(
            body=generate_latest(source), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    return handle
