"""Waiting for things to be ready by asking them, never by sleeping a fixed time."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import requests

__all__ = ["free_port", "http_answers", "wait_until"]


def wait_until(predicate: Callable[[], bool], timeout_s: float, interval_s: float = 0.1) -> bool:
    """Poll ``predicate()`` until it is true or ``timeout_s`` passes; returns whether it became true."""
    deadline = time.monotonic() + timeout_s
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval_s)


def http_answers(url: str, timeout_s: float = 2.0, ok_only: bool = False) -> bool:
    """True when ``url`` gives any HTTP response (or a 2xx one, with ``ok_only``)."""
    try:
        response = requests.get(url, timeout=(timeout_s, timeout_s), allow_redirects=False)
    except requests.RequestException:
        return False
    return response.ok if ok_only else True


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
