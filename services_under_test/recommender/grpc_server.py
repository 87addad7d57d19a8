"""The gRPC server beside the HTTP one: same process, same event loop (grpc.aio on aiohttp's
asyncio loop), same operations, faults and concurrency limit; its own port (``--grpc-port``).

It serves ``loadgate.recommender.v1.Recommendations``, the standard health service
(``grpc.health.v1.Health``: SERVING for ``""`` and the service's name) and server reflection.
On SIGTERM it drains with HTTP: health turns NOT_SERVING, new calls are refused, calls in
flight get up to the same 10 s as HTTP requests, both drains running at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import grpc
from aiohttp import web
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services_under_test.recommender.grpc_api import (
    SERVICE_NAME,
    RecommendationsServicer,
)
from services_under_test.recommender.grpc_interceptor import ServerInterceptor
from services_under_test.recommender.protos import recommendations_pb2_grpc as pb_grpc

__all__ = ["GrpcEndpoint"]

log = logging.getLogger("recommender")


class GrpcEndpoint:
    """``lifetime`` goes into the app's ``cleanup_ctx`` (bound before HTTP listens, so a healthy
    ``/healthz`` means gRPC is bound too); ``drain`` into its ``on_shutdown``."""

    def __init__(
        self, host: str, port: int, interceptor: ServerInterceptor, grace_s: float
    ) -> None:
        self.host, self.port, self.grace_s = host, port, grace_s
        self._interceptor = interceptor
        self._server: grpc.aio.Server | None = None
        self._health = health.aio.HealthServicer()
        self._stopping: asyncio.Task[None] | None = None

    async def lifetime(self, app: web.Application) -> AsyncIterator[None]:
        server = grpc.aio.server(interceptors=[self._interceptor])
        pb_grpc.add_RecommendationsServicer_to_server(  # type: ignore[no-untyped-call]
            RecommendationsServicer(app), server
        )
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        served = (SERVICE_NAME, health.SERVICE_NAME, reflection.SERVICE_NAME)
        reflection.enable_server_reflection(served, server)
        address = f"{self.host}:{self.port}"
        try:
            bound = server.add_insecure_port(address)
        except RuntimeError as exc:  # grpcio raises when the port is taken
            raise OSError(f"gRPC could not bind {address}: {exc}") from None
        if bound != self.port:
            raise OSError(f"gRPC could not bind {address}")
        await server.start()
        for name in ("", SERVICE_NAME):
            await self._health.set(name, health_pb2.HealthCheckResponse.SERVING)
        self._server = server
        log.info("gRPC on %s", address)
        yield
        await self.drain(app)
        if self._stopping is not None:
            await self._stopping

    async def drain(self, app: web.Application) -> None:
        """Begin the drain without waiting for it, so HTTP's drain runs meanwhile."""
        if self._server is None or self._stopping is not None:
            return
        await self._health.enter_graceful_shutdown()
        self._stopping = asyncio.create_task(self._server.stop(self.grace_s))
