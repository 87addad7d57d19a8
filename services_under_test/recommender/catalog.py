"""A deterministic synthetic catalog and a simple personalised recommender over it.

The same seed always gives the same catalog, so load tests and their results are reproducible.
Popularity is Zipf-like, as in real shops: a few items get most of the traffic.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

__all__ = ["Catalog", "Item", "build_catalog"]

EMBEDDING_SIZE = 16
CANDIDATES = 200  # items scored per request: real CPU work, as in a re-ranking stage


@dataclass(frozen=True)
class Item:
    item_id: int
    category: int
    price_cents: int
    popularity: float
    embedding: tuple[float, ...]


@dataclass(frozen=True)
class Catalog:
    items: tuple[Item, ...]
    by_category: dict[int, tuple[int, ...]]  # item ids, most popular first
    popular: tuple[int, ...]  # item ids, most popular first
    users: int
    seed: int

    def recommend_home(self, user_id: int, n: int) -> list[Item]:
        """Top ``n`` items for a user: candidates from their favourite categories, scored by taste.

        Unknown users (ids outside the user base) get the most popular items.
        """
        if not 0 <= user_id < self.users:
            return [self.items[i] for i in self.popular[:n]]
        rng = random.Random(self.seed * 1_000_003 + user_id)
        taste = _unit_vector(rng)
        favourites = rng.sample(sorted(self.by_category), k=min(3, len(self.by_category)))
        candidates: list[int] = []
        for category in favourites:
            candidates.extend(self.by_category[category][: CANDIDATES // len(favourites)])
        scored = sorted(
            candidates,
            key=lambda i: (
                -_dot(taste, self.items[i].embedding) * math.log1p(self.items[i].popularity)
            ),
        )
        return [self.items[i] for i in scored[:n]]


def build_catalog(*, seed: int, items: int, users: int, categories: int) -> Catalog:
    rng = random.Random(seed)
    built = []
    for item_id in range(items):
        rank = item_id + 1
        built.append(
            Item(
                item_id=item_id,
                category=rng.randrange(categories),
                price_cents=rng.randrange(199, 49_999),
                popularity=1_000_000 / rank**1.1,  # Zipf-like
                embedding=_unit_vector(rng),
            )
        )
    by_category: dict[int, list[int]] = {}
    for item in built:  # ids are already in popularity order
        by_category.setdefault(item.category, []).append(item.item_id)
    return Catalog(
        items=tuple(built),
        by_category={c: tuple(ids) for c, ids in by_category.items()},
        popular=tuple(range(items)),
        users=users,
        seed=seed,
    )


def _unit_vector(rng: random.Random) -> tuple[float, ...]:
    values = [rng.gauss(0.0, 1.0) for _ in range(EMBEDDING_SIZE)]
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return tuple(v / norm for v in values)


def _dot(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))
