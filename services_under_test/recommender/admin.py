"""The fault admin API: off unless ``--admin``, and only for loopback clients even then."""

from __future__ import annotations

import ipaddress
import json

from aiohttp import web

from services_under_test.recommender.faults import publish
from services_under_test.recommender.keys import FAULTS, METRICS

__all__ = ["get_faults", "put_faults"]


def _loopback_only(request: web.Request) -> None:
    try:
        loopback = ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise web.HTTPForbidden(
            text='{"error": "the admin API answers loopback clients only"}',
            content_type="application/json",
        )


async def get_faults(request: web.Request) -> web.Response:
    _loopback_only(request)
    return web.json_response(
        {"faults": request.app[FAULTS].as_json(), "active": request.app[FAULTS].active()}
    )


async def put_faults(request: web.Request) -> web.Response:
    _loopback_only(request)
    try:
        changes = await request.json()
        if not isinstance(changes, dict):
            raise ValueError("expected a JSON object of fault settings")
        request.app[FAULTS].update(changes)
    except (ValueError, TypeError) as exc:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": str(exc)}), content_type="application/json"
        ) from None
    publish(request.app[FAULTS], request.app[METRICS])
    return await get_faults(request)
