"""A private Prometheus for one run: temp data dir, loopback, free port, 1 s scrapes.

It scrapes the service under test (job ``loadgate_service``) and every load-generator process
(job ``loadgate_client``, on ports offered to the Locust processes before they start, so the first
scrape follows their start within a second — no service-discovery delay).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from harness.durations import promql_duration
from harness.errors import InconclusiveError
from harness.prometheus_api import PrometheusAPI
from harness.run_folder import PROMETHEUS_CONFIG
from harness.stack.processes import ProcessGroup
from harness.stack.readiness import free_port, wait_until
from harness.values.run_result import LoadWindow

__all__ = [
    "SCRAPE_INTERVAL_S",
    "ScrapeTargets",
    "prometheus_config",
    "scrape_gaps",
    "scrape_targets_for",
    "scraped_before_window",
    "service_scraped",
    "start_private_prometheus",
    "wait_for_targets",
]

SCRAPE_INTERVAL_S = 1
READY_TIMEOUT_S = 30.0
SERVICE_JOB = "loadgate_service"
CLIENT_JOB = "loadgate_client"
# A duet's baseline service is scraped like the candidate — the scrapes cost both sides the same —
# but its metrics are stored renamed, so the SLOs (written for the service's own names) see only
# the candidate: recommender_requests_total becomes loadgate_baseline_recommender_requests_total.
BASELINE_JOB = "loadgate_baseline_service"
BASELINE_PREFIX = "loadgate_baseline_"
INSTALL_HINT = (
    "the 'prometheus' binary is not on PATH; install it (Debian: apt-get install prometheus) "
    "or pass --prometheus-url to use a running one"
)


@dataclass(frozen=True)
class ScrapeTargets:
    service: str | None  # "host:port" of the service's metrics endpoint
    service_metrics_path: str
    service_scheme: str
    clients: tuple[str, ...]  # "host:port" of each load-generator process's exporter
    baseline: str | None = None  # a duet's baseline service, "host:port"
    # Load generators known only by a DNS name whose A records are theirs, "name:port" (the
    # workers of an ECS service, registered in Cloud Map: harness/deploy/task_prometheus.py).
    clients_by_dns: str | None = None


def prometheus_config(targets: ScrapeTargets) -> dict[str, object]:
    jobs: list[dict[str, object]] = []
    if targets.service:
        jobs.append(
            {
                "job_name": SERVICE_JOB,
                "metrics_path": targets.service_metrics_path,
                "scheme": targets.service_scheme,
                "static_configs": [{"targets": [targets.service]}],
            }
        )
    if targets.baseline:
        jobs.append(
            {
                "job_name": BASELINE_JOB,
                "metrics_path": targets.service_metrics_path,
                "scheme": targets.service_scheme,
                "static_configs": [{"targets": [targets.baseline]}],
                "metric_relabel_configs": [
                    {
                        "source_labels": ["__name__"],
                        "regex": "(.+)",
                        "target_label": "__name__",
                        "replacement": f"{BASELINE_PREFIX}${{1}}",
                    }
                ],
            }
        )
    clients: dict[str, object] = {
        "job_name": CLIENT_JOB,
        "static_configs": [{"targets": list(targets.clients)}],
    }
    if targets.clients_by_dns:
        name, _, port = targets.clients_by_dns.rpartition(":")
        # Resolved again every 5 s: a worker that starts late is scraped within the warm-up.
        found = {"names": [name], "type": "A", "port": int(port), "refresh_interval": "5s"}
        clients["dns_sd_configs"] = [found]
    jobs.append(clients)
    interval = f"{SCRAPE_INTERVAL_S}s"
    return {
        "global": {
            "scrape_interval": interval,
            "evaluation_interval": interval,
            "scrape_timeout": interval,
        },
        "scrape_configs": jobs,
    }


def start_private_prometheus(
    group: ProcessGroup, work_dir: Path, data_dir: Path, targets: ScrapeTargets
) -> PrometheusAPI:
    """Start Prometheus (config in ``work_dir``, TSDB in ``data_dir``); return its API once ready."""
    binary = shutil.which("prometheus")
    if binary is None:
        raise InconclusiveError(INSTALL_HINT)
    work_dir.mkdir(parents=True, exist_ok=True)
    config = work_dir / PROMETHEUS_CONFIG
    config.write_text(yaml.safe_dump(prometheus_config(targets), sort_keys=False), encoding="utf-8")
    port = free_port()
    process = group.start(
        "prometheus",
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={data_dir}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--web.enable-lifecycle",
            "--log.level=warn",
        ],
    )
    api = PrometheusAPI(f"http://127.0.0.1:{port}")
    if not wait_until(lambda: process.exited() is not None or api.ready(), READY_TIMEOUT_S):
        raise InconclusiveError(f"Prometheus did not become ready within {READY_TIMEOUT_S:.0f}s")
    if process.exited() is not None:
        raise InconclusiveError(f"Prometheus exited at start: {process.log_tail(3)}")
    return api


def wait_for_targets(
    api: PrometheusAPI, *, require_service_up: bool, timeout_s: float = 30.0
) -> bool:
    """Wait until Prometheus has scraped the service (``service_scraped``)."""
    return wait_until(lambda: service_scraped(api, require_service_up), timeout_s, interval_s=0.25)


def service_scraped(api: PrometheusAPI, require_service_up: bool) -> bool:
    """Prometheus has scraped the service: ``up == 1`` when required, else any result."""
    value = api.value(f'max(up{{job="{SERVICE_JOB}"}})')
    return value == 1 if require_service_up else value is not None


def scraped_before_window(
    api: PrometheusAPI, window: LoadWindow, *, require_service_up: bool, lookback_s: float
) -> list[str]:
    """The service scraped at least once before the window opened (``wait_for_targets``' condition
    at the window's start, over the ``lookback_s`` before it); else its SLIs would start late."""
    rng = promql_duration(max(1.0, lookback_s))
    value = api.value(f'max(max_over_time(up{{job="{SERVICE_JOB}"}}[{rng}]))', at=window.start)
    if (value == 1) if require_service_up else (value is not None):
        return []
    return [
        "Prometheus had not scraped the service when the window opened: server-side SLIs would "
        "start late (a longer warm-up gives it the time)"
    ]


def scrape_targets_for(
    target_url: str,
    metrics_ports: list[int],
    remote: tuple[str, ...],
    baseline_url: str | None = None,
) -> ScrapeTargets:
    parts = urlsplit(target_url)
    return ScrapeTargets(
        service=parts.netloc,
        service_metrics_path="/metrics",
        service_scheme=parts.scheme,
        clients=(*(f"127.0.0.1:{port}" for port in metrics_ports), *remote),
        baseline=urlsplit(baseline_url).netloc if baseline_url else None,
    )


def scrape_gaps(api: PrometheusAPI, window: LoadWindow) -> list[str]:
    """Server-side SLIs are partial if the service's metrics stopped answering inside the window."""
    rng = promql_duration(window.seconds)
    lowest = api.value(f'min(min_over_time(up{{job="{SERVICE_JOB}"}}[{rng}]))', at=window.end)
    highest = api.value(f'max(max_over_time(up{{job="{SERVICE_JOB}"}}[{rng}]))', at=window.end)
    if highest == 1 and lowest == 0:
        return [
            "the service's /metrics stopped answering during the load window: server-side SLIs are partial"
        ]
    return []
