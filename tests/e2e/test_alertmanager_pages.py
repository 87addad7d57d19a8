"""The production paging path, end to end: ``loadgate rules`` output in a real Prometheus and a
real Alertmanager, paging a local PagerDuty (Events API v2 fake, over TLS) when an SLI burns.

The SLO's window is 12 h, so the policy's windows scale by 12 h / 30 d: the page alert reads
1m/5s (14.4×) and 6m/30s (6×) — seconds, not hours. The SLI is a counter the test moves: all
errors (a fast burn), then all successes (healthy again).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from harness.prometheus_api import PrometheusAPI
from harness.stack.processes import ProcessGroup, StartedProcess
from harness.stack.readiness import free_port, http_answers, wait_until
from tests.conftest import leftover_processes, run_cli, write
from tests.e2e.slo_texts import ratio_slo
from tests.fakes.pagerduty import ALERT_PATH, FakePagerDuty, ReceivedEvent

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

ROUTING_KEY = "E2EPAGINGKEY0123456789abcdefABCD"  # 32 characters, as PagerDuty requires
SLO_NAME, SERVICE = "paging-e2e", "e2e"
PAGE_ALERT, TICKET_ALERT = "PagingE2eBurnRatePage", "PagingE2eBurnRateTicket"
METRIC = "pd_e2e_requests"
SLO = ratio_slo(
    SLO_NAME,
    f'sum(increase({METRIC}_total{{outcome="ok"}}[{{{{window}}}}]))',
    f"sum(increase({METRIC}_total[{{{{window}}}}]))",
    0.99,
    service=SERVICE,
    window="12h",
)
# Alertmanager's generated timings (30s group_wait, 5m group_interval) would make the resolve
# arrive minutes after the SLI recovers; the test shortens these two fields only.
FAST_TIMINGS = {"group_wait": "1s", "group_interval": "1s"}
READY_S, TRIGGER_S, RESOLVE_S = 20.0, 30.0, 20.0


class Traffic(Collector):
    """``pd_e2e_requests_total{outcome}``: counters growing at the rates the test sets, as a
    service's would under steady traffic (no thread: values follow from the clock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts = {"ok": 0.0, "error": 0.0}
        self._rates = {"ok": 0.0, "error": 0.0}
        self._since = time.monotonic()

    def _advance(self) -> None:
        now = time.monotonic()
        for outcome, rate in self._rates.items():
            self._counts[outcome] += rate * (now - self._since)
        self._since = now

    def set_rates(self, ok_per_s: float, errors_per_s: float) -> None:
        with self._lock:
            self._advance()
            self._rates = {"ok": ok_per_s, "error": errors_per_s}

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            self._advance()
            family = CounterMetricFamily(METRIC, "Requests by outcome", labels=["outcome"])
            for outcome, count in self._counts.items():
                family.add_metric([outcome], count)
        yield family


def shorten_alertmanager_timings(config_file: Path) -> None:
    config = yaml.safe_load(config_file.read_text())
    config["route"].update(FAST_TIMINGS)
    config_file.write_text(yaml.safe_dump(config, sort_keys=False))


def prometheus_config(rules_dir: Path, metrics_port: int, alertmanager_port: int) -> dict[str, Any]:
    return {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"},
        "rule_files": [str(rules_dir / "slo-recording.yml"), str(rules_dir / "slo-alerts.yml")],
        "alerting": {
            "alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{alertmanager_port}"]}]}]
        },
        "scrape_configs": [
            {"job_name": "sli", "static_configs": [{"targets": [f"127.0.0.1:{metrics_port}"]}]}
        ],
    }


def triggers_of(fake: FakePagerDuty, alert: str) -> list[dict[str, Any]]:
    # Alertmanager's default summary ("[FIRING:1] <alertname> <slo> …") names the alert.
    return [t for t in fake.triggers() if alert in t["payload"]["summary"]]


def rejected(fake: FakePagerDuty) -> list[ReceivedEvent]:
    return [r for r in fake.received if r.status != 202]


def diagnostics(fake: FakePagerDuty, *processes: StartedProcess) -> str:
    logs = "\n".join(f"--- {p.name} log:\n{p.log_tail(10)}" for p in processes)
    return f"the fake's last requests: {fake.received[-4:]!r}\n{logs}"


