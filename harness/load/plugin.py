"""The harness's Locust plugin: loaded beside any locustfile (``-f plugin.py,locustfile.py``).

It runs inside Locust's processes (so it may import Locust) and, without any change to the
user's locustfile:

* exports the client-side metrics of the contract on a loopback port Prometheus scrapes;
* opens the measured window after the warm-up and closes it when the load stops; the process that
  controls the run (standalone or master) decides the window and tells the workers;
* in the open model, replaces the users' wait times with arrival tickets (``open_model.py``) and
  times each iteration's first request from its intended start;
* records each request inside the window in HDR histograms per endpoint (exact, mergeable across
  processes) and writes them to a results file when Locust quits;
* before the process exits, waits (bounded) for one more Prometheus scrape, so the last counts of
  the window are stored in Prometheus and not lost with the process.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import gevent
from locust import events
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from harness.load.arrivals import ArrivalProfile
from harness.load.client_metrics import ENV_ARRIVALS, ENV_RESULTS_DIR, ENV_WARMUP_S, WINDOW_FILE
from harness.load.exporter import ClientMetrics, bind_exporter
from harness.load.open_model import Dispatcher
from harness.load.window import WindowRecorder

log = logging.getLogger("loadgate.plugin")

WINDOW_MESSAGE = "loadgate_window_start"
FINAL_SCRAPE_WAIT_S = 10.0

METRICS = ClientMetrics()
WINDOW = WindowRecorder()
_state: dict[str, Any] = {"exporter_port": None, "dispatcher": None}
_seen_endpoints: set[tuple[str, str]] = set()
# The iteration each user greenlet is running: [intended start, first request still to come].
_iterations: dict[Any, list[Any]] = {}


def on_init(environment: Environment, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.register_message(WINDOW_MESSAGE, _on_window_message)
    if isinstance(runner, MasterRunner):
        return  # the master sends no requests: nothing to export, no arrivals to dispatch
    _state["exporter_port"] = bind_exporter(METRICS.registry)
    METRICS.users.set_function(lambda: float(runner.user_count) if runner else 0.0)
    arrivals = os.environ.get(ENV_ARRIVALS)
    if arrivals:
        profile = ArrivalProfile.from_json(arrivals)
        _state["dispatcher"] = Dispatcher(
            profile, WINDOW, on_drop=METRICS.dropped.labels("iteration").inc
        )
        METRICS.arrival_rate.set(profile.peak_rate * profile.share)
        for user_class in environment.user_classes:
            _pace_by_arrivals(user_class)


def _pace_by_arrivals(user_class: type) -> None:
    """Users wait for an arrival ticket before every iteration, the first one included."""
    original_on_start = user_class.on_start  # type: ignore[attr-defined]

    def on_start(self: Any) -> None:
        original_on_start(self)
        _begin_iteration()

    def wait_time(self: Any) -> float:
        _begin_iteration()
        return 0.0

    user_class.on_start = on_start  # type: ignore[attr-defined]
    user_class.wait_time = wait_time  # type: ignore[attr-defined]


def _begin_iteration() -> None:
    dispatcher: Dispatcher = _state["dispatcher"]
    _iterations[gevent.getcurrent()] = [dispatcher.take(), True]


def on_test_start(environment: Environment, **_: Any) -> None:
    if _state["dispatcher"] is not None:
        _state["dispatcher"].start(time.time())
    if isinstance(environment.runner, WorkerRunner):
        return  # the controlling process decides the window
    start = time.time() + float(os.environ.get(ENV_WARMUP_S, "0"))
    _open_window(start)
    if isinstance(environment.runner, MasterRunner):
        environment.runner.send_message(WINDOW_MESSAGE, {"start": start})


def _on_window_message(environment: Environment, msg: Any, **_: Any) -> None:
    _open_window(float(msg.data["start"]))


def _open_window(start: float) -> None:
    WINDOW.start = start
    WINDOW.end = None
    gevent.spawn_later(max(0.0, start - time.time()), log.info, "loadgate: measured window opened")


def on_request(
    request_type: str,
    name: str,
    response_time: float,
    exception: BaseException | None,
    start_time: float | None = None,
    **_: Any,
) -> None:
    if (name, request_type) not in _seen_endpoints:
        # Both outcomes exist from the first request on, so "no errors" is a 0, not a missing
        # series that an SLO would have to read as "no data".
        _seen_endpoints.add((name, request_type))
        METRICS.requests.labels(name, request_type, "ok")
        METRICS.requests.labels(name, request_type, "error")
    corrected = response_time
    iteration = _iterations.get(gevent.getcurrent())
    if iteration is not None and iteration[1]:
        iteration[1] = False
        started = start_time if start_time is not None else time.time() - response_time / 1000.0
        corrected += max(0.0, started - iteration[0]) * 1000.0
    METRICS.requests.labels(name, request_type, "error" if exception is not None else "ok").inc()
    METRICS.duration.labels(name, request_type).observe(corrected / 1000.0)
    if WINDOW.is_open(time.time()):
        WINDOW.record(name, request_type, response_time, corrected, exception is not None)


def on_test_stop(environment: Environment, **_: Any) -> None:
    if WINDOW.end is None:
        WINDOW.end = time.time()
    if _state["dispatcher"] is not None:
        _state["dispatcher"].stop()


def on_quitting(environment: Environment, **_: Any) -> None:
    ended = WINDOW.end if WINDOW.end is not None else time.time()
    runner = environment.runner
    if not isinstance(runner, WorkerRunner):
        _write_json(WINDOW_FILE, {"start": WINDOW.start, "end": ended})
    if not isinstance(runner, MasterRunner):
        _write_json(f"client-{os.getpid()}.json", WINDOW.as_json())
        _wait_for_final_scrape(after=ended)


def _write_json(name: str, payload: dict[str, Any]) -> None:
    folder = os.environ.get(ENV_RESULTS_DIR)
    if not folder:
        return
    target = Path(folder) / name
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload), encoding="utf-8")
    temporary.replace(target)


def _wait_for_final_scrape(after: float) -> None:
    # Counts made after Prometheus's last scrape would die with this process.
    if _state["exporter_port"] is None or not os.environ.get(ENV_RESULTS_DIR):
        return
    deadline = time.time() + FINAL_SCRAPE_WAIT_S
    while METRICS.clock.last_scrape <= after and time.time() < deadline:
        gevent.sleep(0.05)
    if METRICS.clock.last_scrape <= after:
        log.warning(
            "loadgate: Prometheus did not scrape after the load stopped; last counts may be lost"
        )


events.init.add_listener(on_init)
events.test_start.add_listener(on_test_start)
events.request.add_listener(on_request)
events.test_stop.add_listener(on_test_stop)
events.quitting.add_listener(on_quitting)
