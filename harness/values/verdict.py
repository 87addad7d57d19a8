"""Judgements: SLO evaluations, gate criteria, the score, the monitor's findings and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from harness.values.criteria import ScoreThresholds
from harness.values.run_result import LoadWindow
from harness.values.status import VERDICTS, Status

__all__ = [
    "Comparisons",
    "CriterionResult",
    "Findings",
    "SLOEvaluation",
    "SLOStatus",
    "Score",
    "StepResult",
    "Verdict",
]


class SLOStatus(StrEnum):
    MET = "met"
    BREACHED = "breached"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class SLOEvaluation:
    name: str
    status: SLOStatus
    objective: float
    sli: float | None
    events: float | None
    burn_rate: float | None
    detail: str = ""  # why no_data, or what was measured
    budget_consumed: float | None = None  # share of the SLO window's error budget this window spent


@dataclass(frozen=True)
class CriterionResult:
    """One gate criterion judged: what was observed against what the gate allows."""

    name: str  # e.g. "burn rate of home-latency"
    observed: float | None
    threshold: float
    passed: bool | None  # None: nothing to judge (no data, too few windows)
    detail: str = ""  # the reason a person reads when it fails, warns or cannot be judged
    warn: bool = False  # passed, but a regression cannot be ruled out
    baseline: float | None = None  # relative criteria: the baseline's median
    effect_pct: float | None = None  # the shift against the baseline, % (Hodges–Lehmann)
    ci_pct: tuple[float, float] | None = None  # its 95 % confidence interval, %
    p_value: float | None = None
    weight: float = 1.0  # points in the gate's score (pass: all, warn: half, fail: none)
    key: bool = False  # a key criterion is a gate of its own: failing it fails the run

    @property
    def status(self) -> Status:  # pass, warn, fail or no_data
        if self.passed is None:
            return Status.NO_DATA
        if not self.passed:
            return Status.FAIL
        return Status.WARN if self.warn else Status.PASS


@dataclass(frozen=True)
class Verdict:
    status: Status  # one of VERDICTS (pass, warn, fail, inconclusive); never no_data
    exit_code: int
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        # Status also names what a criterion can be; a verdict is only ever one of VERDICTS.
        if self.status not in VERDICTS:
            raise ValueError(f"a verdict is one of {', '.join(VERDICTS)}, not {self.status!r}")


@dataclass(frozen=True)
class Score:
    value_pct: float
    earned: float
    possible: float
    thresholds: ScoreThresholds

    @property
    def status(self) -> Status:  # pass, warn or fail
        if self.value_pct >= self.thresholds.pass_pct:
            return Status.PASS
        return Status.WARN if self.value_pct >= self.thresholds.warning_pct else Status.FAIL

    def sentence(self) -> str:
        return (
            f"score {self.value_pct:.0f}% ({self.earned:g} of {self.possible:g} points; "
            f"pass ≥ {self.thresholds.pass_pct:g}%, warning ≥ {self.thresholds.warning_pct:g}%)"
        )


@dataclass(frozen=True)
class StepResult:
    index: int
    arrival_rate: float
    window: LoadWindow
    evaluations: tuple[SLOEvaluation, ...]

    @property
    def breached(self) -> list[str]:
        return [e.name for e in self.evaluations if e.status is SLOStatus.BREACHED]


@dataclass(frozen=True)
class Findings:
    """What a monitor concluded: reasons that fail the run, and reasons that make it warn."""

    failures: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    unmeasured: tuple[str, ...] = ()  # what it could not measure: a pass becomes inconclusive
    notes: tuple[str, ...] = field(default=())  # reported, verdict unchanged (e.g. paging failed)


@dataclass(frozen=True)
class Comparisons:
    """A comparison with a baseline — run beside (a duet) or saved — beyond its criteria: what it
    did not judge and why, and what it could have detected (harness/gate/duet.py, relative.py)."""

    criteria: tuple[CriterionResult, ...]  # the comparisons judged
    unjudged: tuple[str, ...]  # why each criterion that was not judged was not
    detectable: tuple[tuple[str, float], ...]  # (criterion, the smallest shift it could fail, %)
    confidence: float  # each comparison's interval, after the run-level correction
