"""One request per iteration, recording when each started (tests of issue #14: the open model's
arrivals over several processes). Each process writes its start times as JSON to
``$RECORD_ARRIVALS_DIR/arrivals-<pid>.json`` at exit."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant, events, task

_started: list[float] = []


class Arrival(FastHttpUser):
    wait_time = constant(0)  # the open model replaces it with arrival tickets

    @task
    def health(self) -> None:
        self.client.get("/healthz")


@events.request.add_listener
def _record(start_time: float, **_: Any) -> None:
    _started.append(start_time)


@events.quitting.add_listener
def _write(**_: Any) -> None:
    folder = os.environ.get("RECORD_ARRIVALS_DIR")
    if folder and _started:
        Path(folder, f"arrivals-{os.getpid()}.json").write_text(json.dumps(_started))
