"""Application factory: ``init_app(settings)`` builds catalog, store, caches, downstream and routes.

Resources with a lifetime (the store's connections, the downstream session, background faults,
the event-loop lag probe) are attached with ``cleanup_ctx``, so they close on shutdown in reverse
order.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web
from prometheus_client import CollectorRegistry

from services_under_test.recommender.cache import TtlLruCache
from services_under_test.recommender.catalog_cache import load_or_build_catalog
from services_under_test.recommender.core import FALLBACK_ROUTES
from services_under_test.recommender.downstream import Reranker
from services_under_test.recommender.faults import fault_middleware, run_fault_loops
from services_under_test.recommender.keys import (
    CATALOG,
    FAULTS,
    METRICS,
    NEIGHBOURS,
    POPULAR,
    RERANKER,
    SETTINGS,
    STORE,
)
from services_under_test.recommender.metrics import ServiceMetrics, measure_loop_lag
from services_under_test.recommender.protection import ConcurrencyLimit, shedding_middleware
from services_under_test.recommender.routes import setup_routes
from services_under_test.recommender.settings import Settings
from services_under_test.recommender.store import FaultableStore, open_store

__all__ = ["MAX_BODY_BYTES", "init_app"]

log = logging.getLogger("recommender")
MAX_BODY_BYTES = 64 * 1024  # events are small; anything bigger is a 413
SHUTDOWN_TIMEOUT_S = 10.0  # in-flight requests' grace on SIGTERM, HTTP (server.py) and gRPC


async def init_app(
    settings: Settings, registry: CollectorRegistry | None = None
) -> web.Application:
    registry = registry if registry is not None else CollectorRegistry()
    metrics = ServiceMetrics(registry)
    metrics.declare_fallbacks(FALLBACK_ROUTES)
    faults = settings.faults
    limit = ConcurrencyLimit(settings.max_concurrency, metrics)
    # Outermost first: everything below is measured; shed requests too; faults act like the app.
    middlewares = [
        shedding_middleware(limit),
        fault_middleware(faults, metrics),
    ]
    if settings.instrument:
        middlewares.insert(0, metrics.middleware)
    app = web.Application(middlewares=middlewares, client_max_size=MAX_BODY_BYTES)
    catalog = load_or_build_catalog(
        seed=settings.seed,
        items=settings.items,
        users=settings.users,
        categories=settings.categories,
    )
    app[SETTINGS], app[METRICS], app[FAULTS], app[CATALOG] = settings, metrics, faults, catalog
    app[NEIGHBOURS] = TtlLruCache(
        "neighbours", settings.cache_capacity, settings.cache_ttl_s, metrics.cache_requests
    )
    app[POPULAR] = TtlLruCache("popular", 1024, settings.cache_ttl_s, metrics.cache_requests)
    app[STORE] = FaultableStore(
        open_store(settings.store, catalog),
        outage=lambda: faults.store_outage,
        observe=metrics.observe_store,
    )
    app.cleanup_ctx.append(_store_lifetime)
    if settings.downstream:
        app[RERANKER] = Reranker(
            settings.downstream, metrics, settings.downstream_timeout_s, faults=faults
        )
        app.cleanup_ctx.append(_reranker_lifetime)
    if settings.grpc_port is not None:
        # Imported only when asked for: an HTTP-only service does not load grpcio.
        from services_under_test.recommender.grpc_api import METHOD_ROUTES
        from services_under_test.recommender.grpc_interceptor import ServerInterceptor
        from services_under_test.recommender.grpc_server import GrpcEndpoint

        interceptor = ServerInterceptor(metrics, limit, faults, METHOD_ROUTES, settings.instrument)
        endpoint = GrpcEndpoint(settings.host, settings.grpc_port, interceptor, SHUTDOWN_TIMEOUT_S)
        app.cleanup_ctx.append(endpoint.lifetime)
        app.on_shutdown.append(endpoint.drain)
    app.cleanup_ctx.append(_fault_loops)
    app.cleanup_ctx.append(_loop_lag)
    setup_routes(app, registry, settings.admin)
    return app


async def _store_lifetime(app: web.Application) -> AsyncIterator[None]:
    yield
    await app[STORE].close()


async def _reranker_lifetime(app: web.Application) -> AsyncIterator[None]:
    await app[RERANKER].start()
    yield
    await app[RERANKER].close()


async def _fault_loops(app: web.Application) -> AsyncIterator[None]:
    async for _ in run_fault_loops(app[FAULTS]):
        yield


async def _loop_lag(app: web.Application) -> AsyncIterator[None]:
    async for _ in measure_loop_lag(app[METRICS].loop_lag):
        yield
