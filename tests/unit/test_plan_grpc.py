"""The gRPC target in a plan: ``--grpc-target`` or ``target.grpc`` with a target, or
``service.grpc`` for the reference service; each mistake named before anything starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.plan import RunOptions
from harness.plan import build_plan as _build_plan
from harness.values.plan import Plan
from tests.conftest import write
from tests.unit.test_plan import make_scenario

TARGET = "http://127.0.0.1:8080"


def build_plan(options: RunOptions) -> Plan:
    return _build_plan(options, probe=None)  # stand-in locustfiles


def problems(options: RunOptions) -> list[str]:
    with pytest.raises(InputError) as caught:
        build_plan(options)
    return [f"{p.source}: {p.field}: {p.message}" for p in caught.value.problems]


def test_a_grpc_target_is_given_with_the_target(tmp_path: Path) -> None:
    options = RunOptions(
        scenario=make_scenario(tmp_path), target=TARGET, grpc_target="127.0.0.1:50051"
    )
    plan = build_plan(options)
    assert (plan.target_url, plan.grpc_target, plan.service_grpc) == (
        TARGET,
        "127.0.0.1:50051",
        False,
    )


def test_the_scenario_asks_the_reference_service_for_grpc(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path)
    write(scenario, scenario.read_text() + "service:\n  grpc: true\n")

    plan = build_plan(RunOptions(scenario=scenario))

    assert plan.service_grpc and plan.grpc_target is None
    # A running target given on the command line replaces the service the file would start.
    assert not build_plan(RunOptions(scenario=scenario, target=TARGET)).service_grpc


@pytest.mark.parametrize(
    ("grpc_target", "target", "expected"),
    [
        ("127.0.0.1:50051", None, "is given without a target; allowed: with --target"),
        ("grpc://127.0.0.1:50051", TARGET, "is not a gRPC address; allowed: host:port"),
        ("127.0.0.1", TARGET, "is not a gRPC address; allowed: host:port"),
        ("10.1.2.3:50051", TARGET, "'10.1.2.3' is not a loopback address"),
    ],
    ids=["without a target", "a URL", "no port", "not loopback"],
)
def test_a_bad_grpc_target_is_refused_naming_the_flag(
    tmp_path: Path, grpc_target: str, target: str | None, expected: str
) -> None:
    options = RunOptions(scenario=make_scenario(tmp_path), target=target, grpc_target=grpc_target)

    found = problems(options)

    assert any(p.startswith("command line: grpc target:") and expected in p for p in found), found


def test_a_grpc_duet_is_refused(tmp_path: Path) -> None:
    options = RunOptions(
        scenario=make_scenario(tmp_path),
        target=TARGET,
        grpc_target="127.0.0.1:50051",
        duet_baseline="http://127.0.0.1:8081",
    )

    found = problems(options)

    assert any("grpc target: and a duet together are not supported" in p for p in found), found


def test_service_grpc_beside_a_target_in_the_file_is_refused(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path)
    write(scenario, scenario.read_text() + f"target:\n  url: {TARGET}\nservice:\n  grpc: true\n")

    found = problems(RunOptions(scenario=scenario))

    assert any("service.grpc: asks the reference service to serve gRPC" in p for p in found), found
