"""A short soak against the reference service, paging a local fake of PagerDuty: a fault switched
on mid-run pages once per burning SLO, switching it off resolves each page once, retries against
429s and 500s stay bounded, the service's injected leak is called a leak, and the routing key
appears in nothing the soak wrote or printed. Cut short, a soak keeps its partial report."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import REPO, home_requests, leftover_processes, run_cli, wait_for, write
from tests.fakes.pagerduty import FakePagerDuty
from tests.result_schema import check_result

pytestmark = [pytest.mark.e2e]

HOME_ONLY = Path(__file__).with_name("home_only_locustfile.py")
# The shipped shopper traffic: it reports the response checks the shipped quality SLOs count.
SHOPPERS = REPO / "scenarios" / "locustfiles" / "recommendations.py"
AVAILABILITY = {"home-availability-client", "home-availability-server"}


# load: the shipped latency SLOs must not burn on a machine of its own
@pytest.mark.load
def test_a_fault_pages_once_per_burning_slo_and_clearing_it_resolves_each_once(
    tmp_path: Path, service_factory: Callable[..., tuple[str, subprocess.Popen[bytes]]]
) -> None:
    key = secrets.token_hex(16)  # 32 characters, like a real routing key
    key_file = write(tmp_path / "routing-key", key + "\n")
    key_file.chmod(0o600)
    # The service also leaks 2 MB a second: the soak must call that a leak, beside the pages.
    target, _ = service_factory("--admin", "--fault-leak-kb-per-s", "2000")
    scenario = write(
        tmp_path / "soak.yaml",
        f"""name: soak-check
load:
  locustfile: {HOME_ONLY}
  users: 6
  spawn_rate: 6
  warmup: 3s
  duration: 30s   # the fault pages about 5 s into the window and resolves about 10 s after it clears
slos: [{REPO / "slo/recommender.yaml"}]
gate:
  min_events: 100
