"""The baseline for service benchmarks: an aiohttp hello-world JSON endpoint, served exactly like
the reference service (same run_app settings, no access log)."""

from __future__ import annotations

import argparse

from aiohttp import web

from services_under_test.recommender.eventloop import LOOPS, new_event_loop

SERVED = [0]  # /hello responses so far: benchmarks count requests over a stretch of a run


async def hello(request: web.Request) -> web.Response:
    SERVED[0] += 1
    return web.json_response(
        {"items": [{"item_id": 1, "category": 2, "price_cents": 300}], "degraded": False}
    )


async def served(request: web.Request) -> web.Response:
    return web.json_response({"served": SERVED[0]})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loop", choices=LOOPS, default="asyncio", help="as the service's --loop")
    args = parser.parse_args()
    app = web.Application()
    app.router.add_get("/hello", hello)
    app.router.add_get("/served", served)
    web.run_app(
        app,
        host="127.0.0.1",
        port=args.port,
        access_log=None,
        print=None,
        shutdown_timeout=5.0,
        loop=new_event_loop(args.loop),
    )


if __name__ == "__main__":
    main()
