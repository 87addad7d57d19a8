"""Fault injection: known faults on demand, which is how tests prove that gates catch regressions.

Faults are set at start (flags, or JSON in ``RECOMMENDER_FAULTS``) and, when the admin API is
enabled, changed live through ``PUT /admin/faults`` (loopback clients only). Every active fault is
visible as ``recommender_fault_active{fault}``, so a report can tell an injected fault from a real one.

| fault | effect |
|---|---|
| latency            | added delay, a mixture such as 20 ms to 98 % and 200 ms to 2 % (optionally one route) |
| error_rate         | share of requests answered 500 (HTTP) or UNAVAILABLE (gRPC) |
| stall_ms/every_s   | the whole process stops for stall_ms every stall_every_s (a stop-the-world pause) |
| store_outage       | every store call fails (reads fall back to popular items, writes answer 503) |
| downstream_delay_ms| calls to the re-ranking service are delayed (timeouts, then the breaker opens) |
| empty_results      | share of recommendation responses returned empty (a quality regression) |
| leak_kb_per_s      | memory that is allocated and never freed |
| slowdown_pct       | each request takes this much longer, in proportion to its own service time |

The slowdown (``--fault-slowdown 10%``) is a regression of known size for calibrating a gate: it
measures how long the request took (including any injected latency) and then takes that time ×
pct / 100 more, so a 10 % slowdown makes every request 1.10 × as long — the p50 and the p99
alike. An extra of less than ``SPIN_MAX_S`` is spent on the CPU, as slower code would spend it:
``asyncio.sleep`` rounds such waits up to the event loop's timer (about a millisecond), which
made a 20 % slowdown of 2 ms requests read +30 to +70 % at the client. Longer extras (slowing
injected latency) are slept, so other requests go on meanwhile.

Every fault acts on HTTP and gRPC alike: this middleware for HTTP, ``grpc_interceptor.py`` for
gRPC (a route given to ``latency_route`` names a gRPC method by its HTTP route: Home is
``/v1/recommendations/home``); stalls and leaks are the whole process's; store, downstream and
empty-result faults act in the operations both call (``core.py``).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from aiohttp import web

from services_under_test.recommender.metrics import ServiceMetrics

__all__ = [
    "SLOWDOWN_MAX_PCT",
    "Faults",
    "fault_middleware",
    "parse_latency",
    "parse_slowdown",
    "run_fault_loops",
    "slow_down",
]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
EXEMPT = ("/metrics", "/healthz", "/readyz", "/admin/faults", "/openapi.yaml")
# Ten times as slow is far beyond any regression a gate is calibrated against; more is a typo.
SLOWDOWN_MAX_PCT = 1000.0


@dataclass
class Faults:
    """The faults in force. Mutable on purpose: the admin API changes them while the service runs."""

    latency: list[tuple[float, float]] = field(default_factory=list)  # (ms, share) pairs
    latency_route: str | None = None
    error_rate: float = 0.0
    stall_ms: float = 0.0
    stall_every_s: float = 0.0
    store_outage: bool = False
    downstream_delay_ms: float = 0.0
    empty_results: float = 0.0
    leak_kb_per_s: float = 0.0
    slowdown_pct: float = 0.0
    seed: int = 7

    def __post_init__(self) -> None:
        # "10%" as well as 10: the admin API and RECOMMENDER_FAULTS accept what the flag accepts.
        self.slowdown_pct = parse_slowdown(self.slowdown_pct, "slowdown_pct")
        self.validate()
        self._rng = random.Random(self.seed)

    def validate(self) -> None:
        for name in ("error_rate", "empty_results"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        for name in ("stall_ms", "stall_every_s", "downstream_delay_ms", "leak_kb_per_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be ≥ 0, got {getattr(self, name)}")
        if sum(share for _, share in self.latency) > 1.0 + 1e-9 or any(
            ms < 0 for ms, _ in self.latency
        ):
            raise ValueError("latency shares must add up to at most 1 and delays be ≥ 0")
        if self.stall_ms and self.stall_every_s * 1000 <= self.stall_ms:
            raise ValueError("stall_every_s must be longer than the stall itself")

    def active(self) -> dict[str, float]:
        values = {
            "latency_ms": max((ms for ms, share in self.latency if share > 0), default=0.0),
            "error_rate": self.error_rate,
            "stall_ms": self.stall_ms if self.stall_every_s else 0.0,
            "store_outage": float(self.store_outage),
            "downstream_delay_ms": self.downstream_delay_ms,
            "empty_results": self.empty_results,
            "leak_kb_per_s": self.leak_kb_per_s,
            "slowdown_pct": self.slowdown_pct,
        }
        return {name: value for name, value in values.items() if value}

    def added_latency_s(self, route: str) -> float:
        if not self.latency or (self.latency_route and route != self.latency_route):
            return 0.0
        draw = self._rng.random()
        for ms, share in self.latency:
            if draw < share:
                return ms / 1000.0
            draw -= share
        return 0.0

    def chance(self, share: float) -> bool:
        return share > 0 and self._rng.random() < share

    def as_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "seed"}

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a JSON object of changes (admin API); all-or-nothing, ``ValueError`` if invalid."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(
                f"unknown faults {sorted(unknown)}; allowed: {sorted(known - {'seed'})}"
            )
        candidate = Faults(**{**asdict(self), **changes})
        for name in known:
            setattr(self, name, getattr(candidate, name))
        self.latency = [(ms, share) for ms, share in self.latency]  # JSON gives lists: pairs


def parse_latency(spec: str) -> list[tuple[float, float]]:
    """``20@0.98,200@0.02`` → [(20.0, 0.98), (200.0, 0.02)]: milliseconds @ share of requests."""
    pairs = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        ms, _, share = part.partition("@")
        pairs.append((float(ms), float(share or 1.0)))
    return pairs


def parse_slowdown(value: object, name: str = "slowdown") -> float:
    """``"10%"``, ``"10"`` or 10 → 10.0 (percent), within 0–``SLOWDOWN_MAX_PCT``; else a
    ``ValueError`` that names ``name``, the value given and what is allowed."""
    allowed = f"a percentage from 0 to {SLOWDOWN_MAX_PCT:g} (e.g. 10 or 10%)"
    pct = None
    if isinstance(value, str):
        try:
            pct = float(value.strip().removesuffix("%"))
        except ValueError:
            pct = None
    elif isinstance(value, int | float) and not isinstance(value, bool):  # JSON true is no number
        pct = float(value)
    # NaN fails both comparisons, so it is refused here too.
    if pct is None or not 0.0 <= pct <= SLOWDOWN_MAX_PCT:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return pct


def publish(faults: Faults, metrics: ServiceMetrics) -> None:
    for name in ("latency_ms", "error_rate", "stall_ms", "store_outage", "downstream_delay_ms",
                 "empty_results", "leak_kb_per_s", "slowdown_pct"):  # fmt: skip
        metrics.fault_active.labels(name).set(faults.active().get(name, 0.0))


def fault_middleware(
    faults: Faults, metrics: ServiceMetrics
) -> Callable[..., Awaitable[web.StreamResponse]]:
    publish(faults, metrics)

    async def faulty(request: web.Request, handler: Handler) -> web.StreamResponse:
        resource = request.match_info.route.resource
        delay = faults.added_latency_s(resource.canonical if resource is not None else request.path)
        if delay:
            await asyncio.sleep(delay)
        if faults.chance(faults.error_rate):
            raise web.HTTPInternalServerError(
                text='{"error": "injected fault"}', content_type="application/json"
            )
        return await handler(request)

    @web.middleware
    async def inject(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in EXEMPT:
            return await handler(request)
        started, slowdown_pct = time.perf_counter(), faults.slowdown_pct
        try:
            response = await faulty(request, handler)
        except web.HTTPException:  # an answer too (404, 503, an injected 500): as much slower
            await slow_down(started, slowdown_pct)
            raise
        await slow_down(started, slowdown_pct)
        return response

    return inject


SPIN_MAX_S = 0.005


async def slow_down(started: float, slowdown_pct: float) -> None:
    """Take ``slowdown_pct`` % of the time since ``started`` more: proportional, so a 10 %
    slowdown shows as +10 % at every percentile (see the module's docstring for how)."""
    if not slowdown_pct:
        return
    now = time.perf_counter()
    extra = (now - started) * slowdown_pct / 100.0
    if extra >= SPIN_MAX_S:
        await asyncio.sleep(extra)
        return
    until = now + extra
    while time.perf_counter() < until:  # busy, as the slower code path it stands for would be
        pass


async def run_fault_loops(faults: Faults) -> AsyncIterator[None]:
    """Background faults for ``cleanup_ctx``: periodic stalls and a slow leak, stopped on shutdown."""
    leaked: list[bytearray] = []

    async def stall() -> None:
        # On an absolute schedule (every N s from start), so the stalls' timing is predictable.
        next_at = time.monotonic() + (faults.stall_every_s or 1.0)
        while True:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if faults.stall_ms and faults.stall_every_s:
                time.sleep(faults.stall_ms / 1000.0)  # blocks the event loop: a real stop-the-world
            next_at += faults.stall_every_s or 1.0

    async def leak() -> None:
        while True:
            await asyncio.sleep(1.0)
            if faults.leak_kb_per_s:
                leaked.append(bytearray(int(faults.leak_kb_per_s * 1024)))

    tasks = [asyncio.create_task(stall()), asyncio.create_task(leak())]
    yield
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def faults_from_json(text: str) -> Faults:
    data = json.loads(text)
    faults = Faults()
    faults.update(data)
    return faults