""",
    )
    out = tmp_path / "reports"
    with FakePagerDuty() as fake:
        # The first events meet a rate limit and a server error: retried, bounded, delivered.
        fake.fail_next(429, 1)
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
            wait_for(lambda: home_requests(target) > 600, 60)  # the load is flowing
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
        change_run_ids = [c["payload"]["custom_details"]["run_id"] for c in fake.change_events()]
        trigger_run_ids = {t["payload"]["custom_details"]["run_id"] for t in fake.triggers()}

    assert soak.returncode == 1, stdout + stderr  # a page fired: the soak fails
    assert set(triggers.values()) == {1} and resolves == triggers  # exactly one each, same keys
    assert {f"loadgate/recommender/{slo}/page" for slo in AVAILABILITY} <= set(triggers)
    assert statuses[429] == 1 and statuses[500] == 1  # retried, and no more than asked
    assert [c.split("] ")[1] for c in changes] == ["soak started", "soak ended: fail"]

    [result_file] = out.glob("*/result.json")
    result = json.loads(result_file.read_text())
    check_result(result, str(result_file))
    # Every event names the run, the start event too (it is sent before the load begins).
    assert change_run_ids == [result["run"]["id"]] * 2 == [result_file.parent.name] * 2
    assert trigger_run_ids == {result["run"]["id"]}
    started = [a for a in result["soak"]["alerts"] if a["event"] == "started"]
    assert {a["slo"] for a in started if a["severity"] == "page"} >= AVAILABILITY
    assert any("fired a page-level burn-rate alert" in reason for reason in result["reasons"])
    assert all(page["ok"] for page in result["soak"]["pages"])
    [leak] = [r for r in result["reasons"] if r.startswith("service RSS grows")]
    assert leak.endswith("— a leak")

    # The key is in no file the soak wrote, nor in anything it printed.
    for path in out.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
    assert key not in stdout + stderr
    assert leftover_processes([result_file.parent.name]) == []


# load_shared: an interrupted soak is inconclusive whatever else it measured
@pytest.mark.load_shared
def test_an_interrupted_soak_leaves_its_partial_report_and_no_process(
    tmp_path: Path, service_factory: Callable[..., tuple[str, subprocess.Popen[bytes]]]
) -> None:
    target, _ = service_factory()
    scenario = write(
        tmp_path / "soak.yaml",
        f"name: soak-cut\nload:\n  locustfile: {HOME_ONLY}\n  users: 4\n  spawn_rate: 4\n"
        f"  warmup: 2s\n  duration: 10m\nslos: [{REPO / 'slo/recommender.yaml'}]\n",
    )
    out = tmp_path / "reports"
    key = secrets.token_hex(16)  # from the environment this time: the dry run checks it too
    soak = subprocess.Popen(
        [sys.executable, "-m", "harness", "soak", str(scenario), "--target", target,
         "--out", str(out), "--no-live", "--dry-run", "--evaluate-every", "2s"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "LOADGATE_PAGERDUTY_ROUTING_KEY": key},
    )  # fmt: skip
    try:
        wait_for(lambda: home_requests(target) > 800, 60)
        soak.send_signal(signal.SIGTERM)  # what a CI runner sends when cancelled
        stdout, stderr = soak.communicate(timeout=90)
    finally:
        if soak.poll() is None:
            soak.kill()
            soak.communicate()

    assert soak.returncode == 3, stdout + stderr
    [result_file] = out.glob("*/result.json")
    result = json.loads(result_file.read_text())
    check_result(result, str(result_file))
    assert result["verdict"] == "inconclusive"
    assert "interrupted before the run finished; results are partial" in result["reasons"]
    assert result["client"]["total"]["requests"] > 0  # what was measured before the cut is kept
    assert result["soak"]["burn_history"], "the soak's evaluations so far are in the report"
    assert (result_file.parent / "report.html").exists()
    # --dry-run printed the change events it would have sent, and sent nothing.
    assert '"summary": "[loadgate soak soak-cut] soak started"' in stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
    assert key not in stdout + stderr
    assert leftover_processes([result_file.parent.name]) == []


# load: a healthy service must pass the shipped latency SLOs
@pytest.mark.load
def test_a_soak_takes_the_flags_of_run_alone_and_its_change_events_name_the_run(
    tmp_path: Path, reference_service: tuple[str, subprocess.Popen[bytes]]
) -> None:
    target, _ = reference_service
    out = tmp_path / "reports"
    # No scenario file: what `loadgate run` accepts, `loadgate soak` accepts.
    soak = run_cli(
        "soak", "--locustfile", str(SHOPPERS), "--slo", str(REPO / "slo/recommender.yaml"),
        "--target", target, "--users", "4", "--spawn-rate", "4", "--warmup", "3s",
        "--duration", "15s", "--out", str(out), "--no-live", "--dry-run",
        out_dir=out, timeout=150,
    )  # fmt: skip

    assert "the following arguments are required" not in soak.stderr
    assert soak.returncode == 0, soak.stdout + soak.stderr  # a healthy service passes
    result = soak.result
    assert result["client"]["total"]["requests"] > 0, "the soak sent no load"
    assert result["soak"]["burn_history"], "the soak did not evaluate burn rates"
    # --dry-run printed both change events; each carries this run's id, the start one too.
    changes = dry_run_events(soak.stderr, "/v2/change/enqueue")
    summaries = [c["payload"]["summary"] for c in changes]
    assert len(summaries) == 2, summaries
    assert summaries[0] == "[loadgate soak adhoc] soak started"
    assert summaries[1].startswith("[loadgate soak adhoc] soak ended: "), summaries
    assert [c["payload"]["custom_details"]["run_id"] for c in changes] == [result["run"]["id"]] * 2
    assert leftover_processes(soak.run_ids) == []


def dry_run_events(stderr: str, path: str) -> list[dict[str, Any]]:
    """The JSON bodies a dry run printed under its ``would POST …<path>`` lines."""
    lines = stderr.splitlines()
    return [
        json.loads(lines[i + 1])
        for i, line in enumerate(lines[:-1])
        if line.startswith("dry run: would POST ") and line.endswith(path)
    ]
