"""Overload protection: a concurrency limit that sheds excess requests with 503 + ``Retry-After``.

Past its capacity a service either queues (latency grows without bound, every client times out)
or says no quickly to some. Shedding keeps the admitted requests fast.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from services_under_test.recommender.metrics import ServiceMetrics

__all__ = ["ConcurrencyLimit", "shedding_middleware"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
EXEMPT = ("/metrics", "/healthz", "/readyz")


class ConcurrencyLimit:
    """In-flight requests of every protocol together: HTTP and gRPC share one event loop, so they
    share one capacity (``--max-concurrency``)."""

    def __init__(self, limit: int, metrics: ServiceMetrics) -> None:
        self.limit = limit
        self.in_flight = 0
        self._metrics = metrics

    def admit(self) -> bool:
        """Take a place, or count the request as shed and say no."""
        if self.in_flight >= self.limit:
            self._metrics.shed.inc()
            return False
        self.in_flight += 1
        self._metrics.in_flight.inc()
        return True

    def release(self) -> None:
        self.in_flight -= 1
        self._metrics.in_flight.dec()


def shedding_middleware(limit: ConcurrencyLimit) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def shed(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in EXEMPT:
            return await handler(request)
        if not limit.admit():
            raise web.HTTPServiceUnavailable(
                text=json.dumps({"error": "overloaded; retry later"}),
                content_type="application/json",
                headers={"Retry-After": "1"},
            )
        try:
            return await handler(request)
        finally:
            limit.release()

    return shed
