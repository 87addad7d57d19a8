"""URL table of the service."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CollectorRegistry

from services_under_test.recommender import views
from services_under_test.recommender.metrics import metrics_handler

__all__ = ["setup_routes"]


def setup_routes(app: web.Application, registry: CollectorRegistry) -> None:
    app.router.add_get("/v1/recommendations/home", views.home_recommendations)
    app.router.add_get("/healthz", views.healthz)
    app.router.add_get("/metrics", metrics_handler(registry))
