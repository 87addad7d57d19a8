"""Which of a baseline comparison's criteria can be judged, and at what confidence. Pure.

Shared by both ways of comparing with a baseline — beside the run (``duet.py``) or saved
(``relative.py``) — so that a red gate means the same in both:

* **A percentile is judged only where its windows hold enough requests**: a p99 of 120 requests
  is their largest value or so — noise, not a measurement. A pXX needs at least 10 requests above
  it in each window, 10 / (1 − q): 20 for p50, 200 for p95, 1,000 for p99. Thinner criteria are
  not judged, and the run says so instead of judging noise.
* **The run's false-alarm rate is controlled, not each comparison's** (Bonferroni, weighted):
  each criterion that has something to judge gets an equal share of α = 5 %, and a criterion
  judged on several endpoints splits its share among them. So an unchanged service fails any
  comparison with at most α over the whole run, however many endpoints the scenario has — and a
  criterion on all requests together is not drowned by one repeated on each endpoint: with a
  duet's defaults, all requests' p50 is judged at 1 − α/2, each of 4 endpoints' at 1 − α/8
  (equal shares per comparison, α/5 each, let a 20 % slower service only warn in 1 of 13
  calibration runs: docs/performance.md).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harness.values.criteria import ALL_ENDPOINTS, EACH_ENDPOINT, RelativeCriterion
from harness.values.run_result import PERCENTILE_RANKS, percentile_label
from harness.values.samples import WINDOW_S, PerWindowView, is_number

__all__ = ["RUN_ALPHA", "Planned", "label", "plan_comparisons", "requests_needed"]

RUN_ALPHA = 0.05


@dataclass(frozen=True)
class Planned:
    # (criterion, endpoint, the confidence of its interval) to compare: together they keep the
    # run's false-alarm rate within RUN_ALPHA
    judged: tuple[tuple[RelativeCriterion, str, float], ...]
    unjudged: tuple[str, ...]  # "p99 of GET /v1/home: why not"

    @property
    def confidence(self) -> float:
        """The strictest comparison's confidence (1.0 with none), as result.json reports it."""
        return max((confidence for *_, confidence in self.judged), default=1.0)


def requests_needed(metric: str) -> int:
    """Requests a window must hold for ``metric`` to be judged (0: any)."""
    rank = PERCENTILE_RANKS.get(metric)  # type: ignore[call-overload]
    return 0 if rank is None else round(10 / (1 - rank / 100))


def plan_comparisons(
    criteria: tuple[RelativeCriterion, ...],
    baseline: PerWindowView,
    current: PerWindowView,
    sides: tuple[str, str] = ("baseline", "candidate"),
    alpha: float = RUN_ALPHA,
) -> Planned:
    """Every (criterion, endpoint) to compare, with its interval's confidence; ``sides`` name the
    two in the reasons; ``alpha``: the false-alarm rate they share (a calibration's re-judging
    splits it)."""
    by_criterion: list[tuple[RelativeCriterion, list[str]]] = []
    unjudged: list[str] = []
    for criterion in criteria:
        endpoints: list[str] = []
        for endpoint in _endpoints(criterion.endpoint, baseline, current):
            reason = _why_not(criterion.metric, endpoint, baseline, current, sides)
            if reason:
                unjudged.append(f"{label(criterion.metric)} of {endpoint}: {reason}")
            else:
                endpoints.append(endpoint)
        if endpoints:
            by_criterion.append((criterion, endpoints))
    judged = tuple(
        (criterion, endpoint, 1.0 - alpha / len(by_criterion) / len(endpoints))
        for criterion, endpoints in by_criterion
        for endpoint in endpoints
    )
    return Planned(judged, tuple(unjudged))


def _endpoints(chosen: str | None, baseline: PerWindowView, current: PerWindowView) -> list[str]:
    """A criterion's endpoints: one named; ``each`` endpoint but not ``all``; None: every key both
    sides' samples hold (a duet's include ``all``, every request together)."""
    every = sorted(set(baseline) | set(current))
    if chosen == EACH_ENDPOINT:
        return [e for e in every if e != ALL_ENDPOINTS]
    return [chosen] if chosen else every


def label(metric: str) -> str:
    if metric in PERCENTILE_RANKS:
        return percentile_label(metric)
    return metric.replace("_", " ")


def _why_not(
    metric: str,
    endpoint: str,
    baseline: PerWindowView,
    current: PerWindowView,
    sides: tuple[str, str],
) -> str:
    if endpoint not in current or endpoint not in baseline:
        side = sides[0] if endpoint not in baseline else sides[1]
        return f"not measured on the {side} side"
    needed = requests_needed(metric)
    if not needed:
        return ""
    per_window = min(_median_requests(baseline[endpoint]), _median_requests(current[endpoint]))
    if per_window < needed:
        return (
            f"its windows hold about {per_window:.0f} requests; a {label(metric)} needs ≥ {needed} "
            f"per {WINDOW_S:g} s window to be more than noise (more users or a higher arrival "
            "rate would make it judgeable)"
        )
    return ""


def _median_requests(metrics: Mapping[str, Sequence[float | None]]) -> float:
    throughput = metrics.get("throughput", [])
    counts = [float(v) * WINDOW_S for v in throughput if v is not None and is_number(v)]
    return statistics.median(counts) if counts else 0.0
