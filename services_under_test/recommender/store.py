"""Where user histories and trending counts live: in memory by default, or Redis — one interface.

Both keep the most recent interactions per user (newest first, capped) and a trending score per
item by category. Store errors are ``StoreUnavailable``; handlers turn them into fallbacks or 503s.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar, cast

import numpy as np
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from services_under_test.recommender.catalog import HISTORY_LENGTH, Catalog

__all__ = [
    "EVENT_WEIGHTS",
    "GUEST_CAPACITY",
    "FaultableStore",
    "InMemoryStore",
    "RedisStore",
    "Store",
    "StoreUnavailable",
    "open_store",
]

T = TypeVar("T")

# Whole numbers: the in-memory trending scores are Counters (int counts); Redis stores doubles.
EVENT_WEIGHTS = {"view": 1, "click": 2, "add_to_cart": 4, "purchase": 8}
KEY_PREFIX = "loadgate:recommender"
GUEST_CAPACITY = 10_000  # users outside the catalog kept in memory (about 1 KB each)


class StoreUnavailable(Exception):  # noqa: N818 - reads as the condition it is
    """The store cannot be reached (or an outage is injected)."""


class Store(Protocol):
    async def history(self, user_id: int) -> list[int]: ...
    async def record_event(self, user_id: int, item_id: int, category: int, kind: str) -> None: ...
    async def trending(self, category: int | None, n: int) -> list[int]: ...
    async def ping(self) -> None: ...
    async def close(self) -> None: ...


class InMemoryStore:
    """Histories start from the catalog's generated ones; events are kept on top of them.

    Its memory is bounded whatever users and items the traffic brings (a soak measures it):

    - the catalog's users: one int32 matrix (users × ``HISTORY_LENGTH``), copied from the
      catalog at start and written in place — no object per user;
    - users outside the catalog (any id up to 2³¹−1 is accepted): an LRU of at most
      ``guest_capacity`` capped histories; the least recently active guest is forgotten first;
    - trending: one score per catalog item, allocated at start.
    """

    def __init__(self, catalog: Catalog, guest_capacity: int = GUEST_CAPACITY) -> None:
        self._catalog = catalog
        self._histories = catalog.histories.copy()  # -1 = none; valid entries first
        self._guests: OrderedDict[int, deque[int]] = OrderedDict()
        self.guest_capacity = guest_capacity
        self._scores = np.zeros(catalog.items, dtype=np.float64)
        # Written once now, so its pages are resident from the start: otherwise RSS would creep
        # up page by page as new items are first scored, which a soak would see as growth.
        self._scores.fill(0.0)
        self._members = {
            c: np.flatnonzero(catalog.category == c) for c in range(catalog.categories)
        }
        self._everyone = np.arange(catalog.items)

    async def history(self, user_id: int) -> list[int]:
        if 0 <= user_id < self._catalog.users:
            # One C call to a list, then a comprehension: a third of the cost of a numpy mask
            # (a boolean array, an index, a copy) for 20 entries.
            return [i for i in self._histories[user_id].tolist() if i >= 0]
        guest = self._guests.get(user_id)
        if guest is None:
            return []
        self._guests.move_to_end(user_id)
        return list(guest)

    async def record_event(self, user_id: int, item_id: int, category: int, kind: str) -> None:
        if 0 <= user_id < self._catalog.users:
            row = self._histories[user_id]
            row[1:] = row[:-1].copy()  # newest first; the oldest falls off the end
            row[0] = item_id
        else:
            self._guest(user_id).appendleft(item_id)
        self._scores[item_id] += EVENT_WEIGHTS[kind]

    def _guest(self, user_id: int) -> deque[int]:
        guest = self._guests.get(user_id)
        if guest is not None:
            self._guests.move_to_end(user_id)
            return guest
        guest = self._guests[user_id] = deque(maxlen=HISTORY_LENGTH)
        while len(self._guests) > self.guest_capacity:
            self._guests.popitem(last=False)
        return guest

    @property
    def guests(self) -> int:
        """Users outside the catalog whose events are kept (at most ``guest_capacity``)."""
        return len(self._guests)

    async def trending(self, category: int | None, n: int) -> list[int]:
        if category is None:
            ids = self._everyone
        else:
            ids = self._members.get(category, self._everyone[:0])
        scores = self._scores[ids]
        hot = np.flatnonzero(scores > 0)  # ascending, as ids are
        if hot.size > n:  # only the top n are sorted: O(items), not O(items log items)
            kth = np.partition(scores[hot], hot.size - n)[hot.size - n]
            above = hot[scores[hot] > kth]
            hot = np.concatenate([above, hot[scores[hot] == kth][: n - above.size]])
        # Highest score first; ties go to the lower id, the more popular item.
        order = np.lexsort((ids[hot], -scores[hot]))
        return list(ids[hot[order]].tolist())

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisStore:
    """Redis: a capped list per user, a sorted set per category; pooled, pipelined."""

    def __init__(self, url: str, catalog: Catalog, timeout_s: float = 0.25) -> None:
        self._catalog = catalog
        self._redis = aioredis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s, max_connections=64
        )

    async def history(self, user_id: int) -> list[int]:
        try:
            # One command, not a pipeline of EXISTS and LRANGE: Redis deletes a list when it
            # empties and record_event never leaves one empty (LPUSH, then LTRIM to at least one),
            # so an empty answer means no events were recorded. redis-py's pipeline machinery
            # cost more CPU here than the command itself.
            items = await cast(
                "Awaitable[list[bytes]]",
                self._redis.lrange(_history_key(user_id), 0, HISTORY_LENGTH - 1),
            )
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc
        if not items:
            return self._catalog.initial_history(user_id)
        return [int(i) for i in items]

    async def record_event(self, user_id: int, item_id: int, category: int, kind: str) -> None:
        key = _history_key(user_id)
        try:
            initial = self._catalog.initial_history(user_id)
            async with self._redis.pipeline(transaction=True) as pipe:
                if initial and not await self._redis.exists(key):
                    pipe.rpush(key, *initial)
                pipe.lpush(key, item_id)
                pipe.ltrim(key, 0, HISTORY_LENGTH - 1)
                pipe.zincrby(_trending_key(category), EVENT_WEIGHTS[kind], item_id)
                pipe.zincrby(_trending_key(None), EVENT_WEIGHTS[kind], item_id)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    async def trending(self, category: int | None, n: int) -> list[int]:
        try:
            items = await self._redis.zrevrange(_trending_key(category), 0, n - 1)
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc
        return [int(i) for i in items]

    async def ping(self) -> None:
        try:
            # redis-py types ping() for its sync and asyncio clients alike (bool | Awaitable).
            await cast("Awaitable[bool]", self._redis.ping())
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(str(exc)) from exc

    async def close(self) -> None:
        await self._redis.aclose()

    async def clear(self) -> int:
        """Delete this service's keys (tests and the loader start from a clean slate)."""
        deleted = 0
        async for key in self._redis.scan_iter(match=f"{KEY_PREFIX}:*", count=1000):
            deleted += await self._redis.delete(key)
        return deleted

    async def load_histories(self, batch: int = 5000) -> int:
        """Write every user's generated history to Redis, pipelined in batches."""
        written = 0
        for first in range(0, self._catalog.users, batch):
            async with self._redis.pipeline(transaction=False) as pipe:
                for user in range(first, min(first + batch, self._catalog.users)):
                    history = self._catalog.initial_history(user)
                    if history:
                        pipe.delete(_history_key(user))
                        pipe.rpush(_history_key(user), *history)
                        written += 1
                await pipe.execute()
        return written


