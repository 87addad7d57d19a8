"""Shopper sessions over gRPC: the traffic of ``recommendations.py`` (same model, parameters,
seed, checks and hooks — see its docstring), sent as the reference service's RPCs
(``services_under_test/recommender/protos/recommendations.proto``) through loadgate's
``GrpcUser``:

    home page ·10 → Home      product page ·6 → Similar      trending ·3 → Trending
    view ·5, add to cart ·2 (+ Similar for the cart page), purchase ·1 → RecordEvent

Each request is named by its RPC (``loadgate.recommender.v1.Recommendations/Home`` …), the
server's ``rpc_method``. ``path_prefix`` (an HTTP path) has no meaning here and is ignored.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

from locust import task

from harness.load.grpc_user import GrpcUser
from services_under_test.recommender.protos import recommendations_pb2 as pb
from services_under_test.recommender.protos import recommendations_pb2_grpc as pb_grpc

# Locust imports a locustfile by its path: the traffic model beside it needs this folder on
# sys.path (as in recommendations.py).
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import shoppers  # noqa: E402

PARAMETERS = shoppers.TrafficParameters.from_environment()
SERVICE = pb.DESCRIPTOR.services_by_name["Recommendations"].full_name


class GrpcShopper(GrpcUser):
    stub_class = pb_grpc.RecommendationsStub
    timeout_s = 10.0  # the deadline of every call, as the HTTP shopper's network timeout
    parameters = PARAMETERS

    def on_start(self) -> None:
        # Unseeded on purpose: under loadgate it takes the run's --seed (recommendations.py).
        self.rng = random.Random()
        self.planner = shoppers.SessionPlanner(self.parameters, self.rng)
        self.session: shoppers.Session | None = None

    def wait_time(self) -> float:
        return self.planner.think_time()

    @task
    def page_view(self) -> None:
        if self.session is None or self.session.over:
            self.session = self.planner.start()
            self._fire("loadgate_session", visitor=str(self.session.shopper))
        page = self.session.next_page()
        shopper = self.session.shopper
        size = self.parameters.page_size
        match page.kind:
            case shoppers.HOME:
                self._recommend("Home", pb.HomeRequest(user_id=shopper, n=size))
            case shoppers.PRODUCT:
                self._recommend("Similar", pb.SimilarRequest(item_id=page.item, n=size))
            case shoppers.TRENDING:
                every = page.category is None or page.category < 0  # -1: every category
                request = pb.TrendingRequest(category=None if every else page.category, n=size)
                self._recommend("Trending", request)
            case shoppers.VIEW:
                self._event(shopper, page.item, "view")
            case shoppers.ADD_TO_CART:
                self._event(shopper, page.item, "add_to_cart")
                self._recommend("Similar", pb.SimilarRequest(item_id=page.item, n=size))
            case shoppers.PURCHASE:
                for item in page.bought:
                    self._event(shopper, item, "purchase")

    def _recommend(self, method: str, request: Any) -> None:
        answer = self.call(getattr(self.stub, method), request)
        if answer is None:
            return  # no answer to judge: the availability SLOs count this one
        body = {
            "items": [{"item_id": i.item_id, "in_stock": i.in_stock} for i in answer.items],
            "degraded": answer.degraded,
        }
        name = f"{SERVICE}/{method}"  # the RPC's name, as GrpcUser names the request
        for check, passed in shoppers.check_recommendations(
            self.parameters.page_size, body
        ).items():
            self._fire("loadgate_check", name=name, check=check, passed=passed)

    def _event(self, shopper: int, item: int | None, kind: str) -> None:
        self.call(self.stub.RecordEvent, pb.Event(user_id=shopper, item_id=item or 0, type=kind))

    def _fire(self, hook_name: str, **kwargs: object) -> None:
        hook = getattr(self.environment.events, hook_name, None)
        if hook is not None:
            hook.fire(**kwargs)
