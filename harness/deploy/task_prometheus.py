"""The Prometheus of the master task on ECS (``loadgate deploy cloudformation``), run from
loadgate's image beside the master:

    python -m harness.deploy.task_prometheus           write its configuration, then exec Prometheus
    python -m harness.deploy.task_prometheus --ready   exit 0 once it answers /-/ready (the
                                                        container's health check, which the
                                                        loadgate container waits for)

It scrapes what a run's private Prometheus scrapes, as often and under the same job names
(``stack/prometheus.py``): the target's ``/metrics`` and every worker's exporter — found by the
A records Cloud Map keeps of the worker service's tasks, whose addresses nobody knows before
they start. Both come from the template's parameters as environment variables, so the
configuration is written when the task starts, not when the image is built.

Amazon Managed Service for Prometheus is not used: its query API takes only SigV4-signed
requests, which loadgate's Prometheus client does not make.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import yaml

from harness.deploy.image import EXPORTER_PORT, TMP_DIR
from harness.prometheus_api import PrometheusAPI
from harness.run_folder import write_atomically
from harness.stack.prometheus import prometheus_config, scrape_targets_for

__all__ = ["ENV_TARGET", "ENV_WORKERS", "LISTEN", "main", "task_prometheus_config"]

ENV_TARGET = "LOADGATE_PROMETHEUS_TARGET"  # the target's base URL: its /metrics is scraped
ENV_WORKERS = "LOADGATE_PROMETHEUS_WORKERS"  # the DNS name whose A records are the workers
LISTEN = "127.0.0.1:9090"  # the task's containers share its network namespace: loopback serves
WORK_DIR = Path(TMP_DIR) / "prometheus"  # config and TSDB on the task's scratch volume
Exec = Callable[[str, list[str]], object]


def task_prometheus_config(target_url: str, workers_dns: str) -> dict[str, object]:
    targets = scrape_targets_for(target_url, [], ())
    return prometheus_config(replace(targets, clients_by_dns=f"{workers_dns}:{EXPORTER_PORT}"))


def main(
    argv: Sequence[str] | None = None,
    environ: Mapping[str, str] = os.environ,
    *,
    execv: Exec = os.execv,
    which: Callable[[str], str | None] = shutil.which,
    work_dir: Path = WORK_DIR,
    listen: str = LISTEN,
) -> int:
    """The container's command (the keyword arguments are the tests' stand-ins)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--ready"]:
        return 0 if PrometheusAPI(f"http://{listen}").ready() else 1
    missing = [name for name in (ENV_TARGET, ENV_WORKERS) if not environ.get(name)]
    if args or missing:
        print(f"usage: python -m harness.deploy.task_prometheus [--ready], with {ENV_TARGET} "
              f"and {ENV_WORKERS} set (missing: {', '.join(missing) or 'none'})",
              file=sys.stderr)  # fmt: skip
        return 2
    binary = which("prometheus")
    if binary is None:
        print("the 'prometheus' binary is not on PATH: loadgate's image has it", file=sys.stderr)
        return 2
    config = work_dir / "prometheus.yml"
    text = yaml.safe_dump(task_prometheus_config(environ[ENV_TARGET], environ[ENV_WORKERS]))
    write_atomically(config, text)
    execv(
        binary,
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={work_dir / 'data'}",
            f"--web.listen-address={listen}",
            "--log.level=warn",
        ],
    )
    return 0  # only when execv is a stand-in: the real one never returns


if __name__ == "__main__":
    sys.exit(main())
