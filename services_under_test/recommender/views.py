"""Thin HTTP handlers: parse and validate parameters, call the recommender, shape JSON."""

from __future__ import annotations

from aiohttp import web

from services_under_test.recommender.keys import CATALOG, METRICS

__all__ = ["healthz", "home_recommendations"]

MAX_ITEMS = 100


def _int_param(request: web.Request, name: str, *, default: int | None, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        if default is None:
            raise _bad_request(name, "is required", f"a whole number from {low} to {high}")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _bad_request(name, f"{raw!r} is not a whole number", f"{low} to {high}") from None
    if not low <= value <= high:
        raise _bad_request(name, f"{value} is out of range", f"{low} to {high}")
    return value


def _bad_request(parameter: str, problem: str, allowed: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(
        text=web.json_response({"error": problem, "parameter": parameter, "allowed": allowed}).text,
        content_type="application/json",
    )


async def home_recommendations(request: web.Request) -> web.Response:
    user_id = _int_param(request, "user_id", default=None, low=0, high=2**53)
    n = _int_param(request, "n", default=10, low=1, high=MAX_ITEMS)
    items = request.app[CATALOG].recommend_home(user_id, n)
    request.app[METRICS].items_returned.labels("/v1/recommendations/home").inc(len(items))
    return web.json_response(
        {
            "user_id": user_id,
            "items": [
                {"item_id": i.item_id, "category": i.category, "price_cents": i.price_cents}
                for i in items
            ],
            "degraded": False,
        }
    )


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