def test_a_fast_burn_pages_once_and_recovery_resolves_the_same_alert(tmp_path: Path) -> None:
    key_file = write(tmp_path / "pagerduty-routing-key", ROUTING_KEY)
    slo_file = write(tmp_path / "slo.yaml", SLO)
    rules_dir = tmp_path / "rules"
    run_id = f"pagerduty-e2e-{uuid.uuid4().hex[:8]}"
    traffic = Traffic()
    registry = CollectorRegistry()
    registry.register(traffic)

    with FakePagerDuty() as fake:
        generated = run_cli(
            "rules", str(slo_file), "--out", str(rules_dir), "--routing-key-file", str(key_file),
            "--pagerduty-url", fake.url + ALERT_PATH, out_dir=rules_dir,
        )  # fmt: skip
        assert generated.returncode == 0, generated.stderr
        alertmanager_file = rules_dir / "alertmanager.yml"
        assert ROUTING_KEY not in alertmanager_file.read_text()
        shorten_alertmanager_timings(alertmanager_file)

        metrics_server, metrics_thread = start_http_server(0, addr="127.0.0.1", registry=registry)
        try:
            with ProcessGroup(tmp_path / "logs", run_id=run_id) as group:
                alertmanager_port = free_port()
                alertmanager = group.start(
                    "alertmanager",
                    [
                        "prometheus-alertmanager",
                        f"--config.file={alertmanager_file}",
                        f"--storage.path={tmp_path / 'alertmanager-data'}",
                        f"--web.listen-address=127.0.0.1:{alertmanager_port}",
                        "--cluster.listen-address=",  # no clustering: one instance, no gossip
                    ],
                    # Go reads extra trust anchors from here: the fake's CA, and TLS unchanged.
                    env={"SSL_CERT_FILE": str(fake.ca_file)},
                )
                config_file = write(
                    tmp_path / "prometheus.yml",
                    yaml.safe_dump(
                        prometheus_config(rules_dir, metrics_server.server_port, alertmanager_port)
                    ),
                )
                prometheus_port = free_port()
                prometheus = group.start(
                    "prometheus",
                    [
                        "prometheus",
                        f"--config.file={config_file}",
                        f"--storage.tsdb.path={tmp_path / 'prometheus-data'}",
                        f"--web.listen-address=127.0.0.1:{prometheus_port}",
                        "--log.level=warn",
                    ],
                )
                api = PrometheusAPI(f"http://127.0.0.1:{prometheus_port}")
                am_ready = f"http://127.0.0.1:{alertmanager_port}/-/ready"
                assert wait_until(
                    lambda: api.ready() and http_answers(am_ready, ok_only=True), READY_S
                ), diagnostics(fake, alertmanager, prometheus)
                # The series must exist before the burn: Prometheus cannot count the first
                # increments of a series it has never seen.
                assert wait_until(
                    lambda: api.value(f"sum({METRIC}_total)") is not None, READY_S, 0.2
                ), diagnostics(fake, alertmanager, prometheus)

                traffic.set_rates(ok_per_s=0, errors_per_s=5)  # every request fails: a fast burn
                # Stop at the first rejected event: Alertmanager would not resend it.
                fake.wait_for(
                    lambda f: bool(
                        rejected(f) or (triggers_of(f, PAGE_ALERT) and triggers_of(f, TICKET_ALERT))
                    ),
                    TRIGGER_S,
                )
                assert not rejected(fake), diagnostics(fake, alertmanager, prometheus)
                assert triggers_of(fake, PAGE_ALERT), diagnostics(fake, alertmanager, prometheus)
                assert triggers_of(fake, TICKET_ALERT), diagnostics(fake, alertmanager, prometheus)
                page = triggers_of(fake, PAGE_ALERT)[0]

                traffic.set_rates(ok_per_s=1000, errors_per_s=0)  # healthy again
                resolved = fake.wait_for(
                    lambda f: (
                        bool(rejected(f))
                        or any(r["dedup_key"] == page["dedup_key"] for r in f.resolves())
                    ),
                    RESOLVE_S,
                )
                assert not rejected(fake), diagnostics(fake, alertmanager, prometheus)
                assert resolved, diagnostics(fake, alertmanager, prometheus)
                page_triggers = triggers_of(fake, PAGE_ALERT)
                tickets = triggers_of(fake, TICKET_ALERT)
                still_open = fake.open_alerts(ROUTING_KEY)
        finally:
            metrics_server.shutdown()
            metrics_server.server_close()
            metrics_thread.join(timeout=5)

        assert leftover_processes([run_id]) == []

    assert len(page_triggers) == 1, page_triggers
    assert page["routing_key"] == ROUTING_KEY
    assert page["payload"]["severity"] == "critical"
    assert 1 <= len(page["payload"]["summary"]) <= 1024
    assert page["payload"]["custom_details"]["slo"] == SLO_NAME
    assert page["payload"]["custom_details"]["service"] == SERVICE
    assert page["dedup_key"] not in {t["dedup_key"] for t in tickets}
    assert {t["payload"]["severity"] for t in tickets} == {"warning"}
    assert page["dedup_key"] not in still_open