def open_store(url: str | None, catalog: Catalog) -> Store:
    """``None`` or ``memory://``: in memory; ``redis://host:port/db``: Redis."""
    if url is None or url.startswith("memory:"):
        return InMemoryStore(catalog)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(url, catalog)
    raise ValueError(f"--store {url!r} is not allowed; allowed: memory:// or redis://host:port/db")


def _history_key(user_id: int) -> str:
    return f"{KEY_PREFIX}:history:{user_id}"


def _trending_key(category: int | None) -> str:
    return f"{KEY_PREFIX}:trending:{'all' if category is None else category}"


class FaultableStore:
    """A store wrapper that fails every call while a store outage is injected, and times each call."""

    def __init__(
        self, inner: Store, outage: Callable[[], bool], observe: Callable[[str, str, float], None]
    ) -> None:
        self.inner = inner
        self._outage = outage
        self._observe = observe

    async def _call(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        started = time.perf_counter()
        try:
            if self._outage():
                raise StoreUnavailable("injected store outage")
            result = await call()
        except StoreUnavailable:
            self._observe(operation, "error", time.perf_counter() - started)
            raise
        self._observe(operation, "ok", time.perf_counter() - started)
        return result

    async def history(self, user_id: int) -> list[int]:
        return await self._call("history", lambda: self.inner.history(user_id))

    async def record_event(self, user_id: int, item_id: int, category: int, kind: str) -> None:
        await self._call(
            "record_event", lambda: self.inner.record_event(user_id, item_id, category, kind)
        )

    async def trending(self, category: int | None, n: int) -> list[int]:
        return await self._call("trending", lambda: self.inner.trending(category, n))

    async def ping(self) -> None:
        await self._call("ping", self.inner.ping)

    async def close(self) -> None:
        await self.inner.close()
