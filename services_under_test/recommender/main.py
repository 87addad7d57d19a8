"""Application factory: ``init_app(settings)`` builds the catalog, metrics and routes."""

from __future__ import annotations

import logging

from aiohttp import web
from prometheus_client import CollectorRegistry

from services_under_test.recommender.catalog import build_catalog
from services_under_test.recommender.faults import fault_middleware
from services_under_test.recommender.keys import CATALOG, METRICS
from services_under_test.recommender.metrics import HttpMetrics
from services_under_test.recommender.routes import setup_routes
from services_under_test.recommender.settings import Settings, parse_settings

__all__ = ["init_app", "main"]

log = logging.getLogger("recommender")


async def init_app(
    settings: Settings, registry: CollectorRegistry | None = None
) -> web.Application:
    registry = registry if registry is not None else CollectorRegistry()
    metrics = HttpMetrics(registry)
    # Faults inside the metrics middleware: injected errors and latency are measured like real ones.
    app = web.Application(
        middlewares=[metrics.middleware, fault_middleware(settings.faults, registry)]
    )
    app[METRICS] = metrics
    app[CATALOG] = build_catalog(
        seed=settings.seed,
        items=settings.items,
        users=settings.users,
        categories=settings.categories,
    )
    setup_routes(app, registry)
    return app


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s recommender %(message)s")
    settings = parse_settings(argv)

    web.run_app(
        init_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=None,
        print=lambda message: log.info(message.strip()),
        shutdown_timeout=5.0,
    )
