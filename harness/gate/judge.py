"""Every gate criterion of a plan, judged, and the total score. Pure: measurements in.

absolute criteria (gate.max_burn_rate among them) + relative criteria (with a baseline)
    + the history's criteria (judged before, by gate/history.py) → score
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harness.gate.absolute import judge_absolute
from harness.gate.duet import judge_duet
from harness.gate.relative import judge_relative
from harness.gate.score import total_score
from harness.values.plan import Plan
from harness.values.run_result import ClientStats, LoadWindow
from harness.values.samples import PerWindowView
from harness.values.verdict import Comparisons, CriterionResult, Score, SLOEvaluation

__all__ = ["GateJudgement", "judge_gate"]


@dataclass(frozen=True)
class GateJudgement:
    criteria: list[CriterionResult]
    score: Score | None
    scored_slos: frozenset[str]  # SLOs judged by a slos_met criterion instead of as key
    comparisons: Comparisons | None = (
        None  # against a baseline: what was not judged, what could be seen
    )


def judge_gate(
    plan: Plan,
    evaluations: Sequence[SLOEvaluation],
    client: ClientStats | None,
    window: LoadWindow | None,
    samples: PerWindowView,
    duet_baseline: PerWindowView | None = None,
    paired: Mapping[str, Sequence[float | None]] | None = None,
    history: Sequence[CriterionResult] = (),
) -> GateJudgement:
    """``duet_baseline``: in a duet, the baseline side's windows (``samples`` are the candidate's).
    ``history``: the history's criteria (``gate/history.py``), scored and decided with the rest."""
    criteria = judge_absolute(plan.absolute_criteria, client, evaluations, window)
    comparisons = None
    if plan.baseline is not None:
        comparisons = judge_relative(
            plan.relative_criteria, plan.baseline.samples, samples, plan.baseline.name
        )
    elif plan.duet is not None:
        comparisons = judge_duet(plan.relative_criteria, duet_baseline or {}, samples, paired)
    if comparisons is not None:
        criteria += comparisons.criteria
    criteria += history
    scored_slos = frozenset(
        evaluation.name
        for evaluation in evaluations
        for criterion in plan.absolute_criteria
        if criterion.metric == "slos_met" and criterion.slo in (None, evaluation.name)
    )
    return GateJudgement(
        criteria, total_score(criteria, plan.score_thresholds), scored_slos, comparisons
    )
