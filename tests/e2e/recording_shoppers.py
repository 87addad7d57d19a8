"""The shipped shopper traffic, recording what each user requested (tests of issue #14).

A locustfile for tests: the shipped ``Shopper`` unchanged, plus a listener that notes every
request's name and URL under the user that sent it (users numbered in spawn order, as the
harness numbers their random streams), written as JSON to ``$RECORD_REQUESTS_TO`` at exit.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import gevent
from locust import events

# Locust imports a locustfile by path: the shipped one's folder must be importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scenarios" / "locustfiles"))
import recommendations

_user_of: dict[Any, int] = {}
_requests: dict[int, list[str]] = {}


class RecordingShopper(recommendations.Shopper):
    def on_start(self) -> None:
        index = len(_user_of)
        _user_of[gevent.getcurrent()] = index
        _requests[index] = []
        super().on_start()


@events.request.add_listener
def _record(name: str, request_type: str, url: str = "", **_: Any) -> None:
    user = _user_of.get(gevent.getcurrent())
    if user is not None:
        _requests[user].append(f"{request_type} {url or name}")


@events.quitting.add_listener
def _write(**_: Any) -> None:
    target = os.environ.get("RECORD_REQUESTS_TO")
    if target:
        Path(target).write_text(json.dumps({str(k): v for k, v in _requests.items()}))
