"""The gate's criterion from the run history (``--history``; ``gate.history``). Pure: the earlier
runs, this run and the detector in, criteria and findings out.

A per-run tolerance lets a regression through 3 % at a time. Here each series this run measured
(``gate.history.metrics``: p50 and p99 of every endpoint and of all requests by default) is put
after the earlier runs of the same scenario and traffic on the branch compared with (``main``
by default), and the detector looks for lasting shifts:

- a change point this run **reveals** — found with this run, not without it — whose first run
  is one of the newest runs (``newest``: 10, this run included) and that is a regression beyond
  ``tolerance_pct`` (its estimate, which the detector has found significant) fails the criterion:
  a key criterion by default, so the run fails. The detector needs runs on both sides of a step
  before it calls it one (its detection delay, docs/gate.md), so a step is seen some runs after
  it landed, never at the run that brought it; judging what each run reveals fails the gate
  once, at the first run that shows the step, however long the detector took. Once known, the
  change point is history: ``history show`` keeps showing it, later runs pass it;
- creep — a rise beyond the tolerance over the newest runs in steps each within it — warns
  (``creep: note`` makes it a note), even when every criterion passed, for as long as it lasts;
- a series with fewer runs than the detector needs is not judged, and says so in a note: the
  first runs of a new project (or traffic) are neither passed silently nor inconclusive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.history.detection import HistoryDetector
from harness.history.sentences import change_point_line, higher_is_worse
from harness.history.series import worse_pct
from harness.history.trends import DUET, judged, same_traffic
from harness.values.criteria import HistoryGate
from harness.values.history import ChangePoint, HistoryRun, SeriesKey
from harness.values.verdict import CriterionResult, Findings

__all__ = ["HistoryJudgement", "judge_history", "unreadable_history"]

LISTED = 3  # series named in a "not judged yet" note; beyond it, counted


@dataclass(frozen=True)
class HistoryJudgement:
    criteria: tuple[CriterionResult, ...]  # one per series judged, beside the gate's own
    findings: Findings  # creep (warnings or notes) and what was not judged yet (notes)


def judge_history(
    this_run: HistoryRun,
    earlier: Sequence[HistoryRun],
    gate: HistoryGate,
    detector: HistoryDetector,
) -> HistoryJudgement:
    """``earlier``: the history's runs (any; those of another scenario, traffic or branch, a
    duet's beside a run that is not one and the other way round, the inconclusive ones and this
    run itself are left out here)."""
    comparable = sorted(
        (
            run
            for run in judged(earlier)
            if same_traffic(run, this_run)
            and run.run_id != this_run.run_id
            and (gate.branch is None or run.branch == gate.branch)
        ),
        key=lambda run: run.started_at,
    )
    keys = sorted(key for key in this_run.values if key.metric in gate.metrics)
    if not keys:
        wanted = ", ".join(gate.metrics)
        return HistoryJudgement(
            (), Findings(notes=(f"history not judged: this run measured none of {wanted}",))
        )
    criteria: list[CriterionResult] = []
    creeps: list[str] = []
    too_few: dict[int, list[SeriesKey]] = {}
    for key in keys:
        runs = [*(run for run in comparable if key in run.values), this_run]
        if len(runs) < detector.min_runs:
            too_few.setdefault(len(runs) - 1, []).append(key)
            continue
        revealed = _revealed(detector, key, runs)
        newest = [p for p in revealed if p.index >= len(runs) - gate.newest]
        criteria.append(_criterion(key, this_run.values[key], newest, gate))
        if creep := detector.creep(key, runs, gate.tolerance_pct):
            creeps.append(creep.sentence(gate.branch))
    notes = [
        _not_judged(short, count, this_run, gate, detector) for count, short in too_few.items()
    ]
    findings = (
        Findings(warnings=tuple(creeps), notes=tuple(notes))
        if gate.creep_warns
        else Findings(notes=(*creeps, *notes))
    )
    return HistoryJudgement(tuple(criteria), findings)


def unreadable_history(why: str, gate: HistoryGate) -> HistoryJudgement:
    """The history could not be read: its criterion has no data, so the run is inconclusive
    (fail closed), whatever else passed."""
    name = f"history{_on(gate)}"
    result = CriterionResult(
        name,
        None,
        gate.tolerance_pct,
        None,
        f"history not read: {why}",
        weight=gate.weight,
        key=gate.key,
    )
    return HistoryJudgement((result,), Findings())


def _criterion(
    key: SeriesKey, observed: float, newest: list[ChangePoint], gate: HistoryGate
) -> CriterionResult:
    name = f"{key.label()} vs history{_on(gate)}"
    sign = "+" if higher_is_worse(key.metric) else "-"
    if not newest:
        return CriterionResult(
            name, observed, gate.tolerance_pct, True, weight=gate.weight, key=gate.key
        )
    worst = max(newest, key=_adverse_pct)
    failed = _adverse_pct(worst) > gate.tolerance_pct
    detail = (
        f"history: {change_point_line(worst)} — a change point this run reveals among the newest "
        f"{gate.newest} runs{_on(gate)}; tolerance {sign}{gate.tolerance_pct:g} %"
    )
    return CriterionResult(
        name=name,
        observed=observed,
        threshold=gate.tolerance_pct,
        passed=not failed,
        detail=detail,
        baseline=worst.before,
        effect_pct=worst.change_pct,
        ci_pct=worst.interval_pct,
        p_value=1.0 - worst.confidence,
        weight=gate.weight,
        key=gate.key,
    )


def _revealed(
    detector: HistoryDetector, key: SeriesKey, runs: list[HistoryRun]
) -> list[ChangePoint]:
    """The change points found with the newest run that were not found without it. The same step
    found both ways may move by a run as the segments are re-estimated: still not new."""
    before = detector.change_points(key, runs[:-1])
    return [
        point
        for point in detector.change_points(key, runs)
        if not any(abs(point.index - known.index) <= 1 for known in before)
    ]


def _adverse_pct(point: ChangePoint) -> float:
    """How far the change goes the wrong way, % (an improvement is negative)."""
    return worse_pct(point.key.metric, point.change_pct)


def _not_judged(
    keys: list[SeriesKey],
    earlier: int,
    this_run: HistoryRun,
    gate: HistoryGate,
    detector: HistoryDetector,
) -> str:
    what = (
        ", ".join(key.label() for key in keys)
        if len(keys) <= LISTED
        else f"{len(keys)} series ({', '.join(sorted({k.metric for k in keys}))})"
    )
    return (
        f"history not judged yet for {what}: {earlier} earlier run{'s' if earlier != 1 else ''} "
        f"of {this_run.scenario} with this traffic{' in a duet' if this_run.mode == DUET else ''}"
        f"{_on(gate)}, the detector needs ≥ {detector.min_runs - 1}"
    )


def _on(gate: HistoryGate) -> str:
    return f" on {gate.branch}" if gate.branch else ""
