"""Absolute criteria, warning levels, weights, key criteria and the Keptn-style total score."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.gate.absolute import judge_absolute
from harness.gate.relative import judge_relative
from harness.gate.score import total_score
from harness.gate.verdict import decide
from harness.plan import RunOptions
from harness.plan import build_plan as _build_plan
from harness.values.criteria import (
    AbsoluteCriterion,
    Bound,
    Direction,
    RelativeCriterion,
    ScoreThresholds,
)
from harness.values.plan import Plan
from harness.values.run_result import ClientStats, EndpointStats
from harness.values.status import Status
from harness.values.verdict import CriterionResult, SLOStatus
from tests.unit.test_plan import make_scenario
from tests.unit.test_verdict import HEALTHY, WINDOW, slo


def build_plan(options: RunOptions) -> Plan:
    """Without the locustfile probe: these stand-in locustfiles are not real ones (its own tests
    run it, e2e)."""
    return _build_plan(options, probe=None)


HOME = EndpointStats("/home", "GET", 6000, 12, 2.0, 3.0, 4.0, 250.0, 400.0, 900.0)
CART = EndpointStats("/cart", "POST", 0, 0, None, None, None, None, None, None)
TOTAL = EndpointStats("Aggregated", "", 6000, 12, 2.0, 3.0, 4.0, 250.0, 400.0, 900.0)
CLIENT = ClientStats(total=TOTAL, endpoints=(HOME, CART))


def p99(pass_ms: float, warning_ms: float | None = None, **kwargs: object) -> AbsoluteCriterion:
    warning = Bound("<", warning_ms) if warning_ms is not None else None
    return AbsoluteCriterion("p99_ms", Bound("<", pass_ms), warning, **kwargs)  # type: ignore[arg-type]


def test_an_absolute_bound_passes_warns_or_fails_by_its_two_levels() -> None:
    passed, warned, failed = judge_absolute([p99(300), p99(200, 300), p99(200)], CLIENT, [], WINDOW)
    assert [c.status for c in (passed, warned, failed)] == ["pass", "warn", "fail"]
    assert failed.detail == "p99 of all requests is 250 ms; the gate requires < 200 ms"
    assert "within the warning bound < 300 ms" in warned.detail


def test_error_ratio_throughput_and_burn_rate_are_read_from_the_run() -> None:
    error_ratio, throughput, burn = judge_absolute(
        [
            AbsoluteCriterion("error_ratio", Bound("<", 0.001)),  # 12/6000 = 0.2 %
            AbsoluteCriterion("throughput", Bound(">=", 100.0)),  # 6000 over 60 s
            AbsoluteCriterion("burn_rate", Bound("<=", 1.0)),
        ],
        CLIENT,
        [slo(SLOStatus.MET)],
        WINDOW,
    )
    assert (error_ratio.observed, error_ratio.status) == (0.002, "fail")
    assert "0.2%" in error_ratio.detail and "< 0.1%" in error_ratio.detail
    assert (throughput.observed, throughput.status) == (100.0, "pass")
    assert burn.name == "burn rate of home-latency" and burn.status == "pass"


def test_each_endpoint_is_judged_alone_and_one_without_requests_has_no_data() -> None:
    home, cart = judge_absolute([p99(300, endpoint="each")], CLIENT, [], WINDOW)
    assert (home.name, home.status) == ("p99 of GET /home", "pass")
    assert (cart.name, cart.status) == ("p99 of POST /cart", "no_data")


def test_weight_and_key_travel_with_each_result() -> None:
    (result,) = judge_absolute([p99(300, weight=3.0, key=True)], CLIENT, [], WINDOW)
    assert (result.weight, result.key) == (3.0, True)


def scored(status: str, weight: float = 1.0, key: bool = False) -> CriterionResult:
    passed = {"pass": True, "warn": True, "fail": False, "no_data": None}[status]
    return CriterionResult(
        f"{status} criterion",
        1.0,
        1.0,
        passed,
        f"{status}!",
        status == "warn",
        weight=weight,
        key=key,
    )


def test_the_score_counts_a_warning_as_half_its_weight_and_ignores_key_criteria() -> None:
    score = total_score(
        [scored("pass", 2), scored("warn", 1), scored("fail", 1), scored("fail", 5, key=True)]
    )
    assert score is not None
    assert (score.earned, score.possible, score.value_pct) == (2.5, 4.0, 62.5)
    assert score.status == "fail"
    assert total_score([scored("pass", key=True)]) is None  # nothing scored: no score


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ([scored("pass")] * 9 + [scored("fail")], Status.PASS),  # 90 %: pass
        ([scored("pass")] * 4 + [scored("fail")], Status.WARN),  # 80 %: warn
        ([scored("pass")] * 2 + [scored("fail")], Status.FAIL),  # 67 %: fail
        ([scored("pass")] * 9 + [scored("fail", key=True)], Status.FAIL),  # a key failure
        ([scored("pass")] * 9 + [scored("warn", key=True)], Status.WARN),
        ([scored("pass")] * 9 + [scored("no_data")], Status.INCONCLUSIVE),
    ],
)
def test_the_score_and_key_criteria_decide_the_verdict(
    criteria: list[CriterionResult], expected: Status
) -> None:
    verdict = decide(
        [slo(SLOStatus.MET)], HEALTHY, WINDOW, CLIENT, (), criteria, total_score(criteria)
    )
    assert verdict.status is expected
    if expected is Status.FAIL and not any(c.key for c in criteria):
        assert verdict.reasons[0].startswith("the score 67% (2 of 3 points")
        assert "fail!" in verdict.reasons  # which criterion lost the points


def test_custom_thresholds_move_the_boundaries() -> None:
    criteria = [scored("pass")] * 4 + [scored("fail")]
    strict = total_score(criteria, ScoreThresholds(pass_pct=100, warning_pct=95))
    assert strict is not None and strict.status == "fail"


def test_a_breached_slo_judged_by_a_scored_criterion_no_longer_fails_alone() -> None:
    evaluations = [slo(SLOStatus.BREACHED)]
    judged = judge_absolute(
        [AbsoluteCriterion("slos_met", None, weight=1.0)], CLIENT, evaluations, WINDOW
    )
    many = judged + [scored("pass")] * 9
    keyed = decide(evaluations, HEALTHY, WINDOW, CLIENT, (), many, total_score(many))
    assert keyed.status is Status.FAIL  # by default every SLO is key
    weighed = decide(
        evaluations, HEALTHY, WINDOW, CLIENT, (), many, total_score(many), {"home-latency"}
    )
    assert weighed.status is Status.PASS  # 9 of 10 points
    assert weighed.reasons[0].startswith("0 of 1 SLOs met (the others are scored, not key)")
    assert weighed.reasons[1].startswith("SLO 'home-latency' breached")


GATE = """gate:
  score: {pass: 95%, warning: 80%}
  criteria:
    - {metric: p99_ms, pass: "< 0.3s", warning: "< 500ms", weight: 2, key: true}
    - {metric: error_ratio, pass: "< 0.1%"}
    - {metric: throughput, pass: ">= 100/s", endpoint: each}
    - {metric: burn_rate, pass: "<= 1x"}
    - {metric: slos_met}
    - {metric: p99_ms, pass: "<= +10%", warning: "<= +20%"}
    - {metric: throughput, pass: ">= -5%", endpoint: "GET /home"}
    - {metric: p95_ms, max_increase: 15%}
