"""Typed application state (``web.AppKey``): what handlers may read from the app."""

from __future__ import annotations

from aiohttp import web

from services_under_test.recommender.cache import TtlLruCache
from services_under_test.recommender.catalog import Catalog
from services_under_test.recommender.downstream import Reranker
from services_under_test.recommender.faults import Faults
from services_under_test.recommender.metrics import ServiceMetrics
from services_under_test.recommender.settings import Settings
from services_under_test.recommender.store import FaultableStore

__all__ = ["CATALOG", "FAULTS", "METRICS", "NEIGHBOURS", "POPULAR", "RERANKER", "SETTINGS", "STORE"]

CATALOG = web.AppKey("catalog", Catalog)
SETTINGS = web.AppKey("settings", Settings)
METRICS = web.AppKey("metrics", ServiceMetrics)
FAULTS = web.AppKey("faults", Faults)
STORE = web.AppKey("store", FaultableStore)
RERANKER = web.AppKey("reranker", Reranker)  # absent when no downstream is configured
NEIGHBOURS = web.AppKey("neighbours_cache", TtlLruCache[list[int]])
POPULAR = web.AppKey("popular_cache", TtlLruCache[list[int]])
