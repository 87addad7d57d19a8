"""Recommendations are pinned: for a fixed catalog seed and store state, home, similar and trending
answer exactly what golden files recorded — the same items, in the same order, in the same JSON.

The golden files were recorded from the service before its performance work (issue #3, point 1),
so any optimisation that changes what a shopper sees fails here. Two catalogs: the tests' small one
(2,000 items: short candidate lists, so the popular fill-up and diversification limits are hit) and
one with the production item count (50,000 items), fewer users to build quickly. Each is driven
through the real aiohttp app, with the in-memory store and with the local Redis, in two states:
as generated, and after a fixed sequence of events (histories and trending scores changed).
A second test calls the recommendation logic directly for many users, without HTTP.

Regenerate only after an intended change in what is recommended:
``UPDATE_GOLDEN=1 pytest tests/service/test_recommendations_pinned.py``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from services_under_test.recommender import recommender
from services_under_test.recommender.catalog import build_catalog
from services_under_test.recommender.keys import CATALOG
from services_under_test.recommender.main import init_app
from services_under_test.recommender.settings import Settings
from services_under_test.recommender.store import RedisStore
from tests.service.conftest import REDIS_URL, SMALL, AppClient, ClientFactory

GOLDEN = Path(__file__).resolve().parents[1] / "testdata/golden/recommendations"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
CATALOGS = {
    "small": SMALL,
    "large": Settings(items=50_000, users=2_000),
}
KINDS = ("view", "click", "add_to_cart", "purchase")


def requests_for(settings: Settings) -> list[str]:
    """The requests whose answers are pinned: every kind of user, item and category, several n."""
    users, items = settings.users, settings.items
    rng = random.Random(11)
    home = [
        *range(40),  # cold users (no history) among them: the generator makes 20 % cold
        *rng.sample(range(users), 40),
        users - 1,
        users,  # the first id outside the catalog: a guest
        users + 777,  # a guest with events (see events_for)
        2**31 - 1,
    ]
    similar = [0, 1, 2, 5, items // 2, items - 1, *rng.sample(range(items), 30)]
    paths = [f"/v1/recommendations/home?user_id={u}&n=10" for u in home]
    paths += [f"/v1/recommendations/home?user_id={u}&n={n}" for u in home[35:50] for n in (1, 3)]
    paths += [f"/v1/recommendations/home?user_id={u}&n=100" for u in home[40:48]]
    paths += [f"/v1/recommendations/home?user_id={u}" for u in home[:3]]  # n's default
    paths += [f"/v1/recommendations/similar?item_id={i}&n=10" for i in similar]
    paths += [f"/v1/recommendations/similar?item_id={i}&n=100" for i in similar[:6]]
    paths += [f"/v1/recommendations/similar?item_id={i}&n=1" for i in similar[:6]]
    paths += [f"/v1/recommendations/trending?category={c}&n=10" for c in (-1, 0, 1, 7, 39)]
    paths += [f"/v1/recommendations/trending?category={c}&n=100" for c in (-1, 3)]
    paths += ["/v1/recommendations/trending"]
    return paths


def events_for(settings: Settings) -> list[dict[str, Any]]:
    """A fixed sequence of events: some users (and a guest) change history; trending fills up."""
    rng = random.Random(5)
    users = [*range(0, 60, 3), settings.users + 777]
    # Skewed to popular items, as traffic is, so trending has ties and several events per item.
    items = [int(rng.paretovariate(1.2)) % settings.items for _ in range(400)]
    return [
        {"user_id": rng.choice(users), "item_id": item, "type": rng.choice(KINDS)} for item in items
    ]


async def answers(client: AppClient, paths: list[str]) -> dict[str, Any]:
    """Each answer as recorded: its top-level keys in order, its fields, and its items' ids in
    order. Each item's own fields are checked here against the catalog (so the golden files need
    only the ids): exactly these keys, in this order, with the catalog's values."""
    catalog = client.app[CATALOG]
    recorded: dict[str, Any] = {}
    for path in paths:
        response = await client.get(path)
        assert response.status == 200, (path, await response.text())
        assert response.content_type == "application/json", path
        body = await response.json()
        for item in body["items"]:
            i = item["item_id"]
            assert list(item.items()) == [
                ("item_id", i),
                ("category", int(catalog.category[i])),
                ("price_cents", int(catalog.price_cents[i])),
                ("in_stock", bool(catalog.in_stock[i])),
            ], (path, item)
            assert all(
                type(v) is type(w) for v, w in zip(item.values(), (1, 1, 1, True), strict=True)
            ), item
        recorded[path] = {
            "keys": list(body),
            **body,
            "items": [item["item_id"] for item in body["items"]],
        }
    return recorded


def check_golden(name: str, actual: dict[str, Any]) -> None:
    path = GOLDEN / f"{name}.json"
    # One request per line: a changed recommendation shows as a one-line diff.
    text = "{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in actual.items())
    text += "\n}\n"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no golden file {path}; run with UPDATE_GOLDEN=1 to create it"
    expected = json.loads(path.read_text())
    assert list(actual) == list(expected), f"{path.name}: other requests than recorded"
    for request_path, body in expected.items():
        assert actual[request_path] == body, f"{path.name}: {request_path} differs"


@pytest.mark.parametrize("store", ["memory", "redis"])
@pytest.mark.parametrize("catalog", list(CATALOGS))
async def test_answers_are_the_recorded_ones_before_and_after_events(
    aiohttp_client: ClientFactory, catalog: str, store: str
) -> None:
    settings = dataclasses.replace(
        CATALOGS[catalog], store=None if store == "memory" else REDIS_URL
    )
    if store == "redis":  # a clean slate: histories then start as generated, trending empty
        await _clear_redis(settings)
    try:
        client = await aiohttp_client(await init_app(settings, CollectorRegistry()))
        paths = requests_for(settings)
        recorded = {f"before {p}": body for p, body in (await answers(client, paths)).items()}
        for event in events_for(settings):
            response = await client.post("/v1/events", json=event)
            assert response.status == 202, await response.text()
        recorded |= {f"after {p}": body for p, body in (await answers(client, paths)).items()}
    finally:
        if store == "redis":
            await _clear_redis(settings)

    check_golden(f"{catalog}-{store}", recorded)


def test_the_logic_ranks_as_recorded_for_many_histories() -> None:
    """``recommender.home`` and ``similar`` directly, for 300 users' generated histories and
    300 items of the large catalog, at the n the handler asks for (twice the page size)."""
    settings = CATALOGS["large"]
    catalog = build_catalog(
        seed=settings.seed,
        items=settings.items,
        users=settings.users,
        categories=settings.categories,
    )
    rng = random.Random(23)

    def neighbours(item: int) -> list[int]:  # what the handler's neighbour cache holds
        return recommender.in_stock_neighbours(catalog, item)

    recorded: dict[str, Any] = {}
    for user in rng.sample(range(catalog.users), 300):
        history = catalog.initial_history(user)
        recent = history[: recommender.RECENT]
        n = rng.choice((2, 20, 200))
        recorded[f"home {user} {n}"] = recommender.home(
            catalog, history, [neighbours(i) for i in recent], n
        )
    for item in rng.sample(range(catalog.items), 300):
        n = rng.choice((1, 10, 100))
        recorded[f"similar {item} {n}"] = recommender.similar(catalog, item, n)

    check_golden("logic-large", recorded)


async def _clear_redis(settings: Settings) -> None:
    store = RedisStore(REDIS_URL, build_catalog(seed=1, items=10, users=10, categories=2))
    try:
        await store.clear()
    finally:
        await store.close()
