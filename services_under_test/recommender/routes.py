"""URL table of the service."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from prometheus_client import CollectorRegistry

from services_under_test.recommender import admin, views
from services_under_test.recommender.metrics import metrics_handler

__all__ = ["OPENAPI", "setup_routes"]

OPENAPI = Path(__file__).with_name("openapi.yaml")


def setup_routes(app: web.Application, registry: CollectorRegistry, enable_admin: bool) -> None:
    app.router.add_get("/v1/recommendations/home", views.home)
    app.router.add_get("/v1/recommendations/similar", views.similar)
    app.router.add_get("/v1/recommendations/trending", views.trending)
    app.router.add_post("/v1/events", views.post_event)
    app.router.add_get("/healthz", views.healthz)
    app.router.add_get("/readyz", views.readyz)
    app.router.add_get("/metrics", metrics_handler(registry))
    app.router.add_get("/openapi.yaml", _openapi)
    if enable_admin:
        app.router.add_get("/admin/faults", admin.get_faults)
        app.router.add_put("/admin/faults", admin.put_faults)


async def _openapi(request: web.Request) -> web.Response:
    return web.Response(text=OPENAPI.read_text(encoding="utf-8"), content_type="application/yaml")
