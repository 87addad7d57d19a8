"""Typed application state (``web.AppKey``): what handlers may read from the app."""

from __future__ import annotations

from aiohttp import web

from services_under_test.recommender.catalog import Catalog
from services_under_test.recommender.metrics import HttpMetrics

__all__ = ["CATALOG", "METRICS"]

CATALOG = web.AppKey("catalog", Catalog)
METRICS = web.AppKey("metrics", HttpMetrics)
