"""The call to the re-ranking service: explicit timeouts, a circuit breaker, and a fallback.

A failed, slow or refused call never fails the request: the caller keeps its own order and marks
the response ``degraded`` (and counts the fallback, by route). Every call's outcome is measured.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import aiohttp

from services_under_test.recommender.breaker import CircuitBreaker
from services_under_test.recommender.faults import Faults
from services_under_test.recommender.metrics import ServiceMetrics

__all__ = ["RerankResult", "Reranker"]


@dataclass(frozen=True)
class RerankResult:
    item_ids: list[int]
    degraded: bool
    reason: str = ""  # why it fell back: timeout, error, breaker_open


class Reranker:
    def __init__(
        self,
        base_url: str,
        metrics: ServiceMetrics,
        timeout_s: float = 0.1,
        breaker: CircuitBreaker | None = None,
        faults: Faults | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.metrics = metrics
        # Every field set: aiohttp's defaults include a 5-minute total, far too long for a request path.
        self.timeout = aiohttp.ClientTimeout(
            total=timeout_s, connect=timeout_s, sock_connect=timeout_s, sock_read=timeout_s
        )
        self.breaker = breaker or CircuitBreaker(
            on_change=lambda state: metrics.breaker_state.set(int(state))
        )
        self.faults = (
            faults or Faults()
        )  # read live: a slow network to the dependency can be injected
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=100, keepalive_timeout=30)
        self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def rerank(self, user_id: int, item_ids: list[int]) -> RerankResult:
        if not self.breaker.allow():
            return self._fallback(item_ids, "breaker_open")
        assert self._session is not None, "start() first"
        started = time.perf_counter()
        try:
            if self.faults.downstream_delay_ms:
                async with asyncio.timeout(self.timeout.total):
                    await asyncio.sleep(self.faults.downstream_delay_ms / 1000.0)
            async with self._session.post(
                f"{self.base_url}/v1/rerank", json={"user_id": user_id, "item_ids": item_ids}
            ) as response:
                response.raise_for_status()
                body = await response.json()
            reordered = [int(i) for i in body["item_ids"]]
        except TimeoutError:
            return self._failed(item_ids, "timeout", started)
        except (aiohttp.ClientError, ValueError, KeyError, TypeError):
            return self._failed(item_ids, "error", started)
        self.breaker.success()
        self.metrics.downstream_duration.labels("ok").observe(time.perf_counter() - started)
        return RerankResult(reordered, degraded=False)

    def _failed(self, item_ids: list[int], reason: str, started: float) -> RerankResult:
        self.breaker.failure()
        self.metrics.downstream_duration.labels(reason).observe(time.perf_counter() - started)
        return self._fallback(item_ids, reason)

    def _fallback(self, item_ids: list[int], reason: str) -> RerankResult:
        # Counted as a fallback by the view that answers with it: it knows the route.
        return RerankResult(item_ids, degraded=True, reason=reason)
