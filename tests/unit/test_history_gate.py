"""The gate's criterion from the run history: the run that reveals a step beyond the tolerance
fails, once (not before the detector sees it, not after), creep warns even when every criterion
passed, too few runs is a note (never a silent pass, never an inconclusive first run), an
unreadable history is inconclusive. Runs and the detector are built by hand
(tests/history_runs.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from harness.gate.history import HistoryJudgement, judge_history, unreadable_history
from harness.stages.judge import judge
from harness.values.criteria import HistoryGate
from harness.values.history import SeriesKey
from harness.values.plan import LoadProfile, Plan
from harness.values.stage_outputs import LoadOutcome, Measurements
from harness.values.status import Status
from harness.values.verdict import SLOStatus, Verdict
from tests.history_runs import AFTER, HOME, MIN_RUNS, P50, P99, Recorder, runs, stand_in_detector
from tests.unit.test_verdict import CLIENT, HEALTHY, WINDOW, slo

GATE = HistoryGate()  # tolerance 10 %, key, p50 and p99, main, the newest 10


def judged(
    levels: list[float], gate: HistoryGate = GATE, after: int = AFTER, **made: object
) -> HistoryJudgement:
    """The last level is this run; the others its earlier runs on main."""
    history = runs(levels, **made)
    return judge_history(history[-1], history[:-1], gate, stand_in_detector(after=after))


def verdict_of(history: HistoryJudgement | None, tmp_path: Path) -> Verdict:
    """The judge stage's verdict for a run whose SLOs are all met, with this history judgement."""
    plan = Plan(
        name="ci", scenario_path=None, locustfile=tmp_path / "l.py", slo_files=(), slos=(),
        load=LoadProfile(20, 20.0, 45.0, 10.0), out_dir=tmp_path,
    )  # fmt: skip
    measured = Measurements(CLIENT, (slo(SLOStatus.MET),), {}, {})
    return judge(plan, LoadOutcome(WINDOW, CLIENT, HEALTHY), measured, history).verdict


def test_the_run_that_reveals_a_step_beyond_the_tolerance_fails_naming_its_first_run(
    tmp_path: Path,
) -> None:
    # The detector sees a step once AFTER runs stand at the new level: the third one reveals it.
    history = judged([100.0] * 12 + [115.0] * AFTER)
    first = runs([115.0], first=12)[0]

    [criterion] = history.criteria
    assert criterion.name == f"p99_ms of {HOME} vs history on main"
    assert (criterion.passed, criterion.key, criterion.observed) == (False, True, 115.0)
    assert criterion.effect_pct is not None and round(criterion.effect_pct, 1) == 15.0
    assert criterion.baseline == 100.0 and criterion.ci_pct == pytest.approx((11.0, 19.0))
    assert f"from run {first.run_id} (commit {first.commit[:12]}) on" in criterion.detail
    assert "a change point this run reveals among the newest 10 runs on main; tolerance +10 %" in criterion.detail  # fmt: skip
    verdict = verdict_of(history, tmp_path)
    assert (verdict.status, verdict.exit_code) == (Status.FAIL, 1)
    assert verdict.reasons == (criterion.detail,)


def test_a_step_fails_once_when_revealed_not_before_and_not_after() -> None:
    assert judged([100.0] * 12 + [115.0]).criteria[0].passed is True  # not seen yet
    assert judged([100.0] * 12 + [115.0] * AFTER).criteria[0].passed is False
    known = judged([100.0] * 12 + [115.0] * (AFTER + 1)).criteria[0]
    assert (known.passed, known.detail) == (True, "")  # known since the run before: history


def test_however_long_the_detector_takes_the_run_that_reveals_the_step_fails() -> None:
    slow = [100.0] * 12 + [115.0] * 6  # a detector that needs 6 runs after a step
    assert judged(slow, after=6).criteria[0].passed is False
    # … unless the step's first run is older than the newest runs the gate looks at.
    assert judged(slow, replace(GATE, newest=5), after=6).criteria[0].passed is True


def test_a_step_within_the_tolerance_or_an_improvement_passes() -> None:
    [within] = judged([100.0] * 12 + [108.0] * AFTER).criteria
    assert within.passed is True and within.effect_pct == pytest.approx(8.0)
    [faster] = judged([100.0] * 12 + [70.0] * AFTER).criteria
    assert faster.passed is True and "-30.0 %" in faster.detail
    [flat] = judged([100.0] * 13).criteria
    assert (flat.passed, flat.detail, flat.effect_pct) == (True, "", None)


def test_throughput_regresses_downwards() -> None:
    key = SeriesKey(HOME, "throughput")
    gate = replace(GATE, metrics=("throughput",))
    [fell] = judged([100.0] * 12 + [85.0] * AFTER, gate, keys=(key,)).criteria
    [rose] = judged([100.0] * 12 + [115.0] * AFTER, gate, keys=(key,)).criteria
    assert (fell.passed, rose.passed) == (False, True)
    assert "tolerance -10 %" in fell.detail


