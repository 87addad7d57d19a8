"""Both stores behave alike: the same tests run against memory and a real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from services_under_test.recommender.catalog import HISTORY_LENGTH, build_catalog
from services_under_test.recommender.store import InMemoryStore, RedisStore, Store, StoreUnavailable
from tests.service.conftest import REDIS_URL, SMALL

CATALOG = build_catalog(
    seed=SMALL.seed, items=SMALL.items, users=SMALL.users, categories=SMALL.categories
)
WARM_USER = next(u for u in range(CATALOG.users) if len(CATALOG.initial_history(u)) >= 3)


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield InMemoryStore(CATALOG)
        return
    redis = RedisStore(REDIS_URL, CATALOG)
    await redis.clear()
    try:
        yield redis
    finally:
        await redis.clear()
        await redis.close()


async def test_a_user_starts_with_the_generated_history(store: Store) -> None:
    assert await store.history(WARM_USER) == CATALOG.initial_history(WARM_USER)


async def test_events_go_first_and_histories_stay_capped(store: Store) -> None:
    for item in range(HISTORY_LENGTH + 5):
        await store.record_event(WARM_USER, item, int(CATALOG.category[item]), "view")

    history = await store.history(WARM_USER)

    assert history[0] == HISTORY_LENGTH + 4
    assert len(history) == HISTORY_LENGTH


async def test_trending_weighs_purchases_above_views(store: Store) -> None:
    viewed, bought = 10, 11
    for _ in range(3):
        await store.record_event(1, viewed, int(CATALOG.category[viewed]), "view")
    await store.record_event(1, bought, int(CATALOG.category[bought]), "purchase")

    assert (await store.trending(None, 2)) == [bought, viewed]
    assert (await store.trending(int(CATALOG.category[bought]), 5))[0] == bought


async def test_ping_answers(store: Store) -> None:
    served_before = await _pings_served()

    await store.ping()  # answering is returning: a store that cannot answer raises (below)

    if isinstance(store, RedisStore):
        # The answer came from the server, not from the client: Redis counted a PING.
        assert await _pings_served() > served_before


async def _pings_served() -> int:
    """PINGs the Redis server has answered since it started, from any client."""
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        stats = await client.info("commandstats")
    finally:
        await client.aclose()
    return int(stats.get("cmdstat_ping", {}).get("calls", 0))


async def test_an_unreachable_redis_is_store_unavailable() -> None:
    store = RedisStore("redis://127.0.0.1:1/0", CATALOG, timeout_s=0.2)
    try:
        with pytest.raises(StoreUnavailable):
            await store.history(WARM_USER)
        with pytest.raises(StoreUnavailable):
            await store.ping()
    finally:
        await store.close()


async def test_the_loader_fills_redis_with_every_generated_history() -> None:
    store = RedisStore(REDIS_URL, CATALOG)
    try:
        await store.clear()
        written = await store.load_histories(batch=100)
        assert written == sum(1 for u in range(CATALOG.users) if CATALOG.initial_history(u))
        assert await store.history(WARM_USER) == CATALOG.initial_history(WARM_USER)
    finally:
        await store.clear()
        await store.close()
