"""The reference service, driven through the real aiohttp app (no mocks)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from services_under_test.recommender.faults import Faults
from services_under_test.recommender.main import init_app
from services_under_test.recommender.settings import Settings

ClientFactory = Callable[[web.Application], Awaitable[TestClient]]  # type: ignore[type-arg]
SMALL = Settings(items=2_000, users=500)


@pytest.fixture
async def client(aiohttp_client: ClientFactory) -> TestClient:  # type: ignore[type-arg]
    return await aiohttp_client(await init_app(SMALL, CollectorRegistry()))


async def test_home_recommendations_are_deterministic_and_sized(client: TestClient) -> None:  # type: ignore[type-arg]
    first = await (await client.get("/v1/recommendations/home?user_id=42&n=7")).json()
    again = await (await client.get("/v1/recommendations/home?user_id=42&n=7")).json()

    assert len(first["items"]) == 7
    assert first == again
    assert first["degraded"] is False
    assert {"item_id", "category", "price_cents"} <= set(first["items"][0])


async def test_unknown_users_get_popular_items(client: TestClient) -> None:  # type: ignore[type-arg]
    body = await (await client.get("/v1/recommendations/home?user_id=99999999&n=3")).json()
    assert [item["item_id"] for item in body["items"]] == [0, 1, 2]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("", "user_id"),
        ("?user_id=abc", "user_id"),
        ("?user_id=1&n=0", "n"),
        ("?user_id=1&n=1000", "n"),
    ],
)
async def test_bad_parameters_are_400_naming_the_parameter(
    client: TestClient,
    query: str,
    parameter: str,  # type: ignore[type-arg]
) -> None:
    response = await client.get(f"/v1/recommendations/home{query}")
    assert response.status == 400
    body = await response.json()
    assert body["parameter"] == parameter and body["allowed"]


async def test_metrics_follow_the_opentelemetry_names(client: TestClient) -> None:  # type: ignore[type-arg]
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
    assert "http_server_active_requests" in families


async def test_healthz_answers(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.get("/healthz")
    assert response.status == 200


async def test_injected_errors_are_500s_and_visible_as_an_active_fault(
    aiohttp_client: ClientFactory,
) -> None:
    settings = dataclasses.replace(SMALL, faults=Faults(error_rate=1.0))
    client = await aiohttp_client(await init_app(settings, CollectorRegistry()))

    response = await client.get("/v1/recommendations/home?user_id=1")
    health = await client.get("/healthz")
    metrics = await (await client.get("/metrics")).text()

    assert response.status == 500
    assert health.status == 200  # observability endpoints are exempt
    assert 'recommender_fault_active{fault="error_rate"} 1.0' in metrics
    assert 'http_response_status_code="500"' in metrics


async def test_injected_latency_delays_the_chosen_share(aiohttp_client: ClientFactory) -> None:
    settings = dataclasses.replace(SMALL, faults=Faults(latency_ms=50, latency_share=1.0))
    client = await aiohttp_client(await init_app(settings, CollectorRegistry()))

    started = time.perf_counter()
    response = await client.get("/v1/recommendations/home?user_id=1")

    assert response.status == 200
    assert time.perf_counter() - started >= 0.05
