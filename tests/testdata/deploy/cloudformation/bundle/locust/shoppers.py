"""Shopper sessions over a whole user base: the traffic model of the shop's locustfile, pure.

Standard library only, no Locust, so it can be tested (and reused) without a load generator. Its
parameters (``TrafficParameters``, from ``traffic_parameters.py`` beside it) are re-exported here.

A Locust user runs sessions one after another. A session is one shopper's visit:

- **who**: with ``cold_share`` a shopper the service has never seen (an id drawn uniformly from
  ``users`` to 2**31-2: ids past the user base have no history); with ``returning_share`` a
  shopper this Locust user served before (uniformly among its last ``returning_memory``; the
  first session draws afresh); otherwise a shopper of the user base, drawn by a Zipf law
  (id 0 the most active).
- **how long**: ``session_pages`` page views, at least one; ``think_time`` seconds between them.
- **which pages**: the home page first (where visits land), then pages drawn by
  ``PAGE_WEIGHTS``; items by a Zipf law over the catalog, trending categories uniformly.

The default ``user_zipf`` of 1.0 gives the top shopper 8.3 % of the sessions drawn from the user
base and the top 100 shoppers 43 %: a few shoppers are very active, as in real shops. A 45 s CI
run (20 Locust users, ~200 page views/s in sessions of ~6 pages: 1,500 sessions) then asks for
about 760 distinct shoppers (standard deviation 23, 711 the least in 40 simulated runs): ~685
from its ~1,125 Zipf-drawn sessions, plus ~75 cold ones. The items' 1.1 would give 605 and 1.2
only 463 — too close to, or under, the 500 a CI run should ask for not to be served from cache.

Every draw takes the caller's ``random.Random`` and no other randomness: the same seeded
generator plans the same sessions and pages.
"""

from __future__ import annotations

import bisect
import random
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Final

from traffic_parameters import (
    PARAMETERS_ENV,
    ConstantPages,
    ConstantThink,
    ExponentialThink,
    GeometricPages,
    TrafficParameters,
    UniformPages,
    UniformThink,
)

__all__ = [
    "ADD_TO_CART",
    "CHECKS",
    "COLD",
    "HOME",
    "PAGE_WEIGHTS",
    "PARAMETERS_ENV",
    "PRODUCT",
    "PURCHASE",
    "RETURNING",
    "TRENDING",
    "VIEW",
    "ZIPF",
    "ConstantPages",
    "ConstantThink",
    "ExponentialThink",
    "GeometricPages",
    "Page",
    "Session",
    "SessionPlanner",
    "TrafficParameters",
    "UniformPages",
    "UniformThink",
    "check_recommendations",
    "zipf",
]

COLD_IDS_END: Final = 2**31 - 1  # cold ids stay below the largest id the reference service takes
CART_SIZE: Final = 5  # items a cart keeps, newest first

# Pages, and how often a shopper goes to each after landing: browsing ten times per purchase.
HOME, PRODUCT, TRENDING = "home", "product", "trending"
VIEW, ADD_TO_CART, PURCHASE = "view", "add_to_cart", "purchase"
PAGE_WEIGHTS: Final[Mapping[str, int]] = {
    HOME: 10,
    PRODUCT: 6,  # a product page: its similar items
    TRENDING: 3,
    VIEW: 5,  # a view event
    ADD_TO_CART: 2,  # an event, and the cart page's items similar to the new one
    PURCHASE: 1,  # a purchase event per cart item; with an empty cart, a view instead
}
_KINDS = tuple(PAGE_WEIGHTS)
_CUMULATIVE_PAGE_WEIGHTS = tuple(accumulate(PAGE_WEIGHTS.values()))

# How a session's shopper was chosen.
COLD, RETURNING, ZIPF = "cold", "returning", "zipf"

# A recommendation response's checks, by the names the harness reports them under.
CHECKS: Final = ("full", "distinct", "in_stock", "not_degraded")


def zipf(n: int, exponent: float, rng: random.Random) -> int:
    """An id of 0..n-1 with P(k) ∝ 1/(k+1)**exponent, exactly: the cumulative weights inverted."""
    cumulative = _cumulative_weights(n, exponent)
    # min(): u * total may round up to total itself, which is past the last id.
    return min(bisect.bisect_right(cumulative, rng.random() * cumulative[-1]), n - 1)


