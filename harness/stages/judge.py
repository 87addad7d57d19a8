"""The last stage: the gate's criteria and score over the measurements, then the verdict by its
precedence (harness/gate/verdict.py). Pure: no I/O, values in, values out."""

from __future__ import annotations

from harness.gate.judge import judge_gate
from harness.gate.verdict import decide
from harness.values.plan import Plan
from harness.values.stage_outputs import Judgement, LoadOutcome, Measurements

__all__ = ["judge"]


def judge(plan: Plan, load: LoadOutcome, measured: Measurements) -> Judgement:
    gate = judge_gate(
        plan,
        measured.evaluations,
        measured.client,
        load.window,
        measured.samples,
        measured.baseline_samples,
        load.paired,
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
    return Judgement(tuple(gate.criteria), gate.score, verdict, gate.comparisons)
