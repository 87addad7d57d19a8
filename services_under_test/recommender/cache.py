"""An in-process TTL + LRU cache for hot, slow-changing data (neighbour lists, popular lists).

Entries expire after ``ttl_s`` (so popular lists follow the store) and the least recently used
entry goes first when the cache is full. Hits and misses are counted per cache, for /metrics.

Its size is bounded twice: never more than ``capacity`` entries, and every ``put`` drops the
expired entries at the least recently used end, so the cache holds only what was used within
the last ``ttl_s`` — its working set — instead of filling slowly to ``capacity`` with keys asked
for once (a soak saw that as the service's RSS growing for hours).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

from prometheus_client import Counter

__all__ = ["TtlLruCache"]

V = TypeVar("V")


class TtlLruCache(Generic[V]):
    def __init__(
        self,
        name: str,
        capacity: int,
        ttl_s: float,
        requests: Counter,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.capacity = capacity
        self.ttl_s = ttl_s
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._hits = requests.labels(name, "hit")
        self._misses = requests.labels(name, "miss")
        self._clock = clock

    def get(self, key: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < self._clock():
            if entry is not None:
                del self._entries[key]
            self._misses.inc()
            return None
        self._entries.move_to_end(key)
        self._hits.inc()
        return entry[1]

    def get_many(self, keys: Sequence[Hashable]) -> list[V | None]:
        """``get`` of each key, in order, with the hits and the misses counted once each: a home
        page looks up ten neighbour lists, and a counter's lock per lookup cost more than the
        lookup (docs/performance.md)."""
        entries, now = self._entries, self._clock()
        found: list[V | None] = []
        for key in keys:
            entry = entries.get(key)
            if entry is None or entry[0] < now:
                if entry is not None:
                    del entries[key]
                found.append(None)
            else:
                entries.move_to_end(key)
                found.append(entry[1])
        misses = found.count(None)
        if misses:
            self._misses.inc(misses)
        if misses < len(found):
            self._hits.inc(len(found) - misses)
        return found

    def put(self, key: Hashable, value: V) -> None:
        now = self._clock()
        self._entries[key] = (now + self.ttl_s, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
        # Least recently used first: once the first entry is fresh, it was put (so used) within
        # ttl_s, and every entry after it was used later still: stopping there is enough.
        while self._entries:
            expires, _ = next(iter(self._entries.values()))
            if expires >= now:
                break
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
