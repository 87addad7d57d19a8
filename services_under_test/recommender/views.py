"""Thin HTTP handlers: validate, call the recommender logic, shape JSON. Domain problems become
HTTP answers here: an unknown item is 404, an unavailable store a fallback (reads) or 503 (writes).
"""

from __future__ import annotations

import json
from typing import Any, TypeGuard

from aiohttp import web

from services_under_test.recommender import recommender
from services_under_test.recommender.jsonbody import json_response
from services_under_test.recommender.keys import (
    CATALOG,
    FAULTS,
    METRICS,
    NEIGHBOURS,
    POPULAR,
    RERANKER,
    STORE,
)
from services_under_test.recommender.params import bad_request, int_param
from services_under_test.recommender.store import EVENT_WEIGHTS, StoreUnavailable

__all__ = ["FALLBACK_ROUTES", "healthz", "home", "post_event", "readyz", "similar", "trending"]

MAX_N = 100
# Each route that may answer from a fallback, with every reason it may give (``_respond``).
FALLBACK_ROUTES = {
    "/v1/recommendations/home": (
        "store", "downstream_timeout", "downstream_error", "downstream_breaker_open",
    ),
    "/v1/recommendations/trending": ("store",),
}  # fmt: skip
MAX_USER_ID = 2**31 - 1


async def home(request: web.Request) -> web.Response:
    user_id = int_param(request, "user_id", default=None, low=0, high=MAX_USER_ID)
    n = int_param(request, "n", default=10, low=1, high=MAX_N)
    app = request.app
    catalog, reasons = app[CATALOG], []
    try:
        history = await app[STORE].history(user_id)
    except StoreUnavailable:
        history, reasons = [], ["store"]
    recent = history[: recommender.RECENT]
    items = recommender.home(catalog, history, [_neighbours(app, i) for i in recent], 2 * n)
    if not history:
        items = _popular(app, None)[: 2 * n]
    if RERANKER in app:
        reranked = await app[RERANKER].rerank(user_id, items)
        items = reranked.item_ids
        reasons += [f"downstream_{reranked.reason}"] if reranked.degraded else []
    return _respond(request, "/v1/recommendations/home", items[:n], reasons, user_id=user_id)


async def similar(request: web.Request) -> web.Response:
    catalog = request.app[CATALOG]
    item_id = int_param(request, "item_id", default=None, low=0, high=MAX_USER_ID)
    n = int_param(request, "n", default=10, low=1, high=MAX_N)
    if item_id >= catalog.items:
        raise web.HTTPNotFound(
            text=json.dumps({"error": f"item {item_id} does not exist", "parameter": "item_id"}),
            content_type="application/json",
        )
    items = recommender.similar(catalog, item_id, n)
    return _respond(request, "/v1/recommendations/similar", items, [], item_id=item_id)


async def trending(request: web.Request) -> web.Response:
    catalog = request.app[CATALOG]
    category = int_param(request, "category", default=-1, low=-1, high=catalog.categories - 1)
    n = int_param(request, "n", default=10, low=1, high=MAX_N)
    chosen = None if category < 0 else category
    reasons = []
    try:
        hot = await request.app[STORE].trending(chosen, 2 * n)
    except StoreUnavailable:
        hot, reasons = [], ["store"]
    # What is out of stock is left out, as home and similar do; twice n leaves room for that.
    items = [i for i in hot if catalog.in_stock_of[i]][:n]
    # Too few events yet: fill up with what is popular, as shops do.
    items += [i for i in _popular(request.app, chosen) if i not in items][: n - len(items)]
    return _respond(request, "/v1/recommendations/trending", items, reasons, category=chosen)


async def post_event(request: web.Request) -> web.Response:
    catalog = request.app[CATALOG]
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request("body", "is not valid JSON", "a JSON object") from None
    if not isinstance(body, dict):
        raise bad_request(
            "body", "is not a JSON object", '{"user_id": 1, "item_id": 2, "type": "view"}'
        )
    user_id, item_id, kind = body.get("user_id"), body.get("item_id"), body.get("type")
    if not _whole(user_id) or not 0 <= user_id <= MAX_USER_ID:
        raise bad_request(
            "user_id", f"{user_id!r} is not allowed", f"a whole number from 0 to {MAX_USER_ID}"
        )
    if not _whole(item_id) or not 0 <= item_id < catalog.items:
        raise bad_request(
            "item_id", f"{item_id!r} is not allowed", f"an item id from 0 to {catalog.items - 1}"
        )
    if not isinstance(kind, str) or kind not in EVENT_WEIGHTS:  # {} or [] would not even hash
        raise bad_request("type", f"{kind!r} is not allowed", ", ".join(EVENT_WEIGHTS))
    try:
        await request.app[STORE].record_event(
            user_id, item_id, int(catalog.category[item_id]), kind
        )
    except StoreUnavailable:
        raise web.HTTPServiceUnavailable(
            text=json.dumps({"error": "the store is unavailable; retry later"}),
            content_type="application/json",
            headers={"Retry-After": "1"},
        ) from None
    return web.json_response({"accepted": True}, status=202)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    try:
        await request.app[STORE].ping()
    except StoreUnavailable as exc:
        return web.json_response(
            {"status": "store unavailable", "detail": str(exc)[:200]}, status=503
        )
    return web.json_response({"status": "ready"})


def _respond(
    request: web.Request, route: str, items: list[int], reasons: list[str], **echo: Any
) -> web.Response:
    app = request.app
    faults, metrics, catalog = app[FAULTS], app[METRICS], app[CATALOG]
    if faults.chance(faults.empty_results):
        items = []
    for reason in reasons:  # each degraded response once per reason, here where its route is known
        metrics.fallbacks.labels(reason, route).inc()
    metrics.items_returned.labels(route).observe(len(items))
    category, price_cents, in_stock = (
        catalog.category_of,
        catalog.price_cents_of,
        catalog.in_stock_of,
    )
    return json_response(
        {
            **echo,
            "items": [
                {
                    "item_id": i,
                    "category": category[i],
                    "price_cents": price_cents[i],
                    "in_stock": in_stock[i],
                }
                for i in items
            ],
            "degraded": bool(reasons),
            "fallbacks": reasons,
        }
    )


def _neighbours(app: web.Application, item_id: int) -> list[int]:
    cache = app[NEIGHBOURS]
    cached = cache.get(item_id)
    if cached is None:
        cached = list(app[CATALOG].neighbours[item_id].tolist())
        cache.put(item_id, cached)
    return cached


def _popular(app: web.Application, category: int | None) -> list[int]:
    cache = app[POPULAR]
    cached = cache.get(category)
    if cached is None:
        cached = app[CATALOG].popular(category, 2 * MAX_N)
        cache.put(category, cached)
    return cached


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
