"""Thin HTTP handlers: validate, call the operation (``core.py``), shape JSON. Domain problems
become HTTP answers here: an unknown item is 404, an unavailable store a fallback (reads) or 503
(writes).
"""

from __future__ import annotations

import json
from typing import Any, TypeGuard

from aiohttp import web

from services_under_test.recommender import core
from services_under_test.recommender.core import FALLBACK_ROUTES, MAX_N, MAX_USER_ID
from services_under_test.recommender.jsonbody import json_response
from services_under_test.recommender.keys import CATALOG, STORE
from services_under_test.recommender.params import bad_request, int_param
from services_under_test.recommender.store import EVENT_WEIGHTS, StoreUnavailable

__all__ = ["FALLBACK_ROUTES", "healthz", "home", "post_event", "readyz", "similar", "trending"]


async def home(request: web.Request) -> web.Response:
    user_id = int_param(request, "user_id", default=None, low=0, high=MAX_USER_ID)
    n = int_param(request, "n", default=10, low=1, high=MAX_N)
    answer = await core.home(request.app, user_id, n)
    return _respond(answer, user_id=user_id)


async def similar(request: web.Request) -> web.Response:
    item_id = int_param(request, "item_id", default=None, low=0, high=MAX_USER_ID)
    n = int_param(request, "n", default=10, low=1, high=MAX_N)
    try:
        answer = await core.similar(request.app, item_id, n)
    except core.ItemNotFoundError as exc:
        raise web.HTTPNotFound(
            text=json.dumps({"error": str(exc), "parameter": "item_id"}),
            content_type="application/json",
        ) from None
    return _respond(answer, item_id=item_id)


async def trending(request: web.Request) -> web.Response:
    catalog = request.app[CATALOG]
    category = int_param(request, "category", default=-1, low=-1, high=catalog.categories - 1)
    n = int_param(request, "n", default=10, low=1, high=MAX_N)
    chosen = None if category < 0 else category
    answer = await core.trending(request.app, chosen, n)
    return _respond(answer, category=chosen)


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
        await core.record_event(request.app, user_id, item_id, kind)
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


def _respond(answer: core.Answer, **echo: Any) -> web.Response:
    return json_response(
        {
            **echo,
            "items": answer.items,  # orjson writes dataclasses as objects, field by field
            "degraded": answer.degraded,
            "fallbacks": answer.fallbacks,
        }
    )


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
