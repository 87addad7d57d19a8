"""What each stage of a run hands the next (harness/stages/), and what the run records of it.

    run_load ─► LoadOutcome ─► measure ─► Measurements ─► judge ─► Judgement

The driver (harness/run.py) records each one in ``RunProgress`` as its stage returns, so a run
that ends early still reports every stage that finished.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.values.run_result import ClientStats, GeneratorHealth, LoadWindow
from harness.values.samples import PerWindow
from harness.values.traffic import TrafficCounts
from harness.values.verdict import (
    Comparisons,
    CriterionResult,
    Score,
    SLOEvaluation,
    StepResult,
    Verdict,
)

__all__ = ["Judgement", "LoadOutcome", "Measurements"]


@dataclass(frozen=True)
class LoadOutcome:
    """What the load generator measured, and whether its measurements can be trusted."""

    window: LoadWindow | None  # None when the load stopped before the warm-up ended
    client: ClientStats | None  # None when no Locust process wrote its results
    generator: GeneratorHealth
    baseline_client: ClientStats | None = None  # a duet's baseline side; ``client``: candidate
    # A closed-model duet's paired requests: endpoint → each window's ln(candidate/baseline)
    paired: dict[str, list[float | None]] | None = None
    traffic: TrafficCounts = field(
        default_factory=TrafficCounts
    )  # the run's side: sessions, visitors, checks


@dataclass(frozen=True)
class Measurements:
    """What Prometheus says about the load window, and the SLOs evaluated over it."""

    client: ClientStats | None  # the load's, with Prometheus's p99 beside each endpoint's
    evaluations: tuple[SLOEvaluation, ...]  # every SLO of the plan, no_data without a window
    samples: PerWindow  # each endpoint's metrics per 5 s window (what a baseline keeps)
    slo_samples: PerWindow  # each SLO's burn rate per 5 s window
    steps: tuple[StepResult, ...] = ()  # every SLO over each arrival-rate step (stress profiles)
    problems: tuple[str, ...] = ()  # why the measurements are partial (scrape gaps, a dead service)
    baseline_samples: PerWindow | None = None  # a duet's baseline side, window by window
    cache_hit_ratio: float | None = None  # the service's over the window; None: not exported


@dataclass(frozen=True)
class Judgement:
    """The gate's criteria and score, and the verdict they and the measurements lead to."""

    criteria: tuple[CriterionResult, ...]
    score: Score | None
    verdict: Verdict
    comparisons: Comparisons | None = (
        None  # against a baseline: what was not judged, what could be seen
    )
