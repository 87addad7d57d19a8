"""Shopper sessions against a recommendation service: an ordinary locustfile.

**Traffic.** Each Locust user runs shopper sessions one after another, one page view per task
(``shoppers.py`` beside this file is the model). A session's shopper is, by default, one of a
user base of 100,000 drawn by a Zipf law (5 % are shoppers the service has never seen, 20 %
come back to this Locust user); it lands on the home page and views ~6 pages, drawn by weight:

    home page recommendations ·10   product page, similar items ·6   trending ·3
    view events ·5   add to cart + cart recommendations ·2   purchase ·1

Items are drawn Zipf-like as in the reference catalog. ``name=`` groups URL families, so each
endpoint is one row and one metric series whatever the ids.

**Parameters** (``traffic_parameters.py``: every key, its default and what is allowed) come from
the JSON object in the environment variable ``LOADGATE_PARAMETERS``; a scenario states them
under ``load.parameters``, and the harness passes that mapping on as this variable. Point it at
another service's id ranges and path prefix this way, e.g.
``LOADGATE_PARAMETERS='{"users": 5000, "items": 800, "path_prefix": "/api"}'``.

**Seed.** All randomness comes from ``self.rng``, an unseeded ``random.Random()`` made in each
user's ``on_start`` — never ``random``'s module functions. Under plain ``locust`` it is seeded
from the OS; under loadgate, an unseeded ``random.Random()`` inside a user takes its seed from
the run's ``--seed`` and the user's position, so the same seed sends the same requests.

**Checks and hooks.** After each recommendation answered 2xx, the body is checked (``full``,
``distinct``, ``in_stock``, ``not_degraded``: ``shoppers.check_recommendations``) and each
outcome fired as ``environment.events.loadgate_check.fire(name=…, check=…, passed=…)``, ``name``
being the request's ``name=``; each session start fires
``environment.events.loadgate_session.fire(visitor=<shopper id>)``. The harness installs these
two hooks; under plain ``locust`` they are absent and nothing is fired. A failed check never
fails the request: availability is what the status says.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from locust import FastHttpUser, task

# Locust, loadgate's locustfile check and the benchmarks import a locustfile by its path, not as
# part of a package: the traffic model beside it is importable only with this folder on sys.path.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import shoppers  # noqa: E402

# Read at import: bad parameters stop the run before any load, naming the key and what is allowed.
PARAMETERS = shoppers.TrafficParameters.from_environment()


class Shopper(FastHttpUser):
    # Explicit timeouts: FastHttpUser's default is 60 s, far past any SLO.
    network_timeout = 10.0
    connection_timeout = 5.0
    parameters = PARAMETERS  # a subclass may draw other traffic

    def on_start(self) -> None:
        # Unseeded on purpose: under loadgate it takes the run's --seed (see the docstring).
        self.rng = random.Random()
        self.planner = shoppers.SessionPlanner(self.parameters, self.rng)
        self.session: shoppers.Session | None = None

    def wait_time(self) -> float:
        # The closed model's pause between page views; the open model replaces it with arrivals.
        return self.planner.think_time()

    @task
    def page_view(self) -> None:
        if self.session is None or self.session.over:
            self.session = self.planner.start()
            self._fire("loadgate_session", visitor=str(self.session.shopper))
        page = self.session.next_page()
        shopper = self.session.shopper
        match page.kind:
            case shoppers.HOME:
                self._recommend("home", f"user_id={shopper}")
            case shoppers.PRODUCT:
                self._recommend("similar", f"item_id={page.item}")
            case shoppers.TRENDING:
                self._recommend("trending", f"category={page.category}")
            case shoppers.VIEW:
                self._event(shopper, page.item, "view")
            case shoppers.ADD_TO_CART:
                self._event(shopper, page.item, "add_to_cart")
                # The cart page recommends items like the newest one in the cart.
                self._recommend("similar", f"item_id={page.item}")
            case shoppers.PURCHASE:
                for item in page.bought:
                    self._event(shopper, item, "purchase")

    def _recommend(self, endpoint: str, query: str) -> None:
        name = f"{self.parameters.path_prefix}/recommendations/{endpoint}"
        size = self.parameters.page_size
        response = self.client.get(f"{name}?{query}&n={size}", name=name)
        if not 200 <= response.status_code < 300:
            return  # no body to judge: the availability SLOs count this one
        try:
            body = response.json()
        except (ValueError, TypeError):  # not JSON, or no body at all: every check fails
            body = None
        for check, passed in shoppers.check_recommendations(size, body).items():
            self._fire("loadgate_check", name=name, check=check, passed=passed)

    def _event(self, shopper: int, item: int | None, kind: str) -> None:
        name = f"{self.parameters.path_prefix}/events"
        self.client.post(name, json={"user_id": shopper, "item_id": item, "type": kind}, name=name)

    def _fire(self, hook_name: str, **kwargs: object) -> None:
        # The harness adds these hooks; plain Locust has none, and then there is nobody to tell.
        hook = getattr(self.environment.events, hook_name, None)
        if hook is not None:
            hook.fire(**kwargs)
