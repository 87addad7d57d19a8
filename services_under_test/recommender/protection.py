"""Overload protection: a concurrency limit that sheds excess requests with 503 + ``Retry-After``.

Past its capacity a service either queues (latency grows without bound, every client times out)
or says no quickly to some. Shedding keeps the admitted requests fast.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from services_under_test.recommender.metrics import ServiceMetrics

__all__ = ["shedding_middleware"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
EXEMPT = ("/metrics", "/healthz", "/readyz")


def shedding_middleware(
    limit: int, metrics: ServiceMetrics
) -> Callable[..., Awaitable[web.StreamResponse]]:
    in_flight = 0

    @web.middleware
    async def shed(request: web.Request, handler: Handler) -> web.StreamResponse:
        nonlocal in_flight
        if request.path in EXEMPT:
            return await handler(request)
        if in_flight >= limit:
            metrics.shed.inc()
            raise web.HTTPServiceUnavailable(
                text=json.dumps({"error": "overloaded; retry later"}),
                content_type="application/json",
                headers={"Retry-After": "1"},
            )
        in_flight += 1
        try:
            return await handler(request)
        finally:
            in_flight -= 1

    return shed
