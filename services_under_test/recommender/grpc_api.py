"""The gRPC face of the service (``protos/recommendations.proto``): validate, call the operation
(``core.py``), shape the message. Domain problems become status codes here: a bad field is
INVALID_ARGUMENT naming the field and what is allowed, an unknown item NOT_FOUND, a store that is
down for a write UNAVAILABLE (reads fall back, as over HTTP).
"""

from __future__ import annotations

from typing import Any, NoReturn

import grpc
from aiohttp import web

from services_under_test.recommender import core
from services_under_test.recommender.keys import CATALOG
from services_under_test.recommender.protos import recommendations_pb2 as pb
from services_under_test.recommender.protos import recommendations_pb2_grpc as pb_grpc
from services_under_test.recommender.store import EVENT_WEIGHTS, StoreUnavailable

__all__ = ["METHOD_ROUTES", "SERVICE_NAME", "RecommendationsServicer"]

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["Recommendations"].full_name
# Each method's HTTP route: faults given for a route (``--fault-route``) and the fallback and
# items metrics name the operation the same way whichever protocol served it.
METHOD_ROUTES = {
    f"/{SERVICE_NAME}/Home": "/v1/recommendations/home",
    f"/{SERVICE_NAME}/Similar": "/v1/recommendations/similar",
    f"/{SERVICE_NAME}/Trending": "/v1/recommendations/trending",
    f"/{SERVICE_NAME}/RecordEvent": "/v1/events",
}
DEFAULT_N = 10
Context = Any  # grpc.aio.ServicerContext; grpcio ships no type hints


class RecommendationsServicer(pb_grpc.RecommendationsServicer):
    def __init__(self, app: web.Application) -> None:
        self._app = app

    async def Home(self, request: Any, context: Context) -> Any:  # noqa: N802 (the proto's name)
        user_id = await _whole(context, "user_id", request.user_id, 0, core.MAX_USER_ID)
        n = await _count(context, request.n)
        return _items(await core.home(self._app, user_id, n))

    async def Similar(self, request: Any, context: Context) -> Any:  # noqa: N802
        item_id = await _whole(context, "item_id", request.item_id, 0, core.MAX_USER_ID)
        n = await _count(context, request.n)
        try:
            answer = await core.similar(self._app, item_id, n)
        except core.ItemNotFoundError as exc:
            await _abort(context, grpc.StatusCode.NOT_FOUND, f"item_id: {exc}")
        return _items(answer)

    async def Trending(self, request: Any, context: Context) -> Any:  # noqa: N802
        categories = self._app[CATALOG].categories
        category = None
        if request.HasField("category"):
            category = await _whole(context, "category", request.category, 0, categories - 1)
        n = await _count(context, request.n)
        return _items(await core.trending(self._app, category, n))

    async def RecordEvent(self, request: Any, context: Context) -> Any:  # noqa: N802
        items = self._app[CATALOG].items
        user_id = await _whole(context, "user_id", request.user_id, 0, core.MAX_USER_ID)
        item_id = await _whole(context, "item_id", request.item_id, 0, items - 1)
        if request.type not in EVENT_WEIGHTS:
            await _abort(
                context,
                grpc.StatusCode.INVALID_ARGUMENT,
                f"type: {request.type!r} is not allowed; allowed: {', '.join(EVENT_WEIGHTS)}",
            )
        try:
            await core.record_event(self._app, user_id, item_id, request.type)
        except StoreUnavailable:
            await _abort(
                context, grpc.StatusCode.UNAVAILABLE, "the store is unavailable; retry later"
            )
        return pb.EventAccepted(accepted=True)


def _items(answer: core.Answer) -> Any:
    return pb.ItemList(
        items=[
            pb.Item(
                item_id=i["item_id"],
                category=i["category"],
                price_cents=i["price_cents"],
                in_stock=i["in_stock"],
            )
            for i in answer.items
        ],
        degraded=answer.degraded,
        fallbacks=answer.fallbacks,
    )


async def _whole(context: Context, field: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        await _abort(
            context,
            grpc.StatusCode.INVALID_ARGUMENT,
            f"{field}: {value} is not allowed; allowed: a whole number from {low} to {high}",
        )
    return value


async def _count(context: Context, n: int) -> int:
    # proto3 cannot tell 0 from "not given": 0 is the default, as an absent ?n= is over HTTP.
    return DEFAULT_N if n == 0 else await _whole(context, "n", n, 1, core.MAX_N)


async def _abort(context: Context, code: grpc.StatusCode, details: str) -> NoReturn:
    await context.abort(code, details)
    raise AssertionError("context.abort returned")  # it always raises; this tells mypy so
