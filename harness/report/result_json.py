"""``result.json``: the machine-readable verdict (contract, ``"schema": 1``; see docs/result-json.md)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

from harness.gate.steps import breaking_point
from harness.result_file import SCHEMA_VERSION
from harness.values.result_doc import (
    ClientDoc,
    EndpointDoc,
    PercentilesDoc,
    ResultDoc,
    SLODoc,
    VerdictName,
)
from harness.values.run_result import (
    PERCENTILE_KEYS,
    ClientStats,
    EndpointStats,
    Percentiles,
    RunResult,
)
from harness.values.verdict import CriterionResult, Score, SLOEvaluation, StepResult, Verdict

__all__ = ["build_result", "client_doc"]


def build_result(
    run: RunResult,
    scenario: str,
    evaluations: list[SLOEvaluation],
    verdict: Verdict,
    criteria: Sequence[CriterionResult] = (),
    steps: Sequence[StepResult] = (),
    score: Score | None = None,
) -> ResultDoc:
    breaking = breaking_point(list(steps))
    return {
        "schema": SCHEMA_VERSION,
        # Verdict admits only the statuses of VERDICTS, the ones VerdictName spells.
        "verdict": cast(VerdictName, verdict.status.value),
        "exit_code": verdict.exit_code,
        "reasons": list(verdict.reasons),
        "run": {
            "id": run.run_id,
            "scenario": scenario,
            "target": run.target,
            "started_at": _iso(run.started_at),
            "load_window": (
                {
                    "start": _iso(run.window.start),
                    "end": _iso(run.window.end),
                    "seconds": round(run.window.seconds, 3),
                }
                if run.window
                else None
            ),
        },
        "client": client_doc(run.client) if run.client else None,
        "slos": [_slo(e) for e in evaluations],
        "criteria": [
            {
                "name": c.name,
                "observed": _finite(c.observed),
                "threshold": c.threshold,
                "status": c.status.value,
                "baseline": _finite(c.baseline),
                "effect_pct": _finite(c.effect_pct),
                "confidence_interval_pct": list(c.ci_pct) if c.ci_pct else None,
                "p_value": _finite(c.p_value),
                "weight": c.weight,
                "key": c.key,
                "detail": c.detail,
            }
            for c in criteria
        ],
        "score": (
            {
                "value": round(score.value_pct, 2),
                "earned": score.earned,
                "possible": score.possible,
                "pass": score.thresholds.pass_pct,
                "warning": score.thresholds.warning_pct,
                "status": score.status.value,
            }
            if score
            else None
        ),
        "steps": [
            {
                "index": step.index,
                "arrival_rate": step.arrival_rate,
                "start": _iso(step.window.start),
                "end": _iso(step.window.end),
                "slos": [_slo(e) for e in step.evaluations],
            }
            for step in steps
        ],
        "breaking_point": (
            {
                "arrival_rate": breaking.arrival_rate,
                "step": breaking.index,
                "breached": breaking.breached,
            }
            if breaking
            else None
        ),
        "generator": {
            "cpu_max": run.generator.cpu_max,
            "dropped_iterations": run.generator.dropped_iterations,
            "target_arrival_rate": run.generator.target_arrival_rate,
            "achieved_arrival_rate": run.generator.achieved_arrival_rate,
            "exit_code": run.generator.exit_code,
            "processes": [
                {"process": p.process, "cpu_max": p.cpu_max} for p in run.generator.processes
            ],
            "iterations": run.generator.iterations,
            "user_errors": run.generator.user_errors,
            "problems": list(run.generator.problems),
            "warnings": list(run.generator.warnings),
        },
    }


def client_doc(client: ClientStats) -> ClientDoc:
    return {
        "total": _endpoint(client.total),
        "endpoints": [_endpoint(e) for e in client.endpoints],
    }


def _endpoint(stats: EndpointStats) -> EndpointDoc:
    # The casts: mypy cannot follow a loop over PERCENTILE_KEYS, the fields that EndpointStats,
    # Percentiles and the documents share (tests/unit/test_percentile_keys.py holds them so).
    document = cast(
        EndpointDoc,
        {
            "name": stats.name,
            "method": stats.method,
            "requests": stats.requests,
            "failures": stats.failures,
            **_percentiles(stats),
            "prometheus_p99_ms": stats.prometheus_p99_ms,
        },
    )
    if stats.uncorrected is not None:  # in the closed model it equals the above
        document["uncorrected"] = cast(PercentilesDoc, _percentiles(stats.uncorrected))
    return document


def _percentiles(values: EndpointStats | Percentiles) -> dict[str, float | None]:
    return {key: getattr(values, key) for key in PERCENTILE_KEYS}


def _slo(evaluation: SLOEvaluation) -> SLODoc:
    return {
        "name": evaluation.name,
        "status": evaluation.status.value,
        "sli": _finite(evaluation.sli),
        "objective": evaluation.objective,
        "events": _finite(evaluation.events),
        "burn_rate": _finite(evaluation.burn_rate),
        "budget_consumed": _finite(evaluation.budget_consumed),
        "detail": evaluation.detail,
    }


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _iso(timestamp: float) -> str:
    return (
        datetime.fromtimestamp(timestamp, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
