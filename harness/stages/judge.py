"""The last stage: the gate's criteria and score over the measurements, then the verdict by its
precedence (harness/gate/verdict.py), then what the history found (creep, what it could not judge
yet). Pure: no I/O, values in, values out (the history was read before: stages/history.py)."""

from __future__ import annotations

from harness.gate.history import HistoryJudgement
from harness.gate.judge import judge_gate
from harness.gate.verdict import decide, with_findings
from harness.values.plan import Plan
from harness.values.stage_outputs import Judgement, LoadOutcome, Measurements

__all__ = ["judge"]


def judge(
    plan: Plan,
    load: LoadOutcome,
    measured: Measurements,
    history: HistoryJudgement | None = None,
) -> Judgement:
    gate = judge_gate(
        plan,
        measured.evaluations,
        measured.client,
        load.window,
        measured.samples,
        measured.baseline_samples,
        load.paired,
        history.criteria if history else (),
    )
    verdict = decide(
        measured.evaluations,
        load.generator,
        load.window,
        measured.client,
        measured.problems,
        gate.criteria,
        gate.score,
        gate.scored_slos,
    )
    if history is not None:  # creep warns even when every criterion passed
        verdict = with_findings(verdict, history.findings)
    return Judgement(tuple(gate.criteria), gate.score, verdict, gate.comparisons)
