"""Gate criteria beyond "every SLO met". Pure: evaluations in, judged criteria out."""

from __future__ import annotations

from collections.abc import Sequence

from harness.model import CriterionResult, SLOEvaluation

__all__ = ["burn_rate_criteria"]


def burn_rate_criteria(
    evaluations: Sequence[SLOEvaluation], max_burn_rate: float | None
) -> list[CriterionResult]:
    """``burn rate ≤ bound`` for each SLO: a gate may be stricter than the SLO (e.g. ≤ 0.5×)."""
    if max_burn_rate is None:
        return []
    results = []
    for evaluation in evaluations:
        burn = evaluation.burn_rate
        results.append(
            CriterionResult(
                name=f"burn rate of {evaluation.name}",
                observed=burn,
                threshold=max_burn_rate,
                passed=None if burn is None else burn <= max_burn_rate,
                detail=(
                    f"SLO '{evaluation.name}' has no burn rate to bound (no data)"
                    if burn is None
                    else f"SLO '{evaluation.name}' burned its error budget at {burn:.2f}×, above the "
                    f"gate's bound of {max_burn_rate:g}×"
                    if burn > max_burn_rate
                    else ""
                ),
                key=True,  # gate.max_burn_rate is a hard bound, not points in a score
            )
        )
    return results
