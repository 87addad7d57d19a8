"""The harness's Locust plugin: loaded beside any locustfile (``-f plugin.py,locustfile.py``).

It runs inside Locust's processes (so it may import Locust) and, without any change to the
user's locustfile:

* exports the client-side metrics of the contract on a loopback port Prometheus scrapes;
* opens the measured window after the warm-up and closes it when the load stops; the process that
  controls the run (standalone or master) decides the window and tells the workers;
* in the open model, replaces the users' wait times with arrival tickets (``open_model.py``) and
  times each iteration's first request from its intended start;
* keeps one record per request (``request_log.py``), from which it exports the request counter
  and latency histogram at scrape time and fills the window's HDR histograms per endpoint
  (exact, mergeable across processes), written to a results file when Locust quits;
* bounds the distinct request names it records and exports (``names.py``): a locustfile that
  forgot ``name=`` must not make every request dearer than the last;
* gives every user its own random stream, derived from the run's seed (``LOADGATE_SEED``), so
  the same seed gives each user the same requests (``streams.py``);
* in a duet (``LOADGATE_DUET``), splits the users into matched pairs, one per side, and labels
  every request with its side (``duet.py``);
* adds the ``loadgate_check`` and ``loadgate_session`` event hooks a locustfile may report
  response checks and sessions through, and counts them (``traffic_hooks.py``);
* counts the iterations (tasks) inside the window and those that raised (``user_error``): an
  iteration that raised is load that did not happen;
* samples its own CPU (``self_cpu.py``), so a worker on another machine, which the harness
  cannot see, still reports whether it was saturated;
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
from locust import TaskSet, events
from locust.env import Environment
from locust.runners import STATE_MISSING, MasterRunner, WorkerRunner

from harness.load.duet import SideBook
from harness.load.exporter import ClientMetrics, bind_exporter
from harness.load.names import NameBound, folding_warning
from harness.load.open_model import Dispatcher
from harness.load.pairs import PairedRequests, window_index
from harness.load.request_log import RequestLog
from harness.load.self_cpu import sample_own_cpu
from harness.load.streams import UserStreams
from harness.load.traffic_hooks import install_traffic_hooks
from harness.load.window import WindowRecorder
from harness.run_folder import WINDOW_FILE, client_results_file
from harness.values.arrivals import ArrivalProfile
from harness.values.client_metrics import (
    DROPPED_ITERATION_NAME,
    ENV_ARRIVALS,
    ENV_DUET,
    ENV_RESULTS_DIR,
    ENV_SEED,
    ENV_WARMUP_S,
    DuetTargets,
)

log = logging.getLogger("loadgate.plugin")

WINDOW_MESSAGE = "loadgate_window_start"
WINDOW_END_MESSAGE = "loadgate_window_end"
RESULTS_MESSAGE = "loadgate_window_results"
FINAL_SCRAPE_WAIT_S = 10.0
RESULTS_WAIT_S = 10.0  # how long the master waits for the workers' results when the load stops

METRICS = ClientMetrics()
WINDOW = WindowRecorder()
NAMES = NameBound()
PAIRED = PairedRequests()  # a closed-model duet's paired requests
WINDOW.paired = PAIRED
WINDOW.folded = NAMES.folded_examples
REQUESTS = RequestLog(WINDOW)  # the one per-request record; exported at scrape time
METRICS.registry.register(REQUESTS)
_state: dict[str, Any] = {
    "exporter_port": None,
    "dispatcher": None,
    "results_sent": False,
    "general_listener": False,  # on_request, not on_closed_model_request, records requests
}
_duet: list[SideBook] = []  # the duet's side book, in a duet only
STREAMS = UserStreams(seed=0)  # its seed and process index are set in on_init
_results_from: set[str] = set()  # workers whose results the master has written
# The iteration each user greenlet is running: [intended start, first request still to come].
_iterations: dict[Any, list[Any]] = {}


def on_init(environment: Environment, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.register_message(WINDOW_MESSAGE, _on_window_message)
        runner.register_message(WINDOW_END_MESSAGE, _on_window_end_message)
    if isinstance(runner, MasterRunner):
        # The master sends no requests: nothing to export or dispatch; it collects the results.
        runner.register_message(RESULTS_MESSAGE, _on_results_message)
        return
    _state["exporter_port"] = bind_exporter(METRICS.registry)
    sample_own_cpu(WINDOW)
    METRICS.phase.bounds = lambda: (WINDOW.start, WINDOW.end)
    METRICS.users.set_function(lambda: float(runner.user_count) if runner else 0.0)
    install_traffic_hooks(
        environment, METRICS, WINDOW, NAMES, lambda: _duet[0].side() if _duet else ""
    )
    _setup_streams(environment, int(os.environ.get(ENV_SEED, "0")))
    arrivals = os.environ.get(ENV_ARRIVALS)
    duet = os.environ.get(ENV_DUET)
    if arrivals:
        _setup_open_model(environment, ArrivalProfile.from_json(arrivals), sides=2 if duet else 1)
    if duet:
        _setup_duet(environment, DuetTargets.from_json(duet), closed_model=not arrivals)


def _process_index(environment: Environment) -> int:
    """This process's index among the run's load generators: a worker's comes from the master."""
    runner = environment.runner
    return max(0, runner.worker_index) if isinstance(runner, WorkerRunner) else 0


