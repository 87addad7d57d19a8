"""A short soak against the reference service, paging a local fake of PagerDuty: a fault switched
on mid-run pages once per burning SLO, switching it off resolves each page once, retries against
429s and 500s stay bounded, and the routing key appears in nothing the soak wrote or printed."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO, leftover_processes, write
from tests.fakes.pagerduty import FakePagerDuty

pytestmark = pytest.mark.e2e

HOME_ONLY = Path(__file__).with_name("home_only_locustfile.py")
AVAILABILITY = {"home-availability-client", "home-availability-server"}


def served(target: str) -> float:
    """Home requests the service has answered so far (its own counter)."""
    text = requests.get(f"{target}/metrics", timeout=5).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("http_server_request_duration_seconds_count{")
        and 'http_route="/v1/recommendations/home"' in line
    )


def wait_until(condition: Callable[[], bool], timeout_s: float, fake: FakePagerDuty) -> bool:
    return fake.wait_for(lambda _: condition(), timeout_s)


def test_a_fault_pages_once_per_burning_slo_and_clearing_it_resolves_each_once(
    tmp_path: Path, service_factory: Callable[..., tuple[str, subprocess.Popen[bytes]]]
) -> None:
    key = secrets.token_hex(16)  # 32 characters, like a real routing key
    key_file = write(tmp_path / "routing-key", key + "\n")
    key_file.chmod(0o600)
    target, _ = service_factory("--admin")
    scenario = write(
        tmp_path / "soak.yaml",
        f"""name: soak-check
load:
  locustfile: {HOME_ONLY}
  users: 6
  spawn_rate: 6
  warmup: 5s
  duration: 100s
slos: [{REPO / "slo/recommender.yaml"}]
gate:
  min_events: 100
""",
    )
    out = tmp_path / "reports"
    with FakePagerDuty() as fake:
        # The first events meet a rate limit and a server error: retried, bounded, delivered.
        fake.fail_next(429, 2)
        fake.fail_next(500, 1)
        soak = subprocess.Popen(
            [sys.executable, "-m", "harness", "soak", str(scenario), "--target", target,
             "--out", str(out), "--no-live", "--page", "--pagerduty-url", fake.url,
             "--pagerduty-routing-key-file", str(key_file)],
            cwd=REPO, env={**os.environ, "SSL_CERT_FILE": str(fake.ca_file)},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            # Healthy traffic first: no page while the service is fine.
            assert wait_until(lambda: served(target) > 1500, 60, fake), "the load never started"
            assert fake.triggers() == []
            requests.put(f"{target}/admin/faults", json={"error_rate": 0.5}, timeout=5)
            assert fake.wait_for(
                lambda f: (
                    {t["payload"]["custom_details"]["slo"] for t in f.triggers()} >= AVAILABILITY
                ),
                60,
            ), f"no page for {AVAILABILITY}: {fake.triggers()}"
            requests.put(f"{target}/admin/faults", json={"error_rate": 0.0}, timeout=5)
            assert fake.wait_for(
                lambda f: (
                    {r["dedup_key"] for r in f.resolves()} >= {t["dedup_key"] for t in f.triggers()}
                ),
                60,
            ), "the pages were not resolved after the fault cleared"
            stdout, stderr = soak.communicate(timeout=180)
        finally:
            if soak.poll() is None:
                soak.kill()
                soak.communicate()

        triggers = Counter(t["dedup_key"] for t in fake.triggers())
        resolves = Counter(r["dedup_key"] for r in fake.resolves())
        statuses = Counter(event.status for event in fake.received)
        changes = [c["payload"]["summary"] for c in fake.change_events()]

    assert soak.returncode == 1, stdout + stderr  # a page fired: the soak fails
    assert set(triggers.values()) == {1} and resolves == triggers  # exactly one each, same keys
    assert {f"loadgate/recommender/{slo}/page" for slo in AVAILABILITY} <= set(triggers)
    assert statuses[429] == 2 and statuses[500] == 1  # retried, and no more than asked
    assert [c.split("] ")[1] for c in changes] == ["soak started", "soak ended: fail"]

    [result_file] = out.glob("*/result.json")
    result = json.loads(result_file.read_text())
    started = [a for a in result["soak"]["alerts"] if a["event"] == "started"]
    assert {a["slo"] for a in started if a["severity"] == "page"} >= AVAILABILITY
    assert any("fired a page-level burn-rate alert" in reason for reason in result["reasons"])
    assert all(page["ok"] for page in result["soak"]["pages"])

    # The key is in no file the soak wrote, nor in anything it printed.
    for path in out.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
    assert key not in stdout + stderr
    assert leftover_processes([result_file.parent.name]) == []
