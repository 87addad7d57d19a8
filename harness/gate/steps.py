"""Stress runs: the SLOs judged step by step, and the breaking point — the first arrival-rate
step at which an objective breaks. Pure: windows and evaluations in, steps out."""

from __future__ import annotations

from harness.values.arrivals import ArrivalProfile
from harness.values.run_result import LoadWindow
from harness.values.verdict import StepResult

__all__ = ["MIN_STEP_S", "breaking_point", "step_windows"]

MIN_STEP_S = 5.0  # shorter slices of a step (cut by the warm-up) are too short to judge


def step_windows(
    profile: ArrivalProfile, load_start: float, window: LoadWindow
) -> list[tuple[int, float, LoadWindow]]:
    """(index, rate, window) of every hold stage, cut to the measured window. Ramps are skipped."""
    steps = []
    elapsed = 0.0
    for index, stage in enumerate(profile.stages):
        start, end = load_start + elapsed, load_start + elapsed + stage.duration_s
        elapsed += stage.duration_s
        cut = LoadWindow(max(start, window.start), min(end, window.end))
        if not stage.ramp and cut.seconds >= MIN_STEP_S:
            steps.append((index, stage.rate, cut))
    return steps


def breaking_point(steps: list[StepResult]) -> StepResult | None:
    return next((step for step in steps if step.breached), None)
