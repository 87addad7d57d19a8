"""Scenario file + flags → Plan: flags override, paths resolve against the scenario's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.plan import RunOptions, build_plan
from tests.conftest import REPO, write
from tests.e2e.slo_texts import client_availability_slo


def make_scenario(folder: Path, load: str = "  users: 4\n  duration: 20s\n  warmup: 2s\n") -> Path:
    write(folder / "slos" / "slo.yaml", client_availability_slo("home", 0.99))
    write(folder / "load.py", "# a locustfile\n")
    return write(
        folder / "s.yaml",
        f"name: mine\nload:\n  locustfile: load.py\n{load}slos: [slos/slo.yaml]\n",
    )


def test_a_scenario_file_alone_is_enough(tmp_path: Path) -> None:
    plan = build_plan(RunOptions(scenario=make_scenario(tmp_path)))

    assert plan.name == "mine"
    assert plan.locustfile == (tmp_path / "load.py").resolve()
    assert [s.name for s in plan.slos] == ["home"]
    assert (plan.load.users, plan.load.duration_s, plan.load.warmup_s) == (4, 20.0, 2.0)
    assert plan.target_url is None


def test_flags_override_the_scenario(tmp_path: Path) -> None:
    options = RunOptions(
        scenario=make_scenario(tmp_path), users=9, duration="1m", target="http://127.0.0.1:9/"
    )
    plan = build_plan(options)
    assert (plan.load.users, plan.load.duration_s) == (9, 60.0)
    assert plan.target_url == "http://127.0.0.1:9"


def test_flags_alone_are_enough_without_a_scenario(tmp_path: Path) -> None:
    make_scenario(tmp_path)
    plan = build_plan(
        RunOptions(
            locustfile=tmp_path / "load.py",
            slo_files=(tmp_path / "slos/slo.yaml",),
            target="http://localhost:8080",
        )
    )
    assert plan.name == "adhoc"
    assert plan.load.users == 10 and plan.load.warmup_s == 5.0


def test_every_problem_of_scenario_and_flags_is_reported_together(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path, load="  users: zero\n  spawn_rate: -1\n")

    with pytest.raises(InputError) as caught:
        build_plan(RunOptions(scenario=scenario, duration="soon", target="http://10.0.0.1"))

    fields = sorted(problem.field for problem in caught.value.problems)
    assert fields == ["--duration", "load.spawn_rate", "load.users", "target"]


def test_a_missing_locustfile_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--locustfile: is required"):
        build_plan(RunOptions(slo_files=(REPO / "slo/recommender.yaml",)))


@pytest.mark.parametrize(
    ("gate", "field"),
    [("min_events: 0", "gate.min_events"), ("max_generator_cpu: 250", "gate.max_generator_cpu")],
)
def test_gate_limits_out_of_range_are_refused(tmp_path: Path, gate: str, field: str) -> None:
    scenario = make_scenario(tmp_path)
    scenario.write_text(scenario.read_text() + f"gate:\n  {gate}\n")

    with pytest.raises(InputError) as caught:
        build_plan(RunOptions(scenario=scenario))

    [problem] = caught.value.problems
    assert problem.field == field and problem.line == 9