def test_only_the_metrics_asked_for_are_judged_and_each_endpoint_on_its_own() -> None:
    both = judged([100.0] * 13, keys=(P50, P99))
    assert [c.name.split(" vs ")[0] for c in both.criteria] == [P50.label(), P99.label()]
    only_p99 = judged([100.0] * 13, replace(GATE, metrics=("p99_ms",)), keys=(P50, P99))
    assert [c.name.split(" vs ")[0] for c in only_p99.criteria] == [P99.label()]
    none = judged([100.0] * 13, replace(GATE, metrics=("error_ratio",)), keys=(P50, P99))
    assert none.criteria == () and none.findings.notes == (
        "history not judged: this run measured none of error_ratio",
    )


def test_too_few_earlier_runs_is_a_note_and_the_run_keeps_its_own_verdict(tmp_path: Path) -> None:
    history = judged([100.0] * 4 + [150.0], keys=(P50, P99))

    assert history.criteria == ()
    assert history.findings.notes == (
        f"history not judged yet for {P50.label()}, {P99.label()}: 4 earlier runs of ci with "
        f"this traffic on main, the detector needs ≥ {MIN_RUNS - 1}",
    )
    verdict = verdict_of(history, tmp_path)
    assert verdict.status is Status.PASS and verdict.reasons[-1] == history.findings.notes[0]


def test_the_first_run_of_a_new_project_is_judged_by_the_rest_of_the_gate(tmp_path: Path) -> None:
    history = judged([100.0])
    assert history.criteria == () and "0 earlier runs" in history.findings.notes[0]
    assert verdict_of(history, tmp_path).status is Status.PASS


def test_runs_of_another_traffic_branch_scenario_or_mode_and_inconclusive_ones_are_left_out() -> (
    None
):
    this_traffic = runs([100.0] * 8, verdicts=["pass"] * 6 + ["inconclusive", "warn"])
    other = [
        *runs([200.0] * 3, fingerprint="another-traffic", first=20),
        *runs([200.0] * 3, branch="feature", first=30),
        *runs([200.0] * 3, scenario="smoke", first=40),
        *runs([200.0] * 3, mode="duet", first=45),  # the candidate's side: half the users
    ]
    this_run = runs([100.0], first=50)[0]
    recorder = Recorder()

    judge_history(this_run, [*other, *this_traffic, this_run], GATE, recorder.detector())

    # Looked at without this run, then with it (what it reveals).
    [(key, without), (same_key, given)] = recorder.seen
    expected = [r.run_id for r in this_traffic if r.verdict != "inconclusive"] + [this_run.run_id]
    assert key == same_key == P99 and given == expected  # oldest first, this run last, once
    assert without == expected[:-1]


def test_every_branch_when_the_gate_names_none() -> None:
    mixed = runs([100.0] * 4) + runs([100.0] * 4, branch="feature", first=4)
    this_run = runs([100.0], first=9, branch="feature")[0]
    recorder = Recorder()
    judge_history(this_run, mixed, replace(GATE, branch=None), recorder.detector())
    assert len(recorder.seen[-1][1]) == 9


def test_creep_warns_even_when_every_criterion_passed(tmp_path: Path) -> None:
    levels = [100.0] * 10 + [100.0 * 1.04**i for i in range(1, 9)]  # eight +4 % steps
    history = judged(levels)

    assert history.criteria[0].passed is True  # the step it reveals is within the tolerance
    [sentence] = history.findings.warnings
    assert sentence.startswith(f"p99_ms of {HOME} rose 37 %") and sentence.endswith(" on main, in 6 steps")  # fmt: skip
    verdict = verdict_of(history, tmp_path)
    assert (verdict.status, verdict.exit_code) == (Status.WARN, 0)
    assert verdict.reasons[0] == sentence

    as_note = judged(levels, replace(GATE, creep_warns=False))
    assert as_note.findings.warnings == () and as_note.findings.notes == (sentence,)
    assert verdict_of(as_note, tmp_path).status is Status.PASS


def test_a_criterion_that_is_not_key_is_scored_with_its_weight(tmp_path: Path) -> None:
    gate = replace(GATE, key=False, weight=3.0)
    history = judged([100.0] * 12 + [115.0] * AFTER, gate)
    [criterion] = history.criteria
    assert (criterion.key, criterion.weight, criterion.passed) == (False, 3.0, False)
    verdict = verdict_of(history, tmp_path)  # its only scored criterion failed: score 0 %
    assert verdict.status is Status.FAIL and "score 0%" in verdict.reasons[0]


def test_a_history_that_cannot_be_read_makes_the_run_inconclusive(tmp_path: Path) -> None:
    history = unreadable_history("postgresql://loadgate:***@db/history: server closed", GATE)
    [criterion] = history.criteria
    assert criterion.passed is None and criterion.name == "history on main"
    verdict = verdict_of(history, tmp_path)
    assert (verdict.status, verdict.exit_code) == (Status.INCONCLUSIVE, 3)
    assert "history not read: postgresql://loadgate:***@db/history" in verdict.reasons[0]


def test_without_a_history_the_verdict_is_the_gate_s_own(tmp_path: Path) -> None:
    assert verdict_of(None, tmp_path).status is Status.PASS