@lru_cache(maxsize=8)
def _cumulative_weights(n: int, exponent: float) -> array[float]:
    # (k + 1) ** -s underflows to 0 for a steep law, where 1 / (k + 1) ** s would overflow.
    return array("d", accumulate((k + 1) ** -exponent for k in range(n)))


@dataclass(frozen=True)
class Page:
    """One page view, and what the shop's page asks the service for."""

    kind: str  # one of PAGE_WEIGHTS
    item: int | None = None  # PRODUCT, VIEW, ADD_TO_CART: the item shown or acted on
    category: int | None = None  # TRENDING: a category, or -1 for all
    bought: tuple[int, ...] = ()  # PURCHASE: the cart's items


class Session:
    """One shopper's visit: the home page, then pages drawn by ``PAGE_WEIGHTS``, ``pages`` in all."""

    def __init__(
        self,
        shopper: int,
        origin: str,
        pages: int,
        parameters: TrafficParameters,
        rng: random.Random,
    ) -> None:
        self.shopper = shopper
        self.origin = origin  # COLD, RETURNING or ZIPF
        self.pages = pages
        self.viewed = 0
        self.cart: list[int] = []  # newest first
        self._parameters = parameters
        self._rng = rng

    @property
    def over(self) -> bool:
        return self.viewed >= self.pages

    def next_page(self) -> Page:
        if self.over:
            raise RuntimeError(f"the session's {self.pages} pages are viewed; start another")
        first = self.viewed == 0
        self.viewed += 1
        if first:
            return Page(HOME)
        kind = self._rng.choices(_KINDS, cum_weights=_CUMULATIVE_PAGE_WEIGHTS)[0]
        if kind == HOME:
            return Page(HOME)
        if kind == TRENDING:
            return Page(TRENDING, category=self._rng.randrange(-1, self._parameters.categories))
        if kind == PURCHASE and self.cart:
            bought, self.cart = tuple(self.cart), []
            return Page(PURCHASE, bought=bought)
        item = zipf(self._parameters.items, self._parameters.item_zipf, self._rng)
        if kind == ADD_TO_CART:
            self.cart = [item, *self.cart][:CART_SIZE]
            return Page(ADD_TO_CART, item=item)
        return Page(PRODUCT if kind == PRODUCT else VIEW, item=item)


class SessionPlanner:
    """A Locust user's sessions, one after another, and its memory of the shoppers it served."""

    def __init__(self, parameters: TrafficParameters, rng: random.Random) -> None:
        self.parameters = parameters
        self.rng = rng
        self.memory: list[int] = []  # distinct shoppers served, most recent last

    def start(self) -> Session:
        shopper, origin = self._shopper()
        if shopper in self.memory:
            self.memory.remove(shopper)
        self.memory = [*self.memory, shopper][-self.parameters.returning_memory :]
        pages = self.parameters.session_pages.draw(self.rng)
        return Session(shopper, origin, pages, self.parameters, self.rng)

    def think_time(self) -> float:
        return self.parameters.think_time.draw(self.rng)

    def _shopper(self) -> tuple[int, str]:
        p, draw = self.parameters, self.rng.random()
        if draw < p.cold_share:
            return self.rng.randrange(p.users, COLD_IDS_END), COLD
        if draw < p.cold_share + p.returning_share and self.memory:
            return self.rng.choice(self.memory), RETURNING
        return zipf(p.users, p.user_zipf, self.rng), ZIPF


def check_recommendations(n: int, body: object) -> dict[str, bool]:
    """Each check of ``CHECKS`` on a recommendation response's parsed body, asked for ``n`` items.

    The shape: ``{"items": [{"item_id": …, "in_stock": …}, …], "degraded": bool}`` (more fields
    are ignored; an ``item_id`` is a whole number or a string). A body of another shape fails
    every check; an item without ``in_stock`` counts as out of stock.
    """
    items = body.get("items") if isinstance(body, dict) else None
    degraded = body.get("degraded") if isinstance(body, dict) else None
    if (
        not isinstance(items, list)
        or not isinstance(degraded, bool)
        or not all(isinstance(item, dict) and _is_id(item.get("item_id")) for item in items)
    ):
        return dict.fromkeys(CHECKS, False)
    ids = [item["item_id"] for item in items]
    return {
        "full": len(items) == n,
        "distinct": len(set(ids)) == len(ids),
        "in_stock": all(item.get("in_stock") is True for item in items),
        "not_degraded": not degraded,
    }


def _is_id(value: object) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
