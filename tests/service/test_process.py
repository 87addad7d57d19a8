"""The service as a process: graceful drain on SIGTERM, several workers, a leak you can see,
and its OpenAPI document checked against it by a property-based fuzzer (schemathesis)."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import psutil
import pytest
import requests

from services_under_test.recommender.catalog import build_catalog
from services_under_test.recommender.store import RedisStore
from tests.conftest import REPO
from tests.service.conftest import REDIS_URL

Factory = Callable[..., tuple[str, subprocess.Popen[bytes]]]
SMALL = ("--items", "2000", "--users", "500")
HOME = "/v1/recommendations/home?user_id=3"


def home_count(url: str) -> float:
    text = requests.get(f"{url}/metrics", timeout=5).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("http_server_request_duration_seconds_count") and "/home" in line
    )


def wait_for(predicate: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


async def clear_redis(url: str) -> None:
    store = RedisStore(url, build_catalog(seed=42, items=10, users=10, categories=2))
    await store.clear()
    await store.close()


def test_sigterm_lets_in_flight_requests_finish(service_factory: Factory) -> None:
    url, process = service_factory(
        *SMALL, "--fault-latency", "1000@1", "--fault-route", "/v1/recommendations/home"
    )
    outcome: dict[str, int] = {}
    request = threading.Thread(
        target=lambda: outcome.update(status=requests.get(url + HOME, timeout=15).status_code)
    )
    request.start()

    def in_flight() -> bool:
        text = requests.get(f"{url}/metrics", timeout=5).text
        return "http_server_active_requests 1.0" in text

    wait_for(in_flight, 10)
    process.send_signal(signal.SIGTERM)
    request.join(timeout=15)

    assert outcome.get("status") == 200
    assert process.wait(timeout=20) == 0


def test_two_workers_share_the_port_and_metrics_add_up(service_factory: Factory) -> None:
    url, process = service_factory(*SMALL, "--workers", "2")
    wait_for(lambda: requests.get(f"{url}/healthz", timeout=2).ok, 30)

    for user in range(150):  # a new connection each: the kernel spreads them over both workers
        assert requests.get(f"{url}/v1/recommendations/home?user_id={user}", timeout=5).ok

    # Whichever worker answers /metrics reports all 150.
    assert {home_count(url) for _ in range(10)} == {150.0}

    # Its supervisor killed outright, no worker lives on holding the port.
    workers = psutil.Process(process.pid).children()
    assert len(workers) >= 2
    process.kill()
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []


def test_the_injected_leak_grows_memory(service_factory: Factory) -> None:
    url, process = service_factory(*SMALL, "--fault-leak-kb-per-s", "4096")
    rss = psutil.Process(process.pid).memory_info().rss
    wait_for(lambda: psutil.Process(process.pid).memory_info().rss - rss > 8 * 2**20, 15)
    assert (
        'recommender_fault_active{fault="leak_kb_per_s"} 4096.0'
        in requests.get(f"{url}/metrics", timeout=5).text
    )


def test_the_openapi_document_holds_against_the_running_service(service_factory: Factory) -> None:
    url, _ = service_factory()  # the default catalog, whose sizes the document states
    fuzzer = shutil.which("st", path=str(REPO / ".venv/bin")) or shutil.which("st")
    assert fuzzer, "schemathesis is a dev dependency"

    run = subprocess.run(
        [fuzzer, "run", str(REPO / "services_under_test/recommender/openapi.yaml"), "--url", url,
         "--checks", "all", "--max-examples", "40", "--request-timeout", "5", "--generation-deterministic"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip

    assert run.returncode == 0, run.stdout[-4000:]
    assert "No issues found" in run.stdout or "passed" in run.stdout


def test_a_bad_flag_is_a_usage_error_not_a_crash() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "services_under_test.recommender", "--fault-error-rate", "2"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    assert "error_rate must be between 0 and 1" in run.stderr


@pytest.mark.parametrize("store", [REDIS_URL], ids=["redis"])
def test_the_service_runs_on_redis(service_factory: Factory, store: str) -> None:
    asyncio.run(clear_redis(store))
    url, _ = service_factory(*SMALL, "--store", store)
    assert requests.get(f"{url}/readyz", timeout=5).status_code == 200
    assert (
        requests.post(
            f"{url}/v1/events", json={"user_id": 1, "item_id": 9, "type": "click"}, timeout=5
        ).status_code
        == 202
    )
    body = requests.get(f"{url}/v1/recommendations/trending?n=1", timeout=5).json()
    assert body["items"][0]["item_id"] == 9


def test_uvloop_serves_the_same_answers_and_drains_on_sigterm(service_factory: Factory) -> None:
    paths = [
        *(f"/v1/recommendations/home?user_id={u}&n=10" for u in (0, 3, 17, 499, 10_000)),
        "/v1/recommendations/similar?item_id=5&n=10",
        "/v1/recommendations/trending?n=5",
    ]
    answers = {}
    for loop in ("asyncio", "uvloop"):
        url, process = service_factory(*SMALL, "--loop", loop)
        wait_for(lambda url=url: requests.get(f"{url}/healthz", timeout=2).ok, 30)
        # The flag is not just accepted: uvloop's extension is loaded only when it runs the loop.
        libraries = [m.path for m in psutil.Process(process.pid).memory_maps()]
        assert any("uvloop" in path for path in libraries) == (loop == "uvloop"), loop
        answers[loop] = [requests.get(url + path, timeout=5).json() for path in paths]
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0

    assert answers["uvloop"] == answers["asyncio"]