"""


def test_the_scenario_syntax_reads_into_criteria_and_thresholds(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path)
    scenario.write_text(scenario.read_text() + GATE)
    plan = build_plan(RunOptions(scenario=scenario))

    first = plan.absolute_criteria[0]
    assert (first.pass_bound, first.warning_bound) == (Bound("<", 300.0), Bound("<", 500.0))
    assert (first.weight, first.key) == (2.0, True)
    assert plan.absolute_criteria[1].pass_bound == Bound("<", 0.001)
    assert plan.absolute_criteria[2].endpoint == "each"
    assert [c.metric for c in plan.absolute_criteria] == [
        "p99_ms",
        "error_ratio",
        "throughput",
        "burn_rate",
        "slos_met",
    ]
    rise, fall, p95 = plan.relative_criteria
    assert (rise.tolerance_pct, rise.warning_tolerance_pct, rise.direction) == (
        10.0,
        20.0,
        Direction.HIGHER_IS_WORSE,
    )
    assert (fall.tolerance_pct, fall.direction, fall.endpoint) == (
        5.0,
        Direction.LOWER_IS_WORSE,
        "GET /home",
    )
    assert (p95.metric, p95.tolerance_pct, p95.key) == ("p95_ms", 15.0, False)
    assert plan.score_thresholds == ScoreThresholds(95.0, 80.0)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            '{metric: p99_ms, pass: "< 300%"}',
            "'< 300%' is not a bound for p99_ms (e.g. '< 300'; units: ms, s)",
        ),
        ('{metric: error_ratio, pass: "< 150%"}', "'< 150%' is more than 100 %"),
        ('{metric: p99_ms, pass: "<= -10%"}', "bounds the wrong side"),
        (
            '{metric: p99_ms, pass: "<= +10%", warning: "<= +5%"}',
            "is not looser than the pass bound",
        ),
        ("{metric: burn_rate, pass: '<= +10%'}", "burn_rate cannot be compared with a baseline"),
        ("{metric: p99_ms}", "it needs a pass bound"),
        ('{metric: p99_ms, pass: "< 300", weight: 0}', "weight 0 is not a number > 0"),
        ('{metric: p99_ms, pass: "< 300", key: "yes"}', "key 'yes' is not true or false"),
        ('{metric: p99_ms, pass: "< 300", tolerance: 3}', "unknown key 'tolerance'"),
        ('{metric: slos_met, pass: "< 1"}', "slos_met takes no bound"),
    ],
)
def test_a_bad_criterion_names_its_field_value_and_what_is_allowed(
    tmp_path: Path, entry: str, message: str
) -> None:
    scenario = make_scenario(tmp_path)
    scenario.write_text(scenario.read_text() + f"gate:\n  criteria:\n    - {entry}\n")
    with pytest.raises(InputError) as caught:
        build_plan(RunOptions(scenario=scenario))

    (problem,) = caught.value.problems
    assert problem.field == "gate.criteria[0]" and problem.line is not None
    assert message in problem.message and "allowed: {metric: one of" in problem.message


@pytest.mark.parametrize(
    "score", ["{pass: 70%, warning: 80%}", "{pass: 120%}", "{pass: high}", "{passing: 90%}"]
)
def test_bad_score_thresholds_are_refused(tmp_path: Path, score: str) -> None:
    scenario = make_scenario(tmp_path)
    scenario.write_text(scenario.read_text() + f"gate:\n  score: {score}\n")
    with pytest.raises(InputError) as caught:
        build_plan(RunOptions(scenario=scenario))

    (problem,) = caught.value.problems
    assert problem.field == "gate.score" and "warning ≤ pass" in problem.message


def windows(level: float, n: int = 12) -> list[float]:
    return [level * (1 + 0.01 * ((i * 7) % 5 - 2)) for i in range(n)]  # ±2 % noise


@pytest.mark.parametrize(("rise", "expected"), [(1.15, "warn"), (1.30, "fail"), (1.02, "pass")])
def test_a_relative_criterion_beyond_its_tolerance_but_within_its_warning_level_warns(
    rise: float, expected: str
) -> None:
    criterion = RelativeCriterion(
        "p99_ms", 10.0, Direction.HIGHER_IS_WORSE, warning_tolerance_pct=20.0
    )
    busy = [300.0] * 12  # requests/s: 1,500 a window, enough for a p99 to be judged
    baseline = {"GET /home": {"p99_ms": windows(100.0), "throughput": busy}}
    current = {"GET /home": {"p99_ms": windows(100.0 * rise), "throughput": busy}}
    (result,) = judge_relative((criterion,), baseline, current, "main").criteria
    assert result.status == expected
    if expected != "pass":
        assert "tolerance +10% (warning +20%)" in result.detail


def test_a_criterion_naming_an_slo_that_is_not_there_is_refused(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path)  # its one SLO is "home"
    scenario.write_text(
        scenario.read_text()
        + "gate:\n  criteria:\n    - {metric: burn_rate, pass: '<= 1', slo: hoem, key: true}\n"
    )
    with pytest.raises(InputError) as caught:
        build_plan(RunOptions(scenario=scenario))

    (problem,) = caught.value.problems
    assert problem.field == "gate.criteria (burn_rate) → slo"
    assert problem.message == "'hoem' is not an SLO of this run; allowed: home"
