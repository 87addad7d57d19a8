"""Re-ranking: reorder candidate items for a user by a (synthetic) freshness feature.

Deterministic: the same user and items always come back in the same order.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging

from aiohttp import web

__all__ = ["init_app", "main"]

SLOWDOWN = web.AppKey("slowdown_s", float)
MAX_ITEMS = 1000


def freshness(user_id: int, item_id: int) -> int:
    digest = hashlib.blake2b(f"{user_id}:{item_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big")


async def rerank(request: web.Request) -> web.Response:
    try:
        body = await request.json()
        user_id, item_ids = int(body["user_id"]), [int(i) for i in body["item_ids"]]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise web.HTTPBadRequest(
            text='{"error": "expected {user_id, item_ids}"}', content_type="application/json"
        ) from None
    if len(item_ids) > MAX_ITEMS:
        raise web.HTTPBadRequest(
            text='{"error": "too many items"}', content_type="application/json"
        )
    if request.app[SLOWDOWN]:
        await asyncio.sleep(request.app[SLOWDOWN])
    # Keep the caller's ranking mostly: only swap within pairs, by freshness.
    reordered = []
    for i in range(0, len(item_ids), 2):
        pair = item_ids[i : i + 2]
        reordered += sorted(pair, key=lambda item: -freshness(user_id, item))
    return web.json_response({"item_ids": reordered})


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def init_app(slowdown_s: float = 0.0) -> web.Application:
    app = web.Application()
    app[SLOWDOWN] = slowdown_s
    app.router.add_post("/v1/rerank", rerank)
    app.router.add_get("/healthz", healthz)
    return app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services_under_test.reranker")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--slowdown-ms", type=float, default=0.0, help="delay every answer (a fault)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s reranker %(message)s")
    log = logging.getLogger("reranker")
    web.run_app(
        init_app(args.slowdown_ms / 1000.0),
        host=args.host,
        port=args.port,
        access_log=None,
        print=lambda message: log.info(message.strip()),
        shutdown_timeout=5.0,
    )
