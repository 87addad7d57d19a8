"""The gate's total score, Keptn-style. Pure.

Criteria that are not key earn points: a pass earns its weight, a warning half of it, a failure
nothing. The score is the share of the points they could earn, in percent; at or above the pass
threshold the run passes, at or above the warning threshold it warns, below it fails. Key
criteria are gates of their own (verdict.py), so they are not scored: one failing key criterion
fails the run whatever the score. Criteria with no data earn nothing and are not counted here —
they make the run inconclusive instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.values.criteria import ScoreThresholds
from harness.values.verdict import CriterionResult, Score

__all__ = ["total_score"]


def total_score(
    criteria: Sequence[CriterionResult], thresholds: ScoreThresholds | None = None
) -> Score | None:
    """The score of the non-key criteria that could be judged; ``None`` when there are none."""
    scored = [c for c in criteria if not c.key and c.passed is not None]
    possible = sum(c.weight for c in scored)
    if not scored or possible <= 0:
        return None
    earned = sum(_points(c) for c in scored)
    return Score(100.0 * earned / possible, earned, possible, thresholds or ScoreThresholds())


def _points(criterion: CriterionResult) -> float:
    if not criterion.passed:
        return 0.0
    return criterion.weight / 2 if criterion.warn else criterion.weight
