"""The rules behind the fault matrix (tests/e2e/test_fault_matrix.py), at their edges: which
Prometheus answers are a wrong query and which a Prometheus that did not measure, and when a
window ended too soon."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness.errors import InconclusiveError
from harness.load.health import CpuSampler
from harness.load.runner import LocustRun
from harness.prometheus_api import PrometheusAPI, QueryError
from harness.stages.run_load import _cut_short
from harness.values.run_result import LoadWindow


@pytest.fixture
def answering() -> Iterator[tuple[str, list[int]]]:
    """A server answering every request with the status the test puts in the list."""
    status = [200]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"status": "error", "error": "as the test asked"}'
            self.send_response(status[0])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", status
    server.shutdown()
    thread.join(timeout=5)


@pytest.mark.parametrize("code", [400, 422])
def test_a_query_prometheus_will_not_run_is_a_query_error(
    answering: tuple[str, list[int]], code: int
) -> None:
    url, status = answering
    status[0] = code
    with pytest.raises(QueryError, match=f"rejected the query 'up': HTTP Status Code {code}"):
        PrometheusAPI(url).value("up")


@pytest.mark.parametrize("code", [500, 503, 404, 401])
def test_any_other_answer_is_a_prometheus_that_did_not_measure(
    answering: tuple[str, list[int]], code: int
) -> None:
    url, status = answering
    status[0] = code
    with pytest.raises(InconclusiveError) as caught:
        PrometheusAPI(url).value("up")
    assert str(caught.value) == f"Prometheus at {url} answered HTTP {code} to a query"


def locust(
    exit_code: int | None = 0,
    timed_out: bool = False,
    interrupted: bool = False,
    stopped_early: str | None = None,
) -> LocustRun:
    return LocustRun(exit_code, timed_out, interrupted, CpuSampler(0), "", stopped_early)


def window(seconds: float) -> LoadWindow:
    return LoadWindow(1000.0, 1000.0 + seconds)


def test_a_window_that_ran_its_course_is_not_cut_short() -> None:
    # Locust's run time is rounded up to whole seconds and starts after the window's clock:
    # a finished window is never shorter than planned by more than scheduling noise.
    assert _cut_short(window(30.02), 30, locust()) is None
    assert _cut_short(window(29.2), 30, locust()) is None


def test_a_window_that_ended_early_on_its_own_is_named() -> None:
    reason = _cut_short(window(8.1), 30, locust(exit_code=0))
    assert reason == (
        "the load generator stopped 21.9s before the window's end (exit code 0): "
        "8.1s of 30s measured"
    )


@pytest.mark.parametrize(
    "run",
    [locust(interrupted=True), locust(timed_out=True), locust(stopped_early="a page fired")],
    ids=["interrupted", "timed out", "stopped by the harness"],
)
def test_a_stop_the_harness_made_is_judged_where_it_happens(run: LocustRun) -> None:
    assert _cut_short(window(8.1), 30, run) is None


def test_no_window_at_all_is_decided_elsewhere() -> None:
    assert _cut_short(None, 30, locust()) is None  # "there is no measured window"
