"""Shopper traffic against a recommendation service: an ordinary locustfile.

The harness instruments it from outside (its plugin is loaded beside this file), so this file
knows nothing about loadgate and works with plain ``locust`` too.
"""

from __future__ import annotations

import random

from locust import HttpUser, between, task

USERS = 100_000  # the reference service's default user base
ITEMS_PER_PAGE = 10


class Shopper(HttpUser):
    wait_time = between(0.05, 0.15)

    def on_start(self) -> None:
        # Zipf-like: most traffic comes from a small set of active users, as in real shops.
        self.user_id = min(int(random.paretovariate(1.2)) - 1, USERS + 100)

    @task
    def home_page(self) -> None:
        self.client.get(
            f"/v1/recommendations/home?user_id={self.user_id}&n={ITEMS_PER_PAGE}",
            name="/v1/recommendations/home",
            timeout=10,
        )
