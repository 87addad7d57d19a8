"""home_only_locustfile.py's home-page requests, each one's start and end recorded, for
test_many_hosts.py: what each worker saw, to compare with what the master counted and the
service served, and its arrivals, to check that the open model's merged arrivals are Poisson.

A worker writes its [start, end] pairs as JSON to ``$RECORD_REQUESTS_DIR/requests-<pid>.json`` when it
quits (the master runs no users and writes nothing)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

# Locust runs every User class it finds in this module, imported ones included.
from home_only_locustfile import HomeOnly  # noqa: F401  (beside this file; Locust puts it on the path)
from locust import events

_requests: list[tuple[float, float]] = []  # (started, finished), epoch seconds


@events.request.add_listener
def _record(start_time: float, response_time: float, **_: Any) -> None:
    _requests.append((start_time, start_time + response_time / 1000.0))


@events.quitting.add_listener
def _write(**_: Any) -> None:
    folder = os.environ.get("RECORD_REQUESTS_DIR")
    if folder and _requests:
        Path(folder, f"requests-{os.getpid()}.json").write_text(json.dumps(_requests))