def _setup_streams(environment: Environment, seed: int) -> None:
    """Every user draws from its own stream, bound before anything else it does (its on_start
    included); in a duet, ``SideBook.join`` binds the pair's stream instead."""
    STREAMS.seed = seed
    STREAMS.process = lambda: _process_index(environment)
    STREAMS.install()
    for user_class in environment.user_classes:
        original_on_start = user_class.on_start

        def on_start(self: Any, _original: Any = original_on_start) -> None:
            if not _duet:
                STREAMS.bind_next_user()
            _original(self)

        user_class.on_start = on_start  # type: ignore[method-assign]


def _record_requests_with_sides_and_intended_starts() -> None:
    """The open model and duets record through ``on_request``, which knows both."""
    if not _state["general_listener"]:
        _state["general_listener"] = True
        events.request.remove_listener(on_closed_model_request)
        events.request.add_listener(on_request)


def _setup_duet(environment: Environment, targets: DuetTargets, closed_model: bool) -> None:
    """Every user joins a side before anything else it does (its on_start included)."""
    _record_requests_with_sides_and_intended_starts()
    book = SideBook(targets, STREAMS)
    _duet.append(book)
    _state["paired"] = closed_model  # lockstep pairs send the same requests at the same moment
    for user_class in environment.user_classes:
        original_on_start = user_class.on_start

        def on_start(self: Any, _original: Any = original_on_start) -> None:
            book.join(self)
            _original(self)

        user_class.on_start = on_start  # type: ignore[method-assign]
        if closed_model:  # the open model's pairs are kept by alternating arrivals instead
            original_wait = user_class.wait_time

            def wait_time(self: Any, _original: Any = original_wait) -> float:
                pair = book.finished_iteration()
                if pair is not None:
                    PAIRED.forget_before(pair, book.iteration() - 1)
                return float(_original(self))

            user_class.wait_time = wait_time


def _setup_open_model(environment: Environment, profile: ArrivalProfile, sides: int = 1) -> None:
    if _state["dispatcher"] is not None:
        return
    _record_requests_with_sides_and_intended_starts()
    _state["dispatcher"] = Dispatcher(
        profile, WINDOW, on_drop=METRICS.dropped.labels(DROPPED_ITERATION_NAME).inc, sides=sides
    )
    WINDOW.separate_uncorrected = True
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
    side = _duet[0].side_index() if _duet else 0
    _iterations[gevent.getcurrent()] = [dispatcher.take(side), True]


