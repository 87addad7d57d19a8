"""Scenario file + flags → Plan: flags override, paths resolve against the scenario's folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from harness.baseline_file import fingerprint
from harness.errors import InputError, Problem
from harness.plan import RunOptions
from harness.plan import build_plan as _build_plan
from harness.values.criteria import Bound
from harness.values.plan import Plan
from tests.conftest import REPO, write
from tests.e2e.slo_texts import client_availability_slo


def build_plan(options: RunOptions) -> Plan:
    """Without the locustfile probe: these stand-in locustfiles are not real ones (its own tests
    run it, e2e)."""
    return _build_plan(options, probe=None)


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


@pytest.mark.parametrize(
    ("load", "field", "message"),
    [
        (
            "  stages:\n    - {duration: 10s, arrival_rate: -5}\n",
            "load.stages[0]",
            "allowed: {duration: 30s, arrival_rate: 100} or {duration: 30s, ramp_to: 200}",
        ),
        (
            "  arrival_rate: 10\n  arrivals: bursty\n",
            "load.arrivals",
            "'bursty' is not allowed; allowed: constant, poisson",
        ),
        (
            "  arrival_rate: fast\n",
            "load.arrival_rate",
            "'fast' is not allowed; allowed: arrivals per second > 0",
        ),
    ],
)
def test_bad_open_model_settings_are_refused(
    tmp_path: Path, load: str, field: str, message: str
) -> None:
    with pytest.raises(InputError) as caught:
        build_plan(RunOptions(scenario=make_scenario(tmp_path, load=load)))

    problem = next(p for p in caught.value.problems if p.field.startswith(field))
    assert message in problem.message and problem.line is not None


@pytest.mark.parametrize(
    ("gate", "field"),
    [
        ("gate:\n  criteria:\n    - {metric: p42_ms, max_increase: 10%}\n", "gate.criteria[0]"),
        ("gate:\n  criteria:\n    - {metric: p99_ms, max_increase: lots}\n", "gate.criteria[0]"),
        ("service:\n  args: [[--nested]]\n", "service.args"),
        ("service:\n  args: --fast\n", "service.args"),
        ("target:\n  url: 8080\n", "target.url"),
    ],
)
def test_bad_gate_criteria_or_service_args_are_refused(
    tmp_path: Path, gate: str, field: str
) -> None:
    scenario = make_scenario(tmp_path)
    scenario.write_text(scenario.read_text() + gate)

    with pytest.raises(InputError) as caught:
        build_plan(RunOptions(scenario=scenario))

    assert [p.field for p in caught.value.problems] == [field]


def test_an_open_model_plan_carries_its_arrivals_and_a_default_pool(tmp_path: Path) -> None:
    plan = build_plan(RunOptions(scenario=make_scenario(tmp_path), arrival_rate=400.0))
    assert plan.load.arrivals is not None and plan.load.arrivals.peak_rate == 400.0
    assert plan.load.users == 4  # the scenario's users: given, so kept as the pool
    default_pool = build_plan(
        RunOptions(scenario=make_scenario(tmp_path, load="  arrival_rate: 400\n"))
    )
    assert default_pool.load.users == 40  # enough for 100 ms of latency at 400/s


def test_max_burn_rate_is_a_key_burn_rate_criterion_judged_first(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path)
    text = scenario.read_text() + (
        'gate:\n  max_burn_rate: 0.5\n  criteria:\n    - {metric: p99_ms, pass: "< 300ms"}\n'
    )
    plan = build_plan(RunOptions(scenario=write(scenario, text)))
    first, second = plan.absolute_criteria
    assert (first.metric, first.pass_bound, first.key) == ("burn_rate", Bound("<=", 0.5), True)
    assert second.metric == "p99_ms"


def test_locust_options_come_from_the_scenario_and_the_command_line_replaces_them(
    tmp_path: Path,
) -> None:
    seen: list[tuple[tuple[str, ...], str, str]] = []

    def probe(
        locustfile: Path,
        args: Sequence[str],
        source: str,
        field: str,
        parameters: str | None,
        grpc_target: str | None,
    ) -> list[Problem]:
        seen.append((tuple(args), source, field))
        return []

    load = "  users: 4\n  locust_args: [--tags, home, --shop-size, 3]\n"
    scenario = make_scenario(tmp_path, load=load)
    from_file = _build_plan(RunOptions(scenario=scenario), probe=probe)
    from_cli = _build_plan(RunOptions(scenario=scenario, locust_args=("-T", "cart")), probe=probe)

    assert from_file.locust_args == ("--tags", "home", "--shop-size", "3")
    assert from_cli.locust_args == ("-T", "cart")
    assert seen == [
        (("--tags", "home", "--shop-size", "3"), str(scenario), "load.locust_args"),
        (("-T", "cart"), "command line", "-- (Locust options)"),
    ]


def test_locust_options_that_are_not_a_list_of_words_are_refused(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path, load="  users: 4\n  locust_args: --tags home\n")
    with pytest.raises(InputError, match=r"load.locust_args: '--tags home' is not allowed"):
        build_plan(RunOptions(scenario=scenario))


def test_the_probe_s_problems_are_reported_with_the_others(tmp_path: Path) -> None:
    def probe(
        locustfile: Path,
        args: Sequence[str],
        source: str,
        field: str,
        parameters: str | None,
        grpc_target: str | None,
    ) -> list[Problem]:
        return [Problem(str(locustfile), "import", "importing it failed: boom", 3)]

    scenario = make_scenario(tmp_path, load="  users: -1\n")
    with pytest.raises(InputError) as raised:
        _build_plan(RunOptions(scenario=scenario), probe=probe)
    assert [p.field for p in raised.value.problems] == ["import", "load.users"]


def test_locust_options_are_part_of_the_traffic_a_baseline_must_match(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path)
    plain = fingerprint(build_plan(RunOptions(scenario=scenario)))
    tagged = fingerprint(build_plan(RunOptions(scenario=scenario, locust_args=("--tags", "home"))))

    # Without options the fingerprint is what baselines saved before options existed hold.
    assert "locust_args" not in plain
    assert tagged == {**plain, "locust_args": ["--tags", "home"]}


def test_remote_workers_need_one_exporter_address_each_for_the_private_prometheus(
    tmp_path: Path,
) -> None:
    options = RunOptions(scenario=make_scenario(tmp_path), expect_workers=2)

    with pytest.raises(InputError, match="--worker-metrics: 0 given for 2 workers"):
        build_plan(options)


def test_remote_workers_need_no_exporter_addresses_when_the_users_prometheus_finds_them(
    tmp_path: Path,
) -> None:
    """A cluster's Prometheus finds the worker pods itself (loadgate deploy's PodMonitor): the
    master cannot know their addresses, and nothing here would use them."""
    options = RunOptions(
        scenario=make_scenario(tmp_path),
        expect_workers=3,
        master_bind="0.0.0.0:5557",
        prometheus_url="http://prometheus.monitoring.svc:9090",
    )

    remote = build_plan(options).remote_workers

    assert remote is not None
    assert (remote.count, remote.master_host, remote.master_port, remote.metrics) == (
        3,
        "0.0.0.0",
        5557,
        (),
    )


def test_exporter_addresses_given_with_the_users_prometheus_are_still_one_per_worker(
    tmp_path: Path,
) -> None:
    options = RunOptions(
        scenario=make_scenario(tmp_path),
        expect_workers=2,
        worker_metrics=("10.0.0.11:9646",),
        prometheus_url="http://prometheus:9090",
    )

    with pytest.raises(InputError, match="--worker-metrics: 1 given for 2 workers"):
        build_plan(options)
