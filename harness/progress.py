"""What a run knows so far, and the result document built from it at any moment.

The pipeline fills it in stage by stage; whatever ends the run (a verdict, an exception, Ctrl-C),
``result`` turns what is there into result.json — partial results are results too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.baseline_file import fingerprint
from harness.monitor import RunMonitor
from harness.report.result_json import build_result
from harness.values.plan import Plan
from harness.values.result_doc import ResultDoc
from harness.values.run_result import RunResult
from harness.values.samples import PerWindow
from harness.values.verdict import CriterionResult, Score, SLOEvaluation, StepResult, Verdict

__all__ = ["RunProgress"]


@dataclass
class RunProgress:
    run: RunResult
    evaluations: list[SLOEvaluation]
    criteria: list[CriterionResult] = field(default_factory=list)
    steps: list[StepResult] = field(default_factory=list)
    samples: PerWindow = field(default_factory=dict)
    slo_samples: PerWindow = field(default_factory=dict)
    score: Score | None = None

    def result(self, plan: Plan, verdict: Verdict, monitor: RunMonitor | None = None) -> ResultDoc:
        scenario = str(plan.scenario_path) if plan.scenario_path else plan.name
        result = build_result(
            self.run,
            scenario,
            self.evaluations,
            verdict,
            self.criteria,
            self.steps,
            self.score,
        )
        # What a later run needs to compare against this one (loadgate baseline save), and the
        # series the HTML report charts.
        result["samples"] = self.samples
        result["slo_samples"] = self.slo_samples
        if plan.baseline is not None:
            result["baseline"] = {"name": plan.baseline.name, "samples": plan.baseline.samples}
        result["fingerprint"] = fingerprint(plan)
        if monitor is not None:
            result[monitor.name] = monitor.report()
        return result
