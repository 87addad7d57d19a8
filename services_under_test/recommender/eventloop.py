"""The service's event loop, by name (``--loop``): asyncio's own, or uvloop (libuv underneath).

uvloop runs the same asyncio code with less per-callback and per-socket overhead in the loop
itself; it is optional so that a platform without it (Windows) or a suspicion of it can fall back
to the standard loop.
"""

from __future__ import annotations

import asyncio

__all__ = ["LOOPS", "new_event_loop"]

LOOPS = ("asyncio", "uvloop")


def new_event_loop(name: str) -> asyncio.AbstractEventLoop:
    if name == "uvloop":
        import uvloop  # imported only when asked for: the default loop does not need it

        return uvloop.new_event_loop()
    if name == "asyncio":
        return asyncio.new_event_loop()
    raise ValueError(f"--loop {name!r} is not allowed; allowed: {', '.join(LOOPS)}")
