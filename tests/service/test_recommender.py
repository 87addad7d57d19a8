"""The reference service's endpoints, driven through the real aiohttp app (no mocks)."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from services_under_test.recommender.keys import CATALOG, STORE
from tests.service.conftest import AppClient


def category_of(client: AppClient, item_id: int) -> int:
    return int(client.app[CATALOG].category[item_id])


async def test_home_recommendations_are_deterministic_sized_and_in_stock(client: AppClient) -> None:
    first = await (await client.get("/v1/recommendations/home?user_id=42&n=7")).json()
    again = await (await client.get("/v1/recommendations/home?user_id=42&n=7")).json()

    assert len(first["items"]) == 7
    assert first == again
    assert (first["degraded"], first["fallbacks"]) == (False, [])
    assert all(client.app[CATALOG].in_stock[i["item_id"]] for i in first["items"])


async def test_home_excludes_what_the_user_has_seen_and_diversifies(client: AppClient) -> None:
    catalog = client.app[CATALOG]
    user = next(u for u in range(catalog.users) if len(catalog.initial_history(u)) >= 5)
    body = await (await client.get(f"/v1/recommendations/home?user_id={user}&n=9")).json()

    items = [i["item_id"] for i in body["items"]]
    assert not set(items) & set(catalog.initial_history(user))
    per_category: dict[int, int] = {}
    for item in body["items"]:
        per_category[item["category"]] = per_category.get(item["category"], 0) + 1
    assert max(per_category.values()) <= 3  # at most a third of 9 from one category


async def test_home_lists_are_full_even_when_a_history_leaves_few_candidates(
    client: AppClient,
) -> None:
    # Diversifying keeps at most a third of a list from one category: a history in one or two
    # categories may leave fewer than n candidates. Popular items the user has not seen fill up.
    catalog = client.app[CATALOG]
    narrow = [
        u
        for u in range(catalog.users)
        if (history := catalog.initial_history(u))
        and len({int(catalog.category[i]) for i in history}) == 1
    ][:30]
    assert narrow, "the small catalog has users whose history is one category"

    for user in narrow:
        body = await (await client.get(f"/v1/recommendations/home?user_id={user}&n=10")).json()
        ids = [i["item_id"] for i in body["items"]]
        assert len(ids) == 10 == len(set(ids)), (user, ids)
        assert not set(ids) & set(catalog.initial_history(user))
        assert all(i["in_stock"] is True for i in body["items"])


async def test_unknown_users_get_popular_items(client: AppClient) -> None:
    body = await (await client.get("/v1/recommendations/home?user_id=99999999&n=3")).json()

    assert [item["item_id"] for item in body["items"]] == client.app[CATALOG].popular(None, 3)


async def test_similar_items_exclude_the_item_and_unknown_items_are_404(client: AppClient) -> None:
    body = await (await client.get("/v1/recommendations/similar?item_id=5&n=5")).json()
    missing = await client.get("/v1/recommendations/similar?item_id=1999999")

    assert 0 < len(body["items"]) <= 5 and 5 not in [i["item_id"] for i in body["items"]]
    assert missing.status == 404
    assert (await missing.json())["parameter"] == "item_id"


async def test_similar_items_are_full_in_stock_lists_filled_up_from_the_category(
    client: AppClient,
) -> None:
    catalog = client.app[CATALOG]
    in_stock_neighbours = [
        {int(j) for j in catalog.neighbours[i] if j != i and catalog.in_stock[j]}
        for i in range(catalog.items)
    ]
    # Items whose distinct neighbours in stock are too few to fill a list of 10 on their own.
    short = [i for i, found in enumerate(in_stock_neighbours) if len(found) < 10][:20]
    assert short, "the small catalog has items with few distinct neighbours"

    for item in [*short, *range(20)]:
        body = await (await client.get(f"/v1/recommendations/similar?item_id={item}&n=10")).json()
        ids = [i["item_id"] for i in body["items"]]
        assert len(ids) == 10 == len(set(ids)) and item not in ids, (item, ids)
        assert all(i["in_stock"] is True and catalog.in_stock[i["item_id"]] for i in body["items"])
        # Neighbours first, then the category's most popular items in stock not yet listed.
        neighbours = [i for i in ids if i in in_stock_neighbours[item]]
        filled = ids[len(neighbours) :]
        popular = catalog.popular(category_of(client, item), 40)
        assert filled == [i for i in popular if i != item and i not in neighbours][: len(filled)]


async def test_events_make_items_trend(client: AppClient) -> None:
    for kind in ("view", "click", "purchase"):
        response = await client.post(
            "/v1/events", json={"user_id": 3, "item_id": 777, "type": kind}
        )
        assert response.status == 202

    overall = await (await client.get("/v1/recommendations/trending?n=3")).json()
    in_category = await (
        await client.get(f"/v1/recommendations/trending?category={category_of(client, 777)}")
    ).json()

    assert overall["items"][0]["item_id"] == 777
    assert in_category["items"][0]["item_id"] == 777


async def test_trending_leaves_out_items_out_of_stock(client: AppClient) -> None:
    catalog = client.app[CATALOG]
    gone = next(i for i in range(catalog.items) if not catalog.in_stock[i])
    for kind in ("view", "click", "purchase"):
        await client.post("/v1/events", json={"user_id": 3, "item_id": gone, "type": kind})

    for category in (-1, category_of(client, gone)):
        body = await (await client.get(f"/v1/recommendations/trending?category={category}")).json()
        ids = [i["item_id"] for i in body["items"]]
        assert gone not in ids and len(ids) == 10
        assert all(i["in_stock"] is True for i in body["items"])


async def test_an_event_becomes_the_users_most_recent_interaction(client: AppClient) -> None:
    await client.post("/v1/events", json={"user_id": 4, "item_id": 1234, "type": "view"})
    assert (await client.app[STORE].history(4))[0] == 1234


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/v1/recommendations/home", "user_id"),
        ("/v1/recommendations/home?user_id=abc", "user_id"),
        ("/v1/recommendations/home?user_id=-1", "user_id"),
        ("/v1/recommendations/home?user_id=1&n=0", "n"),
        ("/v1/recommendations/home?user_id=1&n=1000", "n"),
        ("/v1/recommendations/similar?item_id=x", "item_id"),
        ("/v1/recommendations/trending?category=99", "category"),
    ],
)
async def test_bad_parameters_are_400_naming_the_parameter(
    client: AppClient, path: str, parameter: str
) -> None:
    response = await client.get(path)
    assert response.status == 400
    body = await response.json()
    assert body["parameter"] == parameter and body["allowed"]


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        (b"not json", "body"),
        (b"[1, 2]", "body"),
        (b'{"user_id": 1, "item_id": 2, "type": "like"}', "type"),
        (b'{"user_id": "1", "item_id": 2, "type": "view"}', "user_id"),
        (b'{"user_id": 1, "item_id": 99999999, "type": "view"}', "item_id"),
        (b'{"user_id": true, "item_id": 2, "type": "view"}', "user_id"),
    ],
)
async def test_malformed_events_are_400_naming_the_field(
    client: AppClient, body: bytes, parameter: str
) -> None:
    response = await client.post(
        "/v1/events", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert (await response.json())["parameter"] == parameter


async def test_oversized_bodies_are_413(client: AppClient) -> None:
    response = await client.post("/v1/events", data=b"x" * (65 * 1024))
    assert response.status == 413


async def test_metrics_follow_the_opentelemetry_names(client: AppClient) -> None:
    await client.get("/v1/recommendations/home?user_id=1")
    await client.get("/v1/recommendations/home?user_id=x")

    text = await (await client.get("/metrics")).text()

    families = {f.name: f for f in text_string_to_metric_families(text)}
    counts = {
        (
            s.labels["http_route"],
            s.labels["http_request_method"],
            s.labels["http_response_status_code"],
        ): s.value
        for s in families["http_server_request_duration_seconds"].samples
        if s.name.endswith("_count")
    }
    assert counts[("/v1/recommendations/home", "GET", "200")] == 1
    assert counts[("/v1/recommendations/home", "GET", "400")] == 1
    for name in (
        "http_server_active_requests",
        "recommender_store_operation_duration_seconds",
        "recommender_cache_requests",
        "recommender_items_returned",
        "recommender_fault_active",
        "recommender_shed_requests",
    ):
        assert name in families, name


async def test_health_readiness_and_the_openapi_document(client: AppClient) -> None:
    assert (await client.get("/healthz")).status == 200
    assert (await client.get("/readyz")).status == 200
    document = await (await client.get("/openapi.yaml")).text()
    assert "openapi: 3.0.3" in document and "/v1/events" in document
