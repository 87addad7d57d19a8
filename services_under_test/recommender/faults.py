"""Fault injection: known faults on demand, so tests can prove that gates catch regressions.

Set at start by flags. Every active fault is visible as ``recommender_fault_active{fault}``, so a
report can tell an injected fault from a real one.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CollectorRegistry, Gauge

__all__ = ["Faults", "fault_middleware"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
EXEMPT = ("/metrics", "/healthz", "/readyz")  # observability keeps working while the service fails


@dataclass(frozen=True)
class Faults:
    error_rate: float = 0.0  # share of requests answered 500
    latency_ms: float = 0.0  # added to a share of requests
    latency_share: float = 1.0  # which share gets the added latency
    seed: int = 7

    def active(self) -> dict[str, float]:
        return {
            name: value
            for name, value in (("error_rate", self.error_rate), ("latency_ms", self.latency_ms))
            if value > 0
        }


def fault_middleware(
    faults: Faults, registry: CollectorRegistry
) -> Callable[..., Awaitable[web.StreamResponse]]:
    gauge = Gauge(
        "recommender_fault_active",
        "Injected faults and their settings.",
        ["fault"],
        registry=registry,
    )
    for name, value in faults.active().items():
        gauge.labels(name).set(value)
    rng = random.Random(faults.seed)

    @web.middleware
    async def inject(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in EXEMPT or not faults.active():
            return await handler(request)
        if faults.latency_ms > 0 and rng.random() < faults.latency_share:
            await asyncio.sleep(faults.latency_ms / 1000.0)
        if faults.error_rate > 0 and rng.random() < faults.error_rate:
            raise web.HTTPInternalServerError(
                text='{"error": "injected fault"}', content_type="application/json"
            )
        return await handler(request)

    return inject
