"""Query-parameter and body validation: a bad request is a 400 naming the parameter and what is
allowed — never a 500."""

from __future__ import annotations

import json

from aiohttp import web

__all__ = ["bad_request", "int_param"]


def bad_request(parameter: str, problem: str, allowed: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(
        text=json.dumps({"error": problem, "parameter": parameter, "allowed": allowed}),
        content_type="application/json",
    )


def int_param(request: web.Request, name: str, *, default: int | None, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        if default is None:
            raise bad_request(name, "is required", f"a whole number from {low} to {high}")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(name, f"{raw!r} is not a whole number", f"{low} to {high}") from None
    if not low <= value <= high:
        raise bad_request(name, f"{value} is out of range", f"{low} to {high}")
    return value
