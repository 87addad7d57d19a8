"""Both stores behave alike: the same tests run against memory and a real Redis."""

from __future__ import annotations

import random
import tracemalloc
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


async def test_ties_in_trending_go_to_the_more_popular_item(store: Store) -> None:
    item_ids = [1500, 40, 900]  # ids are in popularity order: 40 is the most popular
    for item in item_ids:
        await store.record_event(1, item, int(CATALOG.category[item]), "view")

    assert (await store.trending(None, 3))[0] in item_ids
    if isinstance(store, InMemoryStore):
        assert await store.trending(None, 3) == sorted(item_ids)


async def test_events_of_users_outside_the_catalog_are_kept_newest_first(store: Store) -> None:
    guest = CATALOG.users + 12_345
    for item in range(HISTORY_LENGTH + 3):
        await store.record_event(guest, item, int(CATALOG.category[item]), "view")

    assert await store.history(guest) == list(range(HISTORY_LENGTH + 2, 2, -1))


async def test_the_least_recently_active_guest_is_forgotten_first() -> None:
    store = InMemoryStore(CATALOG, guest_capacity=2)
    first, second, third = (CATALOG.users + i for i in range(3))
    for user in (first, second):
        await store.record_event(user, 7, int(CATALOG.category[7]), "view")
    await store.history(first)  # first is now more recent than second
    await store.record_event(third, 8, int(CATALOG.category[8]), "view")

    assert store.guests == 2
    assert (await store.history(first), await store.history(second)) == ([7], [])
    assert await store.history(third) == [8]


async def test_memory_stays_bounded_when_events_come_from_100k_distinct_users() -> None:
    # A real user base, not a few shoppers: 100k distinct user ids (the catalog's 500 and 99.5k
    # outside it) over every item. The in-memory store must not keep an object per user it has
    # seen: what it holds beyond its fixed arrays is at most guest_capacity capped histories.
    capacity = 1_000
    store = InMemoryStore(CATALOG, guest_capacity=capacity)
    rng = random.Random(3)
    users = list(range(100_000))
    rng.shuffle(users)
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for user in users:
            item = rng.randrange(CATALOG.items)
            await store.record_event(user, item, int(CATALOG.category[item]), "purchase")
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert store.guests == capacity
    # About 1 KB per kept guest (a capped deque and its ints). Without the bound: ~100 MB.
    assert after - before < capacity * 2_000, f"grew {(after - before) / 1e6:.1f} MB"


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
