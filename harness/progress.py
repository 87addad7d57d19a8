"""What a run knows so far, and the result document built from it at any moment.

The driver (harness/run.py) records each stage's output here as the stage returns; whatever ends
the run (a verdict, an exception, Ctrl-C), ``result`` turns what is there into result.json —
partial results are results too.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.baseline_file import fingerprint
from harness.monitor import RunMonitor
from harness.report.result_json import build_result, client_doc
from harness.values.plan import Plan
from harness.values.result_doc import (
    DetectableDoc,
    DuetDoc,
    ProvenanceDoc,
    ResultDoc,
    TrafficDoc,
)
from harness.values.run_result import GeneratorHealth, LoadWindow, RunResult
from harness.values.samples import PerWindow
from harness.values.stage_outputs import Judgement, LoadOutcome, Measurements
from harness.values.traffic import TrafficCounts
from harness.values.verdict import Verdict

__all__ = ["RunProgress"]

# What result.json says of a generator that never ran.
NOT_STARTED = LoadOutcome(None, None, GeneratorHealth(0.0, 0, None))


@dataclass
class RunProgress:
    """The run's identity, then one field per stage, set once, when that stage has returned."""

    run_id: str
    started_at: float
    target: str  # the plan's name for it until the stack has started, then the URL load goes to
    load: LoadOutcome | None = None
    measurements: Measurements | None = None
    judgement: Judgement | None = None
    baseline_target: str | None = None  # a duet's baseline URL, once its stack has started
    provenance: ProvenanceDoc | None = None  # the code under test, found as the run starts

    @property
    def run(self) -> RunResult:
        load = self.load or NOT_STARTED
        # Measuring puts Prometheus's p99 beside the client's own numbers.
        client = self.measurements.client if self.measurements else load.client
        return RunResult(
            self.run_id, self.started_at, self.target, load.window, client, load.generator
        )

    @property
    def window(self) -> LoadWindow | None:
        return self.load.window if self.load else None

    @property
    def samples(self) -> PerWindow:
        return self.measurements.samples if self.measurements else {}

    def result(self, plan: Plan, verdict: Verdict, monitor: RunMonitor | None = None) -> ResultDoc:
        measured, judged = self.measurements, self.judgement
        scenario = str(plan.scenario_path) if plan.scenario_path else plan.name
        result = build_result(
            self.run,
            scenario,
            list(measured.evaluations) if measured else [],
            verdict,
            judged.criteria if judged else (),
            measured.steps if measured else (),
            judged.score if judged else None,
        )
        # What a later run needs to compare against this one (loadgate baseline save), and the
        # series the HTML report charts.
        result["samples"] = self.samples
        result["slo_samples"] = measured.slo_samples if measured else {}
        if plan.baseline is not None:
            seen = self._seen()
            result["baseline"] = {
                "name": plan.baseline.name,
                "samples": plan.baseline.samples,
                "confidence": seen[0],
                "unjudged": seen[1],
                "detectable": seen[2],
            }
        result["mode"] = "duet" if plan.duet else "baseline" if plan.baseline else "single"
        if plan.duet is not None:
            result["duet"] = self._duet(plan)
        result["fingerprint"] = fingerprint(plan)
        result["traffic"] = self._traffic(plan)
        if self.provenance is not None:
            result["provenance"] = self.provenance
        if monitor is not None:
            result[monitor.name] = monitor.report()
        return result

    def _duet(self, plan: Plan) -> DuetDoc:
        duet = plan.duet
        assert duet is not None
        load, measured = self.load, self.measurements
        checkout = duet.baseline_checkout
        baseline = load.baseline_client if load else None
        confidence, unjudged, detectable = self._seen()
        paired: PerWindow = {
            endpoint: {"log_ratio": list(values)}
            for endpoint, values in ((load.paired or {}) if load else {}).items()
        }
        return {
            "paired": paired,
            "baseline_target": self.baseline_target or duet.baseline_url or "",
            "baseline_checkout": str(checkout) if checkout else None,
            "seed": duet.seed,
            "client": client_doc(baseline) if baseline else None,
            "samples": (measured.baseline_samples or {}) if measured else {},
            "confidence": confidence,
            "unjudged": unjudged,
            "detectable": detectable,
        }

    def _traffic(self, plan: Plan) -> TrafficDoc:
        traffic = self.load.traffic if self.load else TrafficCounts()
        ratio = self.measurements.cache_hit_ratio if self.measurements else None
        return {
            "seed": plan.load.seed,
            "seed_given": plan.load.seed_given,
            "sessions": traffic.sessions,
            "distinct_visitors": traffic.distinct_visitors,
            "visitors_capped": traffic.visitors_capped,
            "checks": [
                {"name": c.name, "check": c.check, "passed": c.passed, "failed": c.failed}
                for c in traffic.checks
            ],
            "cache_hit_ratio": None if ratio is None else round(ratio, 4),
        }

    def _seen(self) -> tuple[float | None, list[str], list[DetectableDoc]]:
        """What a comparison with a baseline did not judge, and what it could have detected."""
        judged = self.judgement.comparisons if self.judgement else None
        if judged is None:
            return None, [], []
        detectable: list[DetectableDoc] = [
            {"criterion": name, "shift_pct": round(shift, 2)} for name, shift in judged.detectable
        ]
        return judged.confidence, list(judged.unjudged), detectable
