"""Shopper traffic against a recommendation service: an ordinary locustfile.

A shopper session is a weighted mix of what a shop's pages ask a recommender for:

    home page recommendations ·10   product page, similar items ·6   trending ·3
    view events ·5   add to cart + cart recommendations ·2   purchase ·1

Users and items are drawn Zipf-like, as in the reference catalog (seed 42): a few shoppers and a
few items make most of the traffic. ``name=`` groups URL families, so each endpoint is one row
and one metric series whatever the ids. The harness instruments this file from outside (its
plugin is loaded beside it): it knows nothing of loadgate and runs with plain ``locust`` too.

Against another service, set in the environment: ``SHOP_USERS`` and ``SHOP_ITEMS`` (id ranges),
``SHOP_CATEGORIES``, and ``SHOP_PATH_PREFIX`` (default ``/v1``).
"""

from __future__ import annotations

import os
import random

from locust import FastHttpUser, between, task

USERS = int(os.environ.get("SHOP_USERS", "100000"))
ITEMS = int(os.environ.get("SHOP_ITEMS", "50000"))
CATEGORIES = int(os.environ.get("SHOP_CATEGORIES", "40"))
PREFIX = os.environ.get("SHOP_PATH_PREFIX", "/v1")
PAGE = 10
ZIPF = 1.1


def zipf_id(count: int, rng: random.Random) -> int:
    """Ids 0..count-1, low ids most likely (popularity falls like a power law)."""
    while True:
        value = int(rng.paretovariate(ZIPF - 1 if ZIPF > 1 else 1.0)) - 1
        if value < count:
            return value


class Shopper(FastHttpUser):
    wait_time = between(0.05, 0.15)  # closed model; the open model replaces it with arrivals
    # Explicit timeouts: FastHttpUser's default is 60 s, far past any SLO.
    network_timeout = 10.0
    connection_timeout = 5.0

    def on_start(self) -> None:
        self.rng = random.Random()
        self.user_id = zipf_id(USERS, self.rng)
        self.cart: list[int] = []

    def _item(self) -> int:
        return zipf_id(ITEMS, self.rng)

    @task(10)
    def home_page(self) -> None:
        self.client.get(f"{PREFIX}/recommendations/home?user_id={self.user_id}&n={PAGE}",
                        name=f"{PREFIX}/recommendations/home")  # fmt: skip

    @task(6)
    def product_page(self) -> None:
        self.client.get(f"{PREFIX}/recommendations/similar?item_id={self._item()}&n={PAGE}",
                        name=f"{PREFIX}/recommendations/similar")  # fmt: skip

    @task(3)
    def trending(self) -> None:
        category = self.rng.randrange(-1, CATEGORIES)
        self.client.get(f"{PREFIX}/recommendations/trending?category={category}&n={PAGE}",
                        name=f"{PREFIX}/recommendations/trending")  # fmt: skip

    @task(5)
    def view(self) -> None:
        self._event(self._item(), "view")

    @task(2)
    def add_to_cart(self) -> None:
        item = self._item()
        self._event(item, "add_to_cart")
        self.cart = [item, *self.cart][:5]
        # The cart page recommends items like the newest one in the cart.
        self.client.get(f"{PREFIX}/recommendations/similar?item_id={item}&n={PAGE}",
                        name=f"{PREFIX}/recommendations/similar")  # fmt: skip

    @task(1)
    def purchase(self) -> None:
        for item in self.cart or [self._item()]:
            self._event(item, "purchase")
        self.cart = []

    def _event(self, item: int, kind: str) -> None:
        self.client.post(f"{PREFIX}/events", json={"user_id": self.user_id, "item_id": item, "type": kind},
                         name=f"{PREFIX}/events")  # fmt: skip
