"""HTTP server metrics named after the OpenTelemetry HTTP semantic conventions.

The registry is injected, so tests each use their own and never touch the global one.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["LATENCY_BUCKETS", "HttpMetrics", "metrics_handler"]

# Every round threshold an SLO may use is a bucket boundary, so latency SLIs are exact there.
LATENCY_BUCKETS = (
    0.001,
    0.0025,
    0.005,
    0.0075,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.duration = Histogram(
            "http_server_request_duration_seconds",
            "Duration of HTTP server requests.",
            ["http_route", "http_request_method", "http_response_status_code"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.active = Gauge(
            "http_server_active_requests",
            "Number of active HTTP server requests.",
            registry=registry,
        )
        self.items_returned = Counter(
            "recommender_items_returned_total",
            "Items returned in recommendation responses (a quality signal: it drops when results empty).",
            ["http_route"],
            registry=registry,
        )

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
            self.duration.labels(route, request.method, str(status)).observe(
                time.perf_counter() - started
            )


def metrics_handler(registry: CollectorRegistry) -> Handler:
    """A ``/metrics`` handler exposing ``registry`` in the Prometheus text format."""

    async def handle(request: web.Request) -> web.Response:
        return web.Response(
            body=generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    return handle
