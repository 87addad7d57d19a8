"""A duet in the plan: the baseline beside the candidate, every wrong combination refused before
anything starts (exit 2), each problem naming the flag or field and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.plan import RunOptions
from harness.plan import build_plan as _build_plan
from harness.values.plan import Plan
from tests.conftest import REPO
from tests.unit.test_plan import make_scenario


def build_plan(options: RunOptions) -> Plan:
    return _build_plan(options, probe=None)


def problems_of(options: RunOptions) -> str:
    with pytest.raises(InputError) as raised:
        build_plan(options)
    return "\n".join(f"{p.field}: {p.message}" for p in raised.value.problems)


def test_a_running_baseline_beside_the_target_is_a_duet(tmp_path: Path) -> None:
    plan = build_plan(RunOptions(scenario=make_scenario(tmp_path), target="http://127.0.0.1:8080",
                                 duet_baseline="http://127.0.0.1:8081/"))  # fmt: skip
    assert plan.duet is not None
    assert plan.duet.baseline_url == "http://127.0.0.1:8081"
    assert plan.duet.baseline_checkout is None


def test_a_checkout_starts_the_reference_service_as_the_baseline(tmp_path: Path) -> None:
    plan = build_plan(RunOptions(scenario=make_scenario(tmp_path), duet_baseline_checkout=REPO))
    assert plan.duet is not None and plan.duet.baseline_checkout == REPO.resolve()


def test_the_scenario_can_ask_for_a_duet(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path)
    scenario.write_text(
        scenario.read_text() + "duet:\n  baseline: http://127.0.0.1:8081\n  seed: 7\n"
    )
    plan = build_plan(RunOptions(scenario=scenario, target="http://127.0.0.1:8080"))
    assert plan.duet is not None
    assert (plan.duet.baseline_url, plan.duet.seed) == ("http://127.0.0.1:8081", 7)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"target": "http://127.0.0.1:8080", "duet_baseline": "http://10.1.2.3:8080"},
         "not a loopback address"),
        ({"target": "http://127.0.0.1:8080", "duet_baseline": "http://127.0.0.1:8080"},
         "is the target itself"),
        ({"duet_baseline": "http://127.0.0.1:8081", "duet_baseline_checkout": Path(".")},
         "are both given"),
        ({"duet_baseline_checkout": Path("/nonexistent")}, "holds no reference service"),
        ({"target": "http://127.0.0.1:8080", "duet_baseline_checkout": REPO},
         "the candidate must be started too"),
        ({"target": "http://127.0.0.1:8080", "duet_baseline": "http://127.0.0.1:8081",
          "users": 5}, "allowed in a duet: a multiple of 2"),
        ({"target": "http://127.0.0.1:8080", "duet_baseline": "http://127.0.0.1:8081",
          "users": 6, "processes": 2}, "a multiple of 4"),
        ({"target": "http://127.0.0.1:8080", "duet_baseline": "http://127.0.0.1:8081",
          "baseline": "main"}, "both give a baseline"),
    ],
)  # fmt: skip
def test_a_wrong_duet_is_refused_naming_what_is_allowed(
    tmp_path: Path, options: dict[str, object], expected: str
) -> None:
    text = problems_of(RunOptions(scenario=make_scenario(tmp_path), **options))  # type: ignore[arg-type]
    assert expected in text


def test_an_unknown_duet_key_is_refused(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path)
    scenario.write_text(scenario.read_text() + "duet:\n  baseline_url: http://127.0.0.1:8081\n")
    assert "baseline_url" in problems_of(RunOptions(scenario=scenario))


COMMAND = '[python3, -m, myservice, --port, "{port}"]'


def with_lines(scenario: Path, text: str) -> Path:
    scenario.write_text(scenario.read_text() + text)
    return scenario


def test_a_user_s_service_and_its_baseline_from_commands(tmp_path: Path) -> None:
    scenario = with_lines(make_scenario(tmp_path), f"service:\n  command: {COMMAND}\n  health: /ready\n"
                          f"duet:\n  command: python3 -m oldservice --port {{port}}\n")  # fmt: skip
    plan = build_plan(RunOptions(scenario=scenario))
    assert plan.service_command is not None and plan.duet is not None
    assert plan.service_command.argv == ("python3", "-m", "myservice", "--port", "{port}")
    assert plan.service_command.health == "/ready"
    assert plan.service_command.cwd == tmp_path.resolve()
    command = plan.duet.baseline_command
    assert command is not None and command.argv[2] == "oldservice" and command.health == "/ready"


def test_a_checkout_runs_the_user_s_command_there(tmp_path: Path) -> None:
    checkout = tmp_path / "main"
    checkout.mkdir()
    scenario = with_lines(
        make_scenario(tmp_path), f"service:\n  command: {COMMAND}\nduet:\n  checkout: main\n"
    )
    plan = build_plan(RunOptions(scenario=scenario))
    assert plan.duet is not None and plan.duet.baseline_checkout == checkout.resolve()


@pytest.mark.parametrize(
    ("lines", "options", "expected"),
    [
        ("service:\n  command: [python3, app.py]\n", {}, "has no {port}"),
        ("service:\n  command: 7\n", {}, "is not allowed"),
        (f"service:\n  command: {COMMAND}\n", {"target": "http://127.0.0.1:8080"}, "and service.command both"),
        (f"service:\n  command: {COMMAND}\n  args: [--admin]\n", {}, "flags for the reference service"),
        ("duet:\n  command: python3 -m old --port {port}\n", {}, "the candidate must be one too"),
        (f"service:\n  command: {COMMAND}\n  health: ready\n", {}, "a path such as /healthz"),
    ],
)  # fmt: skip
def test_a_wrong_service_command_is_refused(
    tmp_path: Path, lines: str, options: dict[str, object], expected: str
) -> None:
    scenario = with_lines(make_scenario(tmp_path), lines)
    assert expected in problems_of(RunOptions(scenario=scenario, **options))  # type: ignore[arg-type]
