"""What each operation answers, whatever the protocol: HTTP (``views.py``) and gRPC
(``grpc_api.py``) validate their input, call these, and shape the result their own way, so a
fault or a fallback acts on both alike.

Domain problems are exceptions here (``ItemNotFoundError``; the store's ``StoreUnavailable`` for
writes) and become each protocol's answer at its edge: 404 or NOT_FOUND, 503 or UNAVAILABLE.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from aiohttp import web

from services_under_test.recommender import recommender
from services_under_test.recommender.keys import (
    CATALOG,
    FAULTS,
    METRICS,
    NEIGHBOURS,
    POPULAR,
    RERANKER,
    STORE,
)
from services_under_test.recommender.store import StoreUnavailable

__all__ = [
    "FALLBACK_ROUTES",
    "MAX_N",
    "MAX_USER_ID",
    "Answer",
    "ItemNotFoundError",
    "home",
    "record_event",
    "similar",
    "trending",
]

MAX_N = 100
MAX_USER_ID = 2**31 - 1
# Each route that may answer from a fallback, with every reason it may give (``_answer``). gRPC
# methods count their fallbacks under the same route names: one series per operation.
FALLBACK_ROUTES = {
    "/v1/recommendations/home": (
        "store", "downstream_timeout", "downstream_error", "downstream_breaker_open",
    ),
    "/v1/recommendations/trending": ("store",),
}  # fmt: skip


class ItemNotFoundError(Exception):
    """An item id outside the catalog."""


class Item(TypedDict):
    """An item as answered: a plain dict (ten a request; a dataclass's constructor cost ~1 µs
    each, a dict literal ~0.1 µs), encoded by orjson as it is."""

    item_id: int
    category: int
    price_cents: int
    in_stock: bool


@dataclass(frozen=True)
class Answer:
    items: list[Item]
    fallbacks: list[str] = field(default_factory=list)

    @property
    def degraded(self) -> bool:
        return bool(self.fallbacks)


async def home(app: web.Application, user_id: int, n: int) -> Answer:
    catalog, reasons = app[CATALOG], []
    try:
        history = await app[STORE].history(user_id)
    except StoreUnavailable:
        history, reasons = [], ["store"]
    recent = history[: recommender.RECENT]
    items = recommender.home(catalog, history, _in_stock_neighbours(app, recent), 2 * n)
    if not history:
        items = _popular(app, None)[: 2 * n]
    if RERANKER in app:
        reranked = await app[RERANKER].rerank(user_id, items)
        items = reranked.item_ids
        reasons += [f"downstream_{reranked.reason}"] if reranked.degraded else []
    return _answer(app, "/v1/recommendations/home", items[:n], reasons)


async def similar(app: web.Application, item_id: int, n: int) -> Answer:
    catalog = app[CATALOG]
    if item_id >= catalog.items:
        raise ItemNotFoundError(f"item {item_id} does not exist")
    items = recommender.similar(catalog, item_id, n)
    return _answer(app, "/v1/recommendations/similar", items, [])


async def trending(app: web.Application, category: int | None, n: int) -> Answer:
    catalog = app[CATALOG]
    reasons = []
    try:
        hot = await app[STORE].trending(category, 2 * n)
    except StoreUnavailable:
        hot, reasons = [], ["store"]
    # What is out of stock is left out, as home and similar do; twice n leaves room for that.
    items = [i for i in hot if catalog.in_stock_of[i]][:n]
    # Too few events yet: fill up with what is popular, as shops do.
    items += [i for i in _popular(app, category) if i not in items][: n - len(items)]
    return _answer(app, "/v1/recommendations/trending", items, reasons)


async def record_event(app: web.Application, user_id: int, item_id: int, kind: str) -> None:
    """Raises ``StoreUnavailable`` while the store is down (the event is not recorded)."""
    catalog = app[CATALOG]
    await app[STORE].record_event(user_id, item_id, int(catalog.category[item_id]), kind)


def _answer(app: web.Application, route: str, items: list[int], reasons: list[str]) -> Answer:
    faults, metrics, catalog = app[FAULTS], app[METRICS], app[CATALOG]
    if faults.chance(faults.empty_results):
        items = []
    for reason in reasons:  # each degraded response once per reason, here where its route is known
        metrics.fallbacks.labels(reason, route).inc()
    metrics.items_returned_of(route).observe(len(items))
    # Plain Python lists: no numpy scalar per field.
    category_of, price_cents_of, in_stock_of = (
        catalog.category_of, catalog.price_cents_of, catalog.in_stock_of,
    )  # fmt: skip
    return Answer(
        [
            {
                "item_id": i,
                "category": category_of[i],
                "price_cents": price_cents_of[i],
                "in_stock": in_stock_of[i],
            }
            for i in items
        ],
        reasons,
    )


def _in_stock_neighbours(app: web.Application, item_ids: list[int]) -> list[list[int]]:
    """Each item's in-stock neighbours, through the neighbour cache (one batched lookup)."""
    cache, catalog = app[NEIGHBOURS], app[CATALOG]
    found = cache.get_many(item_ids)
    for position, cached in enumerate(found):
        if cached is None:
            item_id = item_ids[position]
            found[position] = cached = recommender.in_stock_neighbours(catalog, item_id)
            cache.put(item_id, cached)
    return found  # type: ignore[return-value]  # every None was filled above


def _popular(app: web.Application, category: int | None) -> list[int]:
    cache = app[POPULAR]
    cached = cache.get(category)
    if cached is None:
        cached = app[CATALOG].popular(category, 2 * MAX_N)
        cache.put(category, cached)
    return cached
