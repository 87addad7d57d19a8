"""Every query of the generated dashboards, run against a real Prometheus after a real run.

No Grafana server reaches this machine's package sources (docs/dashboards.md), so this stands in
for opening the dashboards: a Prometheus the test starts loads the rules ``loadgate rules``
writes for slo/recommender.yaml and scrapes what the run's Grafana would see — the reference
service and a Locust worker whose exporter port the test chooses (the harness picks its own
processes' ports per run, so only a worker started apart, as in a cluster, can be scraped by a
Prometheus configured beforehand). ``loadgate run`` gates against that Prometheus
(``--prometheus-url``) as master of that worker (test_remote_workers.py's way of running one).
Then each panel's PromQL and each annotation's must be accepted and return data over the run.

The service fails 10 % of its home requests, so the errors panels and the firing alerts have
something to show: at that rate a 28-day, 99.5 % SLO pages (13.44 × 0.5 % = 6.7 %) as soon as
both its windows hold the run.
"""

from __future__ import annotations

import json
import math
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from harness.prometheus_api import PrometheusAPI
from harness.stack.processes import ProcessGroup
from harness.stack.readiness import wait_until
from tests.conftest import REPO, free_port, leftover_processes, run_cli, write
from tests.e2e.test_load_engine import SHOP
from tests.e2e.test_remote_workers import run_with_a_remote_worker

# load_shared: it judges only that queries are accepted and return data, which a busy machine
# does not change.
pytestmark = [pytest.mark.e2e, pytest.mark.load_shared, pytest.mark.timeout(240)]

Factory = Callable[..., tuple[str, subprocess.Popen[bytes]]]
SLO_FILE = REPO / "slo/recommender.yaml"
# Grafana's $__rate_interval over a 1 s scrape: max(4 × scrape, step + scrape); steps here are 1 s.
RATE_INTERVAL = "4s"
READY_S, QUERY_TIMEOUT_S = 30.0, 10.0


def prometheus_config(rules: Path, service: str, worker: str) -> dict[str, Any]:
    return {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
        "rule_files": [str(rules / "slo-recording.yml"), str(rules / "slo-alerts.yml")],
        "scrape_configs": [
            {"job_name": "loadgate_service", "static_configs": [{"targets": [service]}]},
            {"job_name": "loadgate_client", "static_configs": [{"targets": [worker]}]},
        ],
    }


def queries(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, PromQL) of every panel target and annotation, Grafana's variable filled in."""
    found = [
        (f"#{panel['id']} {panel['title']} [{target['refId']}]", target["expr"])
        for panel in dashboard["panels"]
        for target in panel.get("targets") or []
    ]
    marks = dashboard.get("annotations", {}).get("list") or []
    found += [(f"annotation {a['name']}", a["expr"]) for a in marks]
    return [(where, expr.replace("$__rate_interval", RATE_INTERVAL)) for where, expr in found]


def finite_points(prometheus: str, expr: str, start: float, end: float) -> tuple[str | None, int]:
    """(Prometheus's error, or None; how many finite points the range query returned)."""
    response = requests.post(
        f"{prometheus}/api/v1/query_range",
        data={"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": "1"},
        timeout=QUERY_TIMEOUT_S,
    )
    body = response.json()
    if body.get("status") != "success":
        return f"{body.get('errorType')}: {body.get('error')}", 0
    points = [float(v) for series in body["data"]["result"] for _, v in series["values"]]
    return None, sum(1 for v in points if math.isfinite(v))


def test_every_panel_query_returns_data_after_a_real_run(
    service_factory: Factory, tmp_path: Path
) -> None:
    target, _ = service_factory("--fault-error-rate", "0.1", "--fault-route", "/v1/recommendations/home")  # fmt: skip
    rules, boards = tmp_path / "rules", tmp_path / "dashboards"
    for command, out in (("rules", rules), ("dashboards", boards)):
        made = run_cli(command, str(SLO_FILE), "--out", str(out), out_dir=out)
        assert made.returncode == 0, made.stderr
    worker_port = free_port()
    config = write(
        tmp_path / "prometheus.yml",
        yaml.safe_dump(prometheus_config(rules, target.removeprefix("http://"), f"127.0.0.1:{worker_port}")),
    )  # fmt: skip

    with ProcessGroup(tmp_path / "logs", run_id=f"dashboards-e2e-{uuid.uuid4().hex[:8]}") as group:
        port = free_port()
        group.start(
            "prometheus",
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'data'}",
             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
        )  # fmt: skip
        prometheus = f"http://127.0.0.1:{port}"
        assert wait_until(PrometheusAPI(prometheus).ready, READY_S), "Prometheus is not ready"
        start = time.time()

        run, _ = run_with_a_remote_worker(
            tmp_path,
            ["--locustfile", SHOP, "--slo", str(SLO_FILE), "--target", target, "--users", "10",
             "--spawn-rate", "10", "--warmup", "3s", "--duration", "10s", "--prometheus-url",
             prometheus, "--no-live"],
            REPO / SHOP,
            worker_metrics=worker_port,
        )  # fmt: skip
        # Any verdict: what is judged here are the queries; but the run must have sent load.
        assert run.result["client"]["total"]["requests"] > 100, run.stderr
        assert leftover_processes(run.run_ids) == []
        end = time.time()  # the range holds the whole run: nothing more to wait for

        outcome, outcome_exprs = {}, {}
        for name in ("slo-overview.json", "load-run.json"):
            for where, expr in queries(json.loads((boards / "dashboards" / name).read_text())):
                outcome[f"{name}: {where}"] = finite_points(prometheus, expr, start, end)
                outcome_exprs[f"{name}: {where}"] = expr

    rejected = {where: error for where, (error, _) in outcome.items() if error}
    assert not rejected, rejected
    # An SLO's alerts panel has data only while one of its alerts fires: the home availability
    # SLO's must (the fault burns it), the other SLOs' may stay empty.
    alerts = {where: points for where, (_, points) in outcome.items() if "Firing alerts" in where}
    assert len(alerts) == 9
    burning = [w for w in alerts if 'sloth_slo="home-availability-client"' in outcome_exprs[w]]
    assert [alerts[w] > 0 for w in burning] == [True], alerts
    empty = [w for w, (_, points) in outcome.items() if not points and w not in alerts]
    assert not empty, f"no data over the run: {empty}"
    assert len(outcome) > 9 * 12  # every SLO's 12 queries and the load run's were queried
