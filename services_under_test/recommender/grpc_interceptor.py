"""What the HTTP middlewares do for HTTP, for gRPC: measure every call
(``rpc_server_call_duration_seconds``), shed beyond the shared concurrency limit
(UNAVAILABLE), and inject the faults (latency, errors as UNAVAILABLE, the slowdown).

The health and reflection services are exempt, as ``/healthz`` and ``/metrics`` are over HTTP:
a probe must not be shed, slowed or failed by a fault meant for the traffic.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from services_under_test.recommender.faults import Faults, slow_down
from services_under_test.recommender.metrics import ServiceMetrics
from services_under_test.recommender.protection import ConcurrencyLimit

__all__ = ["EXEMPT_PREFIXES", "OTHER_METHOD", "ServerInterceptor"]

EXEMPT_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")
# OpenTelemetry's rpc.method for a method the server does not know: clients may send any name,
# and a label must stay bounded.
OTHER_METHOD = "_OTHER"
Behaviour = Callable[[Any, grpc.aio.ServicerContext], Awaitable[Any]]


class ServerInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    def __init__(
        self,
        metrics: ServiceMetrics,
        limit: ConcurrencyLimit,
        faults: Faults,
        routes: dict[str, str],
        instrument: bool = True,
    ) -> None:
        self._metrics = metrics
        self._limit = limit
        self._faults = faults
        self._routes = routes
        self._instrument = instrument

    async def intercept_service(
        self, continuation: Callable[[Any], Awaitable[Any]], details: Any
    ) -> Any:
        method: str = details.method
        handler = await continuation(details)
        if method.startswith(EXEMPT_PREFIXES):
            return handler
        if handler is None:  # no such method: answered here, so it is measured like any other
            return grpc.unary_unary_rpc_method_handler(self._wrap(_unimplemented, OTHER_METHOD))
        if handler.unary_unary is None:  # the service has unary methods only
            return handler
        return grpc.unary_unary_rpc_method_handler(
            self._wrap(handler.unary_unary, method.lstrip("/")),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _wrap(self, behaviour: Behaviour, method: str) -> Behaviour:
        route = self._routes.get(f"/{method}", method)

        async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
            started = time.perf_counter()
            code = "UNKNOWN"  # an exception the service did not turn into a status
            try:
                response = await self._admitted(behaviour, request, context, route, started)
                code = _code_name(context.code(), "OK")
                return response
            except asyncio.CancelledError:
                # The client went away, or its deadline passed (the server cancels the call then).
                remaining = context.time_remaining()
                code = (
                    "DEADLINE_EXCEEDED" if remaining is not None and remaining <= 0 else "CANCELLED"
                )
                raise
            except Exception:
                code = _code_name(context.code(), "UNKNOWN")
                raise
            finally:
                if self._instrument:
                    self._metrics.rpc_duration.labels("grpc", method, code).observe(
                        time.perf_counter() - started
                    )

        return call

    async def _admitted(
        self,
        behaviour: Behaviour,
        request: Any,
        context: grpc.aio.ServicerContext,
        route: str,
        started: float,
    ) -> Any:
        if not self._limit.admit():
            await context.abort(grpc.StatusCode.UNAVAILABLE, "overloaded; retry later")
        faults, slowdown_pct = self._faults, self._faults.slowdown_pct
        try:
            delay = faults.added_latency_s(route)
            if delay:
                await asyncio.sleep(delay)
            if faults.chance(faults.error_rate):
                await context.abort(grpc.StatusCode.UNAVAILABLE, "injected fault")
            return await behaviour(request, context)
        finally:
            self._limit.release()
            # An error is an answer too (NOT_FOUND, an injected UNAVAILABLE): as much slower.
            await slow_down(started, slowdown_pct)


async def _unimplemented(request: Any, context: grpc.aio.ServicerContext) -> Any:
    await context.abort(grpc.StatusCode.UNIMPLEMENTED, "Method not found!")


def _code_name(code: grpc.StatusCode | None, default: str) -> str:
    return default if code is None else str(code.name)
