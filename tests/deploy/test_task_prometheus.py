"""The ECS master task's Prometheus: the private Prometheus's scrapes (same jobs, same 1 s), the
workers found by DNS, its configuration written from the task's environment at start."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from harness.deploy.task_prometheus import ENV_TARGET, ENV_WORKERS, main, task_prometheus_config
from harness.stack.prometheus import prometheus_config, scrape_targets_for
from tests.conftest import free_port

ENV = {ENV_TARGET: "https://shop.example:8443", ENV_WORKERS: "workers.load-ci.internal"}


def test_it_scrapes_the_target_as_a_run_does_and_the_workers_by_their_dns_name() -> None:
    config = task_prometheus_config("https://shop.example:8443", "workers.load-ci.internal")
    private = prometheus_config(scrape_targets_for("https://shop.example:8443", [], ()))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}  # type: ignore[attr-defined]

    assert config["global"] == private["global"]  # every second, as the private Prometheus
    assert jobs["loadgate_service"] == {
        "job_name": "loadgate_service",
        "metrics_path": "/metrics",
        "scheme": "https",
        "static_configs": [{"targets": ["shop.example:8443"]}],
    }
    assert jobs["loadgate_client"]["dns_sd_configs"] == [
        {"names": ["workers.load-ci.internal"], "type": "A", "port": 9646, "refresh_interval": "5s"}
    ]


def test_it_writes_its_configuration_then_becomes_prometheus(tmp_path: Path) -> None:
    calls: list[tuple[str, list[str]]] = []

    code = main([], ENV, execv=lambda b, a: calls.append((b, a)), which=lambda _: "/bin/prometheus", work_dir=tmp_path)  # fmt: skip

    assert code == 0
    written = yaml.safe_load((tmp_path / "prometheus.yml").read_text())
    assert written == task_prometheus_config(ENV[ENV_TARGET], ENV[ENV_WORKERS])
    assert calls == [
        (
            "/bin/prometheus",
            [
                "/bin/prometheus",
                f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                "--web.listen-address=127.0.0.1:9090",
                "--log.level=warn",
            ],
        )
    ]


def test_without_its_environment_it_says_what_is_missing_and_starts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[object] = []

    code = main([], {ENV_TARGET: "http://x"}, execv=lambda b, a: calls.append(b), work_dir=tmp_path)

    assert (code, calls) == (2, [])
    assert f"missing: {ENV_WORKERS}" in capsys.readouterr().err


@pytest.fixture
def ready_server() -> Iterator[str]:
    class Ready(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/-/ready" else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ready)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_the_health_check_passes_only_when_prometheus_is_ready(ready_server: str) -> None:
    assert main(["--ready"], {}, listen=ready_server) == 0
    assert main(["--ready"], {}, listen=f"127.0.0.1:{free_port()}") == 1
