"""The gRPC gate end to end: scenarios/grpc.yaml passes on the healthy reference service and
fails on an error fault (UNAVAILABLE) and on a latency fault; DEADLINE_EXCEEDED counts as an
error; bad gRPC input is refused before any load.

Real reference service (serving gRPC), real Prometheus, real Locust with GrpcUser.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import free_port, leftover_processes, run_cli

pytestmark = [pytest.mark.e2e, pytest.mark.load_shared]

Factory = Callable[..., tuple[str, subprocess.Popen[bytes]]]
HERE = Path(__file__).parent
SCENARIO = "scenarios/grpc.yaml"
SLO = "slo/recommender-grpc.yaml"
SHORT = ("--users", "20", "--warmup", "4s", "--duration", "10s")  # ≥ 500 Home calls in the window


def grpc_service(service_factory: Factory, *flags: str) -> tuple[str, str]:
    port = free_port()
    url, _ = service_factory("--grpc-port", str(port), *flags)
    return url, f"127.0.0.1:{port}"


def statuses(result: dict[str, object]) -> dict[str, str]:
    return {slo["name"]: slo["status"] for slo in result["slos"]}  # type: ignore[attr-defined]


def test_the_grpc_scenario_passes_on_the_healthy_reference_service(tmp_path: Path) -> None:
    run = run_cli("run", SCENARIO, *SHORT, "--no-live", out_dir=tmp_path / "out")

    assert run.returncode == 0, run.stdout + run.stderr
    assert run.result["verdict"] == "pass"
    assert set(statuses(run.result).values()) == {"met"}, statuses(run.result)
    names = {e["name"] for e in run.result["client"]["endpoints"]}
    assert names == {
        f"loadgate.recommender.v1.Recommendations/{m}"
        for m in ("Home", "Similar", "Trending", "RecordEvent")
    }
    assert run.result["client"]["total"]["failures"] == 0
    assert leftover_processes(run.run_ids) == []


@pytest.mark.parametrize(
    ("fault", "breached"),
    [
        (("--fault-error-rate", "0.05"), {"grpc-availability-client", "grpc-availability-server"}),
        (
            ("--fault-latency", "150@1", "--fault-route", "/v1/recommendations/home"),
            {"grpc-home-latency-client", "grpc-home-latency-server"},
        ),
    ],
    ids=["unavailable", "latency"],
)
def test_a_fault_fails_the_grpc_gate(
    service_factory: Factory, tmp_path: Path, fault: tuple[str, ...], breached: set[str]
) -> None:
    url, grpc_target = grpc_service(service_factory, *fault)

    # Slower Home calls in the closed model: fewer of them; 15 s keeps ≥ 500 in the window.
    window = ("--duration", "15s") if "--fault-latency" in fault else ()
    run = run_cli(
        "run", SCENARIO, "--target", url, "--grpc-target", grpc_target, *SHORT, *window,
        "--no-live", out_dir=tmp_path / "out",
    )  # fmt: skip

    assert run.returncode == 1, run.stdout + run.stderr
    found = statuses(run.result)
    # The fault's own SLOs breach; on a busy machine (the shared test pass) a latency SLO may
    # breach beside them, which is the machine, not the fault.
    assert breached <= {name for name, status in found.items() if status == "breached"}, found


def test_deadline_exceeded_counts_as_an_error(service_factory: Factory, tmp_path: Path) -> None:
    # Every Home call takes 200 ms more; the client gives each 50 ms.
    url, grpc_target = grpc_service(service_factory, "--fault-latency", "200@1")

    run = run_cli(
        "run", "--locustfile", str(HERE / "grpc_deadline_locustfile.py"), "--slo", SLO,
        "--target", url, "--grpc-target", grpc_target, "--users", "5", "--warmup", "2s",
        "--duration", "6s", "--no-live", out_dir=tmp_path / "out",
    )  # fmt: skip

    assert run.returncode == 1, run.stdout + run.stderr
    home = run.result["client"]["endpoints"][0]
    assert home["requests"] >= 100
    assert home["failures"] == home["requests"]
    assert statuses(run.result)["grpc-availability-client"] == "breached"


def test_a_method_the_target_does_not_serve_is_refused_before_load(
    service_factory: Factory, tmp_path: Path
) -> None:
    url, grpc_target = grpc_service(service_factory)

    run = run_cli(
        "run", "--locustfile", str(HERE / "grpc_unknown_method_locustfile.py"), "--slo", SLO,
        "--target", url, "--grpc-target", grpc_target, "--duration", "5s", "--no-live",
        out_dir=tmp_path / "out",
    )  # fmt: skip

    assert run.returncode == 2, run.stdout + run.stderr
    assert "grpc_unknown_method_locustfile.py: class OutOfDate:" in run.stderr
    assert f"Recommendations/Homepage, which the gRPC target {grpc_target} does not" in run.stderr
    assert "Recommendations/Home," not in run.stderr  # the method it does serve is fine
    assert not list((tmp_path / "out").glob("*/logs/locust.log"))  # no load was sent


def test_an_unreachable_grpc_port_is_inconclusive_before_load(
    service_factory: Factory, tmp_path: Path
) -> None:
    url, _ = service_factory()  # HTTP only: nothing listens on the gRPC port given
    nobody = f"127.0.0.1:{free_port()}"

    run = run_cli(
        "run", SCENARIO, "--target", url, "--grpc-target", nobody, "--duration", "5s",
        "--no-live", out_dir=tmp_path / "out",
    )  # fmt: skip

    assert run.returncode == 3, run.stdout + run.stderr
    said = f"the gRPC target {nobody} does not answer within 3s"
    assert run.result["reasons"] == [said]
    assert said in run.stdout
    assert not list((tmp_path / "out").glob("*/logs/locust.log"))


def test_grpc_calls_overlap_under_gevent(service_factory: Factory, tmp_path: Path) -> None:
    # Every Home call takes 300 ms. Ten users whose blocking calls yield to gevent (init_gevent)
    # complete about 10 × 8 s / 0.35 s ≈ 230 calls in the window; had grpcio blocked gevent's
    # loop (locust#1800), the calls would run one at a time: at most 8 s / 0.3 s ≈ 27.
    url, grpc_target = grpc_service(service_factory, "--fault-latency", "300@1")

    run = run_cli(
        "run", "--locustfile", str(HERE / "grpc_home_locustfile.py"), "--slo", SLO,
        "--target", url, "--grpc-target", grpc_target, "--users", "10", "--warmup", "2s",
        "--duration", "8s", "--no-live", out_dir=tmp_path / "out",
    )  # fmt: skip

    home = run.result["client"]["endpoints"][0]
    assert home["requests"] >= 150, home
    assert home["failures"] == 0
    assert home["p50_ms"] == pytest.approx(300, rel=0.2), home


def test_a_grpc_locustfile_without_a_grpc_target_is_refused_before_anything_starts(
    tmp_path: Path,
) -> None:
    run = run_cli(
        "run", "--locustfile", "scenarios/locustfiles/grpc_recommendations.py", "--slo", SLO,
        "--duration", "5s", "--no-live", out_dir=tmp_path / "out",
    )  # fmt: skip

    assert run.returncode == 2, run.stdout + run.stderr
    assert (
        "grpc_recommendations.py: class GrpcShopper: is a GrpcUser, but the run has no gRPC "
        "target; allowed: --grpc-target HOST:PORT (with --target), target.grpc, or "
        "service.grpc: true" in run.stderr
    )
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
