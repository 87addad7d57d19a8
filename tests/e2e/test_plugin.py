"""The Locust plugin instruments an ordinary locustfile: the contract's metrics, from a real Locust."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from harness.load.plugin_path import PLUGIN
from harness.values.client_metrics import ROUND_THRESHOLDS
from tests.conftest import REPO, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.load]

USERS = 2

# A locustfile that knows nothing of loadgate.
PLAIN_LOCUSTFILE = """
from locust import HttpUser, constant, task

class Visitor(HttpUser):
    wait_time = constant(0.05)

    @task
    def home(self):
        self.client.get("/v1/recommendations/home?user_id=7", name="home")

    @task
    def missing(self):
        self.client.get("/no-such-page", name="missing")
"""


def test_any_locustfile_exports_the_contract_metrics(
    tmp_path: Path, reference_service: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, _ = reference_service
    locustfile = tmp_path / "plain.py"
    locustfile.write_text(PLAIN_LOCUSTFILE)
    port = free_port()
    env = {
        **os.environ,
        "LOADGATE_METRICS_PORTS": str(port),
        "LOADGATE_RESULTS_DIR": str(tmp_path),
        "LOADGATE_WARMUP_S": "0",
    }
    locust = subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", f"{PLUGIN},{locustfile}", "--headless", "-u", str(USERS),
         "-r", str(USERS), "-t", "3s", "--host", url, "--stop-timeout", "0"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    # Scrape like Prometheus until Locust exits: the plugin waits for one scrape after the load
    # stops, so the last text we read holds the final counts.
    last_text = ""
    deadline = time.monotonic() + 60
    while locust.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException):  # not listening yet, or gone
            last_text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
        time.sleep(0.1)
    assert locust.wait(timeout=30) in (0, 1)  # 1: the 404s are failures

    families = {f.name: f for f in text_string_to_metric_families(last_text)}
    requests_total = {
        (s.labels["name"], s.labels["method"], s.labels["outcome"]): s.value
        for s in families["loadgate_client_requests"].samples
        if s.name.endswith("_total")
    }
    assert requests_total[("home", "GET", "ok")] > 0
    assert requests_total[("home", "GET", "error")] == 0  # present, at zero: not "no data"
    assert requests_total[("missing", "GET", "error")] > 0
    bounds = {
        float(s.labels["le"])
        for s in families["loadgate_client_request_duration_seconds"].samples
        if s.name.endswith("_bucket") and s.labels["name"] == "home"
    }
    assert set(ROUND_THRESHOLDS) <= bounds
    for name in ("loadgate_client_users", "loadgate_client_target_arrival_rate"):
        assert name in families
    assert "loadgate_client_dropped_iterations" in families

    # The window results agree with the exported counters. With no warm-up, the window holds
    # every request but those that finished after it closed: the window closes when the load
    # stops, before the users are, so each user may finish the one request it has in flight
    # (counted, like the service counts it, but outside the window). Never more than that.
    [results_file] = tmp_path.glob("client-*.json")
    window_counts = {
        e["name"]: e["requests"] for e in json.loads(results_file.read_text())["endpoints"]
    }
    finished_after_the_window = requests_total[("home", "GET", "ok")] - window_counts["home"]
    assert 0 <= finished_after_the_window <= USERS
