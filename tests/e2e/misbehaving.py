"""A loopback HTTP proxy for fault tests: it forwards to a real server (Prometheus, the reference
service) until the test tells it to misbehave on some paths — answer 5xx, accept and never
answer, or close the connection half-way through a response.

It runs an asyncio server on its own thread, one request per connection (each response says
``Connection: close``), so a fault hits exactly the requests it counts.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from tests.conftest import free_port

HANG = "hang"  # read the request, never answer (until the proxy stops)
CUT = "cut"  # forward, then send the headers and half the body, and close
UPSTREAM_TIMEOUT_S = 30.0


class MisbehavingProxy:
    """``fault`` is None (forward), ``HANG``, ``CUT`` or an HTTP status such as ``"503"``; it
    applies to paths starting with ``prefix``, to one request in ``every``."""

    def __init__(self, upstream: str, prefix: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.prefix = prefix
        self.fault: str | None = None
        self.every = 1
        self.faulted = 0  # requests the fault was applied to
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._stopping: asyncio.Event | None = None
        self._seen = 0
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def _close(self) -> None:
        assert self._stopping is not None
        self._stopping.set()  # hung handlers return and close their connections
        self._server.close()
        await asyncio.wait_for(self._server.wait_closed(), timeout=5)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._stopping is not None
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = _content_length(head)
            body = await reader.readexactly(length) if length else b""
            path = head.split(b" ", 2)[1].decode("latin-1")
            fault = self._fault_for(path)
            if fault == HANG:
                await self._stopping.wait()
                return
            if fault is not None and fault != CUT:
                writer.write(f"HTTP/1.1 {fault} Fault\r\nContent-Length: 0\r\n".encode())
                writer.write(b"Connection: close\r\n\r\n")
                await writer.drain()
                return
            response = await self._forward(head, body)
            if fault == CUT:
                body_start = response.index(b"\r\n\r\n") + 4
                response = response[: body_start + (len(response) - body_start) // 2]
            writer.write(response)
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    def _fault_for(self, path: str) -> str | None:
        if self.fault is None or not path.startswith(self.prefix):
            return None
        self._seen += 1
        if self._seen % self.every:
            return None
        self.faulted += 1
        return self.fault

    async def _forward(self, head: bytes, body: bytes) -> bytes:
        reader, writer = await asyncio.open_connection(*self.upstream)
        try:
            writer.write(_connection_close(head) + body)
            await writer.drain()
            return await asyncio.wait_for(reader.read(), timeout=UPSTREAM_TIMEOUT_S)
        finally:
            writer.close()


@contextmanager
def misbehaving_proxy(upstream: str, prefix: str) -> Iterator[MisbehavingProxy]:
    proxy = MisbehavingProxy(upstream, prefix)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def _connection_close(head: bytes) -> bytes:
    """The request head with ``Connection: close``: the upstream ends its answer with EOF."""
    lines = [
        line
        for line in head.rstrip(b"\r\n").split(b"\r\n")
        if not line.lower().startswith(b"connection:")
    ]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n"
