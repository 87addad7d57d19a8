"""Gate criteria as the plan states them: absolute bounds (``p99 < 300ms``), changes tolerated
against a baseline (``p99_ms`` may rise 10 %) and the score's thresholds."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from harness.values.run_result import PERCENTILE_KEYS

__all__ = [
    "ALL_ENDPOINTS",
    "EACH_ENDPOINT",
    "HISTORY_DEFAULT_METRICS",
    "LATENCY_METRICS",
    "OPERATORS",
    "AbsoluteCriterion",
    "Bound",
    "Direction",
    "HistoryGate",
    "RelativeCriterion",
    "ScoreThresholds",
    "format_value",
]

LATENCY_METRICS = PERCENTILE_KEYS
ALL_ENDPOINTS = "all"  # every request together (the client's total)
EACH_ENDPOINT = "each"  # one criterion per endpoint

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Bound:
    op: str  # one of OPERATORS
    value: float  # in the metric's own unit: ms, a ratio 0–1, requests/s, × of the budget

    def holds(self, observed: float) -> bool:
        return OPERATORS[self.op](observed, self.value)

    def text(self, unit: str) -> str:
        return f"{self.op} {format_value(self.value, unit)}"


@dataclass(frozen=True)
class AbsoluteCriterion:
    metric: str  # a latency metric, error_ratio, throughput, burn_rate or slos_met
    pass_bound: Bound | None  # None only for slos_met: every SLO met
    warning_bound: Bound | None = None
    endpoint: str = ALL_ENDPOINTS  # "all", "each" or "GET /v1/…"
    slo: str | None = None  # burn_rate / slos_met: one SLO; None: every SLO
    weight: float = 1.0
    key: bool = False


class Direction(StrEnum):
    HIGHER_IS_WORSE = "higher_is_worse"  # latency, error ratio
    LOWER_IS_WORSE = "lower_is_worse"  # throughput


@dataclass(frozen=True)
class RelativeCriterion:
    metric: str  # one of samples.METRICS
    tolerance_pct: float
    direction: Direction
    endpoint: str | None = None  # "GET /v1/…"; None: every endpoint
    warning_tolerance_pct: float | None = None  # a shift beyond the tolerance but within this warns
    weight: float = 1.0
    key: bool = False


# What the history criterion judges without ``gate.history.metrics``: the latencies that creep. Not
# the error ratio (near 0, any change is a huge %) nor throughput (a closed model's follows p50).
HISTORY_DEFAULT_METRICS = ("p50_ms", "p99_ms")


@dataclass(frozen=True)
class HistoryGate:
    """The gate's criterion from the run history (``gate.history``; harness/gate/history.py): a
    change point that this run reveals among the newest runs of its scenario and traffic on
    ``branch``, a regression beyond ``tolerance_pct``, fails; creep warns (or is a note)."""

    tolerance_pct: float = 10.0
    key: bool = True  # a regression fails the run whatever the score
    weight: float = 1.0  # its points in the score when not key
    metrics: tuple[str, ...] = HISTORY_DEFAULT_METRICS  # ENDPOINT_METRICS and SLO_METRICS
    branch: str | None = "main"  # the earlier runs compared with; None: every branch
    newest: int = 10  # a revealed change point whose first run is one of the newest this many
    creep_warns: bool = True  # False: creep is a note, the verdict unchanged


@dataclass(frozen=True)
class ScoreThresholds:
    pass_pct: float = 90.0  # Keptn's defaults
    warning_pct: float = 75.0


def format_value(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value * 100:.3g}%"
    if unit == "×":
        return f"{value:.3g}×"
    return f"{value:.4g}{unit if unit == '/s' else ' ms'}"
