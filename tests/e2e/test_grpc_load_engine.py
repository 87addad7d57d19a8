"""The load engine's must-shows over gRPC, as tests/e2e/test_load_engine.py shows them over HTTP:
exact percentiles of an injected latency mix, and coordinated omission corrected in the open
model — GrpcUser's calls go through the same Locust request events, so the same plugin code.

Real reference service serving gRPC (with injected faults), real Prometheus, real Locust.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import free_port, leftover_processes, run_cli, write
from tests.e2e.slo_texts import ratio_slo

pytestmark = [pytest.mark.e2e, pytest.mark.load]

Factory = Callable[..., tuple[str, subprocess.Popen[bytes]]]
SHOP = "scenarios/locustfiles/grpc_recommendations.py"
HOME_ONLY = Path(__file__).with_name("grpc_home_locustfile.py")
GRPC_OK = 'sum(increase(loadgate_client_requests_total{method="grpc", outcome="ok"}[{{window}}]))'
GRPC_ALL = 'sum(increase(loadgate_client_requests_total{method="grpc"}[{{window}}]))'


def grpc_service(service_factory: Factory, *flags: str) -> tuple[str, str]:
    port = free_port()
    url, _ = service_factory("--grpc-port", str(port), *flags)
    return url, f"127.0.0.1:{port}"


def test_grpc_percentiles_are_exact(service_factory: Factory, tmp_path: Path) -> None:
    # 98 % of calls take 20 ms more, 2 %: 200 ms more. The 99th percentile is in the 200 ms group.
    url, grpc_target = grpc_service(service_factory, "--fault-latency", "20@0.98,200@0.02")
    slo = write(tmp_path / "slo.yaml", ratio_slo("grpc-availability", GRPC_OK, GRPC_ALL, 0.99))

    run = run_cli(
        "run", "--locustfile", SHOP, "--slo", str(slo), "--target", url, "--grpc-target",
        grpc_target, "--arrival-rate", "100", "--users", "40", "--warmup", "3s", "--duration",
        "20s", "--no-live", out_dir=tmp_path / "out",
    )  # fmt: skip

    assert run.returncode == 0, run.stdout + run.stderr
    total = run.result["client"]["total"]
    assert total["requests"] >= 1900
    assert total["p99_ms"] == pytest.approx(200, rel=0.05)
    assert total["p50_ms"] == pytest.approx(20, rel=0.25)
    assert total["prometheus_p99_ms"] == pytest.approx(200, rel=0.10)
    assert leftover_processes(run.run_ids) == []


def test_the_open_model_corrects_coordinated_omission_over_grpc(
    service_factory: Factory, tmp_path: Path
) -> None:
    # The service stops for 500 ms every 5 s. At 100 arrivals/s, 10 % of arrivals are due during a
    # stall and each waits until it ends: uniformly 0-500 ms, so the corrected p99 is 450 ms.
    url, grpc_target = grpc_service(
        service_factory, "--fault-stall-ms", "500", "--fault-stall-every-s", "5"
    )
    slo = write(tmp_path / "slo.yaml", ratio_slo("grpc-availability", GRPC_OK, GRPC_ALL, 0.99))

    run = run_cli(
        "run", "--locustfile", str(HOME_ONLY), "--slo", str(slo), "--target", url,
        "--grpc-target", grpc_target, "--arrival-rate", "100", "--users", "4", "--warmup", "2s",
        "--duration", "20s", "--no-live", out_dir=tmp_path / "out",
    )  # fmt: skip

    assert run.returncode == 0, run.stdout + run.stderr
    home = run.result["client"]["endpoints"][0]
    assert home["name"] == "loadgate.recommender.v1.Recommendations/Home"
    assert home["p99_ms"] == pytest.approx(450, rel=0.20), home
    # Only the 4 users' in-flight calls see the stall uncorrected: under 1 %, below the p99.
    assert home["uncorrected"]["p99_ms"] < 100, home
    assert run.result["generator"]["dropped_iterations"] == 0
    assert 97 <= run.result["generator"]["achieved_arrival_rate"] <= 100.5
