"""The run's seed and the locustfile's parameters, from flags and the scenario (issue #14)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.errors import InputError
from harness.plan import RunOptions, build_plan
from harness.plan.traffic import SEED_MAX
from tests.unit.test_plan import make_scenario

LOAD = "  users: 4\n  duration: 20s\n  warmup: 2s\n"


def test_the_flag_s_seed_replaces_the_scenario_s(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path, load=LOAD + "  seed: 42\n")

    from_file = build_plan(RunOptions(scenario=scenario), probe=None)
    from_flag = build_plan(RunOptions(scenario=scenario, seed=7), probe=None)

    assert (from_file.load.seed, from_file.load.seed_given) == (42, True)
    assert (from_flag.load.seed, from_flag.load.seed_given) == (7, True)


def test_without_a_seed_each_run_draws_one_and_says_so(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path)

    seeds = {build_plan(RunOptions(scenario=scenario), probe=None).load.seed for _ in range(5)}
    plan = build_plan(RunOptions(scenario=scenario), probe=None)

    assert len(seeds) > 1  # 5 draws from 2^31 alike would be a broken draw
    assert plan.load.seed_given is False


def test_a_duet_s_pairs_use_the_run_s_seed_and_duet_seed_still_reads(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path, load=LOAD)
    text = scenario.read_text() + "duet:\n  baseline: http://127.0.0.1:9\n  seed: 5\n"
    scenario.write_text(text)

    plan = build_plan(RunOptions(scenario=scenario, target="http://127.0.0.1:8"), probe=None)

    assert plan.load.seed == 5 and plan.duet is not None and plan.duet.seed == 5


@pytest.mark.parametrize(
    ("load", "flags", "field", "value"),
    [
        (LOAD + "  seed: -1\n", {}, "load.seed", "-1"),
        (LOAD + "  seed: one\n", {}, "load.seed", "'one'"),
        (LOAD, {"seed": SEED_MAX + 1}, "--seed", str(SEED_MAX + 1)),
        (LOAD + "  parameters: [1, 2]\n", {}, "load.parameters", "[1, 2]"),
    ],
)
def test_a_bad_seed_or_parameters_is_an_input_error_naming_the_field(
    tmp_path: Path, load: str, flags: dict[str, object], field: str, value: str
) -> None:
    scenario = make_scenario(tmp_path, load=load)

    with pytest.raises(InputError) as raised:
        build_plan(RunOptions(scenario=scenario, **flags), probe=None)  # type: ignore[arg-type]

    [problem] = raised.value.problems
    assert problem.field == field
    assert value in problem.message and "allowed" in problem.message


def test_parameters_reach_the_locustfile_as_json_and_its_check(tmp_path: Path) -> None:
    load = LOAD + "  parameters:\n    think_time: {distribution: constant, value_s: 0.5}\n"
    scenario = make_scenario(tmp_path, load=load)
    seen: list[str | None] = []

    def probe(
        locustfile: Path,
        args: object,
        source: str,
        field: str,
        parameters: str | None,
        grpc_target: str | None,
    ) -> list[object]:
        seen.append(parameters)
        return []

    plan = build_plan(RunOptions(scenario=scenario), probe=probe)  # type: ignore[arg-type]

    expected = {"think_time": {"distribution": "constant", "value_s": 0.5}}
    assert plan.load.parameters is not None and json.loads(plan.load.parameters) == expected
    assert seen == [plan.load.parameters]


def test_a_parameter_the_shipped_locustfile_refuses_is_blamed_on_load_parameters(
    tmp_path: Path,
) -> None:
    """The locustfile's check runs for real (Locust imports it in a subprocess): the value the
    user wrote is in the scenario, so that is where the error points, with the locustfile named."""
    load = LOAD + "  parameters:\n    session_pages: {distribution: geometric, mean: 0}\n"
    scenario = make_scenario(tmp_path, load=load)
    shipped = Path(__file__).parents[2] / "scenarios" / "locustfiles" / "recommendations.py"
    scenario.write_text(
        scenario.read_text().replace("locustfile: load.py", f"locustfile: {shipped}")
    )

    with pytest.raises(InputError) as raised:
        build_plan(RunOptions(scenario=scenario))

    [problem] = raised.value.problems
    lines = scenario.read_text().splitlines()
    written = next(i for i, line in enumerate(lines, 1) if "session_pages" in line)
    assert (problem.source, problem.field, problem.line) == (
        str(scenario),
        "load.parameters",
        written,
    )
    assert "session_pages.mean: 0 is not allowed" in problem.message
    assert "recommendations.py" in problem.message
