"""Soak-time burn-rate alerts: policy windows in soak time, transitions, and the verdict on top."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import InputError
from harness.gate.verdict import with_findings
from harness.plan import RunOptions
from harness.slo.policy import DEFAULT_POLICY, load_policy
from harness.soak.alerts import AlertBook, AlertCheck, Transition
from harness.soak.command import SoakOptions, evaluation_interval, plan_soak
from harness.values.status import Status
from harness.values.verdict import Findings, Verdict


def test_a_soak_stands_for_days_of_the_slo_window_and_no_window_is_too_short() -> None:
    policy = load_policy(DEFAULT_POLICY)  # 30 d; soak: represents 3d, min_window 10s
    two_hours = policy.scaled_for_soak(7200)
    assert [(a.severity, a.long_s, a.short_s, a.burn) for a in two_hours.alerts] == [
        ("page", 100.0, 10.0, 14.4),  # 1h/5m ÷ 36; 5m would be 8 s: floored at 10 s
        ("page", 600.0, 50.0, 6.0),
        ("ticket", 2400.0, 200.0, 3.0),
        ("ticket", 7200.0, 600.0, 1.0),
    ]
    three_minutes = policy.scaled_for_soak(180)
    assert min(three_minutes.windows()) == 10.0


def check(
    slo: str, long_burn: float | None, short_burn: float | None, severity: str = "page"
) -> AlertCheck:
    return AlertCheck(slo, severity, 100.0, 10.0, 14.4, long_burn, short_burn)


def test_one_transition_when_an_alert_starts_none_while_it_goes_on_one_when_it_clears() -> None:
    book = AlertBook()
    timeline = [
        [check("a", 1.0, 1.0)],
        [check("a", 20.0, 30.0)],  # both windows above 14.4: starts
        [check("a", 25.0, 40.0)],  # still firing: nothing new
        [check("a", 20.0, 2.0)],  # the short window recovered: clears
        [check("a", 16.0, 1.0)],
    ]
    transitions = [t for at, checks in enumerate(timeline) for t in book.update(float(at), checks)]
    assert [(t.at, t.slo, t.started) for t in transitions] == [(1.0, "a", True), (3.0, "a", False)]
    assert book.peak_burn["a"] == 40.0


def test_the_book_states_each_span_of_firing_and_which_check_explains_a_transition() -> None:
    book = AlertBook()
    timeline = [
        [check("a", 20.0, 30.0), check("b", 1.0, 1.0)],  # a starts
        [check("a", 20.0, 2.0), check("b", 20.0, 16.0)],  # a clears, b starts
        [check("a", 20.0, 2.0), check("a", 30.0, 40.0, "ticket")],  # a's ticket starts
        [check("a", 90.0, 99.0)],  # a's page again
    ]
    transitions = [t for at, checks in enumerate(timeline) for t in book.update(float(at), checks)]
    assert [(f.slo, f.severity, f.start, f.end) for f in book.firings()] == [
        ("a", "page", 0.0, 1.0),
        ("b", "page", 1.0, None),  # still firing
        ("a", "ticket", 2.0, None),
        ("a", "page", 3.0, None),
    ]
    two = Transition(5.0, "a", "page", True, (check("a", 1.0, 50.0), check("a", 20.0, 16.0)))
    assert two.worst_index == 1 and two.worst is two.checks[1]  # firing beats a hotter short burn
    assert transitions[0].worst_index == 0


def test_a_firing_alert_is_not_cleared_while_its_windows_have_no_data() -> None:
    book = AlertBook()
    timeline = [
        [check("a", 20.0, 30.0)],  # starts
        [check("a", None, None)],  # Prometheus did not answer: unknown, still firing
        [check("a", 20.0, None)],  # the short window is still unmeasured
        [check("a", 20.0, 2.0)],  # measured again, and below the factor: clears
    ]
    transitions = [t for at, checks in enumerate(timeline) for t in book.update(float(at), checks)]
    assert [(t.at, t.started) for t in transitions] == [(0.0, True), (3.0, False)]


def test_no_data_never_starts_an_alert_either() -> None:
    book = AlertBook()
    assert book.update(0.0, [check("a", None, None)]) == []
    assert book.active == {}


def test_only_both_windows_fire_and_no_data_never_fires() -> None:
    assert not check("a", 20.0, 10.0).firing  # the short window is below the factor
    assert not check("a", None, 99.0).firing
    assert check("a", 14.5, 14.5).firing


def test_any_alert_of_a_severity_keeps_it_active_and_each_slo_is_separate() -> None:
    book = AlertBook()
    fast = AlertCheck("a", "page", 100.0, 10.0, 14.4, 20.0, 20.0)
    slow = AlertCheck("a", "page", 600.0, 50.0, 6.0, 7.0, 7.0)
    other = AlertCheck("b", "page", 100.0, 10.0, 14.4, 1.0, 1.0)
    assert [(t.slo, t.started) for t in book.update(0.0, [fast, slow, other])] == [("a", True)]
    calmer = AlertCheck("a", "page", 100.0, 10.0, 14.4, 20.0, 3.0)
    assert book.update(1.0, [calmer, slow, other]) == []  # the 6× alert still fires
    assert set(book.active) == {("a", "page")}


def test_the_end_of_a_soak_clears_what_still_fires() -> None:
    book = AlertBook()
    book.update(0.0, [check("a", 20.0, 20.0), check("b", 20.0, 20.0, "ticket")])
    cleared = book.clear_all(9.0)
    assert sorted((t.slo, t.severity, t.started) for t in cleared) == [
        ("a", "page", False),
        ("b", "ticket", False),
    ]
    assert book.active == {} and len(book.ever_fired("page")) == 1


@pytest.mark.parametrize(
    ("status", "findings", "expected"),
    [
        (Status.PASS, Findings(failures=("page fired",)), Status.FAIL),
        (Status.INCONCLUSIVE, Findings(failures=("leak",)), Status.FAIL),
        (Status.PASS, Findings(warnings=("drift",)), Status.WARN),
        (Status.INCONCLUSIVE, Findings(warnings=("drift",)), Status.INCONCLUSIVE),
        (Status.PASS, Findings(notes=("paging failed",)), Status.PASS),
    ],
)
def test_findings_fail_or_warn_a_run_and_notes_change_nothing(
    status: Status, findings: Findings, expected: Status
) -> None:
    before = Verdict(status, {Status.INCONCLUSIVE: 3}.get(status, 0), ("measured",))
    after = with_findings(before, findings)
    assert after.status is expected
    assert after.exit_code == {Status.FAIL: 1, Status.INCONCLUSIVE: 3}.get(expected, 0)
    assert set(after.reasons) == {
        "measured",
        *findings.failures,
        *findings.warnings,
        *findings.notes,
    }


def test_burn_rates_are_evaluated_twice_per_shortest_window_within_bounds() -> None:
    assert evaluation_interval(10.0, None) == 5.0
    assert evaluation_interval(600.0, None) == 30.0
    assert evaluation_interval(1.0, None) == 2.0
    assert evaluation_interval(10.0, "3s") == 3.0


@pytest.mark.parametrize(
    ("soak", "message"),
    [
        ("{represents: 0s}", r"soak\.represents: must be a duration > 0"),
        ("{min_window: 1s}", r"soak\.min_window: must be at least 4s"),
        ("{represent: 3d}", r"soak\.represent: unknown field"),
    ],
)
def test_a_policy_whose_soak_scaling_cannot_work_is_refused(
    tmp_path: Path, soak: str, message: str
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "name: p\nslo_window: 30d\nalerts:\n  - {severity: page, long: 1h, short: 5m, burn: 14.4}\n"
        f"soak: {soak}\n"
    )
    with pytest.raises(InputError, match=message):
        load_policy(path)


def test_a_soak_reports_its_plan_policy_and_interval_problems_in_one_round(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\nload:\n  locustfile: nowhere.py\n  users: zero\n")
    policy = tmp_path / "p.yaml"
    policy.write_text("name: p\nslo_window: 30d\n")  # no alerts

    with pytest.raises(InputError) as caught:
        plan_soak(SoakOptions(RunOptions(scenario=scenario), policy, evaluate_every="soon"), None)

    fields = sorted(problem.field for problem in caught.value.problems)
    assert fields == ["--evaluate-every", "alerts", "load.users", "locustfile"]
    assert main(["soak", str(scenario), "--policy", str(policy), "--evaluate-every", "0s"]) == 2
    assert "invalid input (4 problem(s))" in capsys.readouterr().err


@pytest.mark.parametrize("given", ["5", "0s", "2h", "soon"])
def test_an_evaluation_interval_out_of_range_is_invalid_input(given: str) -> None:
    with pytest.raises(InputError, match="--evaluate-every"):
        evaluation_interval(10.0, given)
