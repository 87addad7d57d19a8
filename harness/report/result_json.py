"""``result.json``: the machine-readable verdict (contract, ``"schema": 1``; see docs/result-json.md)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.model import CriterionResult, EndpointStats, RunResult, SLOEvaluation, Verdict
from harness.report.atomic import write_atomically

__all__ = ["SCHEMA_VERSION", "build_result", "write_result"]

SCHEMA_VERSION = 1
RESULT_FILE = "result.json"


def build_result(
    run: RunResult,
    scenario: str,
    evaluations: list[SLOEvaluation],
    verdict: Verdict,
    criteria: Sequence[CriterionResult] = (),
) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "verdict": verdict.status.value,
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
        "client": (
            {
                "total": _endpoint(run.client.total),
                "endpoints": [_endpoint(e) for e in run.client.endpoints],
            }
            if run.client
            else None
        ),
        "slos": [_slo(e) for e in evaluations],
        "criteria": [
            {
                "name": c.name,
                "observed": _finite(c.observed),
                "threshold": c.threshold,
                "status": {True: "pass", False: "fail", None: "no_data"}[c.passed],
            }
            for c in criteria
        ],
        "generator": {
            "cpu_max": run.generator.cpu_max,
            "dropped_iterations": run.generator.dropped_iterations,
            "exit_code": run.generator.exit_code,
            "problems": list(run.generator.problems),
        },
    }


def write_result(run_dir: Path, result: dict[str, Any]) -> Path:
    path = run_dir / RESULT_FILE
    write_atomically(path, json.dumps(result, indent=2, allow_nan=False) + "\n")
    return path


def _endpoint(stats: EndpointStats) -> dict[str, Any]:
    return asdict(stats)


def _slo(evaluation: SLOEvaluation) -> dict[str, Any]:
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
