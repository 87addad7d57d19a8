"""Fixtures for driving the real service app in-process (aiohttp's test client) and as a process."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from prometheus_client import CollectorRegistry

from services_under_test.recommender.faults import Faults
from services_under_test.recommender.main import init_app
from services_under_test.recommender.settings import Settings

SMALL = Settings(items=2_000, users=500)
# A database of its own (per pytest-xdist worker: two workers must not clear each other's keys).
REDIS_URL = (
    f"redis://127.0.0.1:6379/{15 - int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0)}"
)

AppClient = TestClient  # type: ignore[type-arg]
ClientFactory = Callable[[web.Application], Awaitable[AppClient]]


@pytest.fixture
def make_client(aiohttp_client: ClientFactory) -> Callable[..., Awaitable[AppClient]]:
    """A client for the real app with the given settings changes (and faults)."""

    async def make(faults: Faults | None = None, **changes: Any) -> AppClient:
        settings = dataclasses.replace(SMALL, faults=faults or Faults(), **changes)
        return await aiohttp_client(await init_app(settings, CollectorRegistry()))

    return make


@pytest.fixture
async def client(make_client: Callable[..., Awaitable[AppClient]]) -> AppClient:
    return await make_client()
