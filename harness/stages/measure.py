"""What Prometheus says about the load window: the client's p99 from its histogram, per-window
samples and burn series, each SLO over exactly the window (and over each step of a stress
profile), and what makes the measurements partial.
"""

from __future__ import annotations

from dataclasses import replace

from harness.errors import InputError
from harness.gate.steps import step_windows
from harness.load.quantiles import with_prometheus_p99
from harness.load.window_samples import window_samples
from harness.prometheus_api import PrometheusAPI
from harness.slo.burn import burn_series
from harness.slo.cache_ratio import cache_hit_ratio
from harness.slo.evaluate import evaluate_slo, no_data
from harness.slo.measure import check_bucket_boundaries, measure_slo
from harness.slo.sides import candidate_slos
from harness.stack.prometheus import scrape_gaps, scraped_before_window
from harness.stages import Say
from harness.stages.start_stack import Stack, service_must_be_up
from harness.values.client_metrics import BASELINE_SIDE, CANDIDATE_SIDE
from harness.values.plan import Plan
from harness.values.run_result import LoadWindow
from harness.values.samples import PerWindow
from harness.values.slo import SLO
from harness.values.stage_outputs import LoadOutcome, Measurements
from harness.values.verdict import StepResult

# Before the window: its warm-up, Locust's start and the stack's, which took seconds, not a minute.
LOOKBACK_MARGIN_S = 60.0

__all__ = ["measure"]


def measure(
    plan: Plan, stack: Stack, load: LoadOutcome, say: Say
) -> tuple[Measurements, InputError | None]:
    """The measurements, and the SLO files' mistakes they revealed (a query that returned several
    series: exit 2) — returned, not raised, so that what was measured is recorded first."""
    say("evaluating SLOs over the load window…")
    if load.window is None:
        evaluations = tuple(no_data(slo, "there is no measured window") for slo in plan.slos)
        return Measurements(load.client, evaluations, {}, {}, problems=_service_exit(stack)), None
    api, window = stack.api, load.window
    # A duet's SLOs are the candidate's: its client queries count the candidate side only.
    slos = candidate_slos(plan.slos) if plan.duet else plan.slos
    check_bucket_boundaries(api, slos, at=window.end)
    client = load.client
    samples: PerWindow = {}
    side = CANDIDATE_SIDE if plan.duet else None
    if client is not None:
        client = with_prometheus_p99(api, client, window)
        samples = window_samples(api, client, window, side)
    baseline_samples = (
        window_samples(api, load.baseline_client, window, BASELINE_SIDE)
        if plan.duet and load.baseline_client is not None
        else None
    )
    slo_samples = burn_series(api, slos, window)
    measured = [measure_slo(api, slo, window) for slo in slos]
    evaluations = tuple(
        evaluate_slo(slo, m, plan.min_events) for slo, m in zip(slos, measured, strict=True)
    )
    measurements = Measurements(
        client,
        evaluations,
        samples,
        slo_samples,
        baseline_samples=baseline_samples,
        cache_hit_ratio=cache_hit_ratio(api, window),
    )
    if invalid := [m.invalid for m in measured if m.invalid is not None]:
        return measurements, InputError(invalid)
    partial = (
        *scrape_gaps(api, window),
        *_scraped_late(plan, stack, window),
        *_service_exit(stack),
    )
    return replace(measurements, steps=_steps(api, plan, slos, window), problems=partial), None


def _scraped_late(plan: Plan, stack: Stack, window: LoadWindow) -> list[str]:
    """A first scrape awaited during the warm-up must have come before the window opened."""
    if stack.external_prometheus:
        return []
    return scraped_before_window(
        stack.api,
        window,
        require_service_up=service_must_be_up(plan, stack),
        lookback_s=plan.load.warmup_s + LOOKBACK_MARGIN_S,
    )


def _service_exit(stack: Stack) -> tuple[str, ...]:
    if stack.service is None or (code := stack.service.exited()) is None:
        return ()
    return (f"the reference service exited during the run (exit code {code})",)


def _steps(
    api: PrometheusAPI, plan: Plan, slos: tuple[SLO, ...], window: LoadWindow
) -> tuple[StepResult, ...]:
    """Each SLO over each arrival-rate step of a stress profile (none for one rate)."""
    arrivals = plan.load.arrivals
    if arrivals is None or len(arrivals.stages) <= 1:
        return ()
    load_start = window.start - plan.load.warmup_s
    return tuple(
        StepResult(
            index,
            rate,
            step,
            tuple(evaluate_slo(slo, measure_slo(api, slo, step), plan.min_events) for slo in slos),
        )
        for index, rate, step in step_windows(arrivals, load_start, window)
    )