def on_test_start(environment: Environment, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        # The window (and, for remote workers, the arrivals) come from the master.
        _start_dispatcher(environment)
        return
    start = time.time() + float(os.environ.get(ENV_WARMUP_S, "0"))
    _open_window(start)
    if isinstance(runner, MasterRunner):
        # Sent before the spawn messages, so workers know window, seed and arrivals before users
        # start.
        message: dict[str, Any] = {"start": start, "seed": int(os.environ.get(ENV_SEED, "0"))}
        arrivals = os.environ.get(ENV_ARRIVALS)
        if arrivals:
            message["arrivals"] = ArrivalProfile.from_json(arrivals).to_json()
        runner.send_message(WINDOW_MESSAGE, message)
    else:
        _start_dispatcher(environment)


def _start_dispatcher(environment: Environment) -> None:
    dispatcher: Dispatcher | None = _state["dispatcher"]
    if dispatcher is not None:
        processes = round(1.0 / dispatcher.profile.share)
        dispatcher.start(time.time(), _process_index(environment), processes)


def _on_window_message(environment: Environment, msg: Any, **_: Any) -> None:
    _open_window(float(msg.data["start"]))
    if ENV_SEED not in os.environ and "seed" in msg.data:  # a worker on another machine
        STREAMS.seed = int(msg.data["seed"])
    if "arrivals" in msg.data:  # a worker on another machine has no environment from the harness
        _setup_open_model(environment, ArrivalProfile.from_json(msg.data["arrivals"]))
        _start_dispatcher(environment)


def _on_window_end_message(environment: Environment, msg: Any, **_: Any) -> None:
    WINDOW.end = float(msg.data["end"])
    _stop_dispatcher()
    _send_results(environment)


def _on_results_message(environment: Environment, msg: Any, **_: Any) -> None:
    _write_json(client_results_file(msg.node_id), msg.data)
    _results_from.add(msg.node_id)


def _open_window(start: float) -> None:
    WINDOW.start = start
    WINDOW.end = None
    gevent.spawn_later(max(0.0, start - time.time()), log.info, "loadgate: measured window opened")


def _folded(name: str) -> str:
    """The name a request is recorded under (``names.py``), warning on the first one folded."""
    folded = NAMES.fold(name)
    if NAMES.first_fold:
        log.warning("loadgate: %s", folding_warning(NAMES.folded_examples))
    return folded


def on_request(
    request_type: str,
    name: str,
    response_time: float,
    exception: BaseException | None,
    start_time: float | None = None,
    **_: Any,
) -> None:
    name = _folded(name)
    side = _duet[0].side() if _duet else ""
    corrected = response_time
    iteration = _iterations.get(gevent.getcurrent()) if _iterations else None
    if iteration is not None and iteration[1]:
        iteration[1] = False
        started = start_time if start_time is not None else time.time() - response_time / 1000.0
        corrected += max(0.0, started - iteration[0]) * 1000.0
    finished = start_time + response_time / 1000.0 if start_time is not None else time.time()
    REQUESTS.append((name, request_type, side), finished, corrected, response_time, bool(exception))
    if _state.get("paired") and (key := _duet[0].request_key(name, request_type)):
        # A closed-model duet: the partner sends this same request now too (pairs.py).
        start = WINDOW.start
        inside = WINDOW.is_open(finished)
        index = window_index(start, finished) if inside and start is not None else None
        PAIRED.record(
            key, _duet[0].side_index(), response_time, finished - response_time / 1000.0, index
        )


# (name, method) -> its series, for names already admitted (folding counts every request under a
# name it folds, so those never enter): the closed model's listener then skips the folding.
_admitted_series: dict[tuple[str, str], tuple[str, str, str]] = {}


def on_closed_model_request(
    request_type: str,
    name: str,
    response_time: float,
    exception: BaseException | None,
    start_time: float | None = None,
    **_: Any,
) -> None:
    """``on_request`` for a closed model outside a duet, most runs: no side, no intended start to
    correct for (the corrected latency is the plain one), no pairs. The generator's hottest path
    (docs/performance.md, generator): it does what ``on_request`` does there with less."""
    series = _admitted_series.get((name, request_type))
    if series is None:
        folded = _folded(name)
        series = (folded, request_type, "")
        if folded == name:
            _admitted_series[(name, request_type)] = series
    finished = start_time + response_time / 1000.0 if start_time is not None else time.time()
    REQUESTS.append(series, finished, response_time, response_time, exception is not None)


def on_user_error(exception: BaseException, **_: Any) -> None:
    if WINDOW.is_open(time.time()):
        WINDOW.user_error(exception)


_execute_next_task = TaskSet.execute_next_task


def _counted_execute_next_task(self: TaskSet) -> None:
    # One task run is one iteration; one that raises is counted by on_user_error instead.
    # WINDOW.is_open written out: this runs once per iteration, and a call costs.
    _execute_next_task(self)
    now, start, end = time.time(), WINDOW.start, WINDOW.end
    if start is not None and now >= start and (end is None or now <= end):
        WINDOW.iterations += 1


TaskSet.execute_next_task = _counted_execute_next_task  # type: ignore[method-assign]


def on_test_stopping(environment: Environment, **_: Any) -> None:
    # The window closes before the users are stopped: a request still in flight then is killed
    # on the client unrecorded, while the service may still count it — outside the window on
    # both sides only if the window ended first.
    if WINDOW.end is None:
        WINDOW.end = time.time()
    if isinstance(environment.runner, MasterRunner):
        # Ask for the workers' results now: when Locust quits, the master waits only 0.5 s for
        # its workers, and a busy (saturated) worker's results, its CPU among them, came too late.
        environment.runner.send_message(WINDOW_END_MESSAGE, {"end": WINDOW.end})


def on_test_stop(environment: Environment, **_: Any) -> None:
    if WINDOW.end is None:
        WINDOW.end = time.time()
    _stop_dispatcher()
    runner = environment.runner
    if isinstance(runner, MasterRunner):
        _await_results(runner)
    _send_results(environment)


def _stop_dispatcher() -> None:
    if _state["dispatcher"] is not None:
        _state["dispatcher"].stop()


def _send_results(environment: Environment) -> None:
    # Workers may be on other machines: their results travel to the master, which writes them.
    runner = environment.runner
    if isinstance(runner, WorkerRunner) and not _state["results_sent"]:
        _state["results_sent"] = True
        REQUESTS.fold()
        runner.send_message(RESULTS_MESSAGE, WINDOW.as_json())


def _await_results(runner: MasterRunner) -> None:
    deadline = time.time() + RESULTS_WAIT_S
    while time.time() < deadline:
        connected = {w.id for w in runner.clients.all if w.state != STATE_MISSING}
        if connected <= _results_from:
            return
        gevent.sleep(0.05)
    log.warning("loadgate: some workers' results did not arrive within %.0fs", RESULTS_WAIT_S)


def on_quitting(environment: Environment, **_: Any) -> None:
    ended = WINDOW.end if WINDOW.end is not None else time.time()
    runner = environment.runner
    if not isinstance(runner, WorkerRunner):
        _write_json(WINDOW_FILE, {"start": WINDOW.start, "end": ended})
    if not isinstance(runner, MasterRunner | WorkerRunner):
        REQUESTS.fold()
        _write_json(client_results_file(os.getpid()), WINDOW.as_json())
    if not isinstance(runner, MasterRunner):
        _wait_for_final_scrape(after=ended, scraped=isinstance(runner, WorkerRunner))


def _write_json(name: str, payload: dict[str, Any]) -> None:
    folder = os.environ.get(ENV_RESULTS_DIR)
    if not folder:
        return
    target = Path(folder) / name
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload), encoding="utf-8")
    temporary.replace(target)


def _wait_for_final_scrape(after: float, scraped: bool) -> None:
    # Counts made after Prometheus's last scrape would die with this process. Plain `locust` runs
    # (no harness, nobody scraping) do not wait; harness runs and workers (maybe remote) do.
    if _state["exporter_port"] is None or not (os.environ.get(ENV_RESULTS_DIR) or scraped):
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
events.request.add_listener(on_closed_model_request)  # until an open model or a duet is set up
events.user_error.add_listener(on_user_error)
events.test_stopping.add_listener(on_test_stopping)
events.test_stop.add_listener(on_test_stop)
events.quitting.add_listener(on_quitting)
