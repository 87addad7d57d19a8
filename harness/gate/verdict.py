"""Deciding pass / fail / inconclusive from what was measured. Pure: data in, ``Verdict`` out.

Order of precedence, most serious first:

1. the load generator cannot be trusted (saturated, crashed)        → inconclusive
2. nothing was measured (no window, no requests)                    → inconclusive
3. an SLO was breached, a key criterion failed, the score is below
   its warning threshold                                            → fail
4. an SLO or a criterion has no data, there are no SLOs, a
   measurement problem                                              → inconclusive
5. a key criterion warns, or the score is below its pass threshold  → warn (exit 0)
6. otherwise                                                        → pass

Every SLO is a key criterion unless the scenario judges it with ``metric: slos_met`` (``scored_slos``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from harness.durations import format_duration
from harness.errors import EXIT_FAIL, EXIT_INCONCLUSIVE, EXIT_INVALID_INPUT, EXIT_PASS, InputError
from harness.values.run_result import ClientStats, GeneratorHealth, LoadWindow
from harness.values.status import Status
from harness.values.verdict import (
    CriterionResult,
    Findings,
    Score,
    SLOEvaluation,
    SLOStatus,
    Verdict,
)

__all__ = ["decide", "inconclusive", "invalid_input", "with_findings"]


def decide(
    evaluations: Sequence[SLOEvaluation],
    generator: GeneratorHealth,
    window: LoadWindow | None,
    client: ClientStats | None,
    measurement_problems: Sequence[str] = (),
    criteria: Sequence[CriterionResult] = (),
    score: Score | None = None,
    scored_slos: Collection[str] = (),
) -> Verdict:
    if generator.problems:
        return inconclusive(*generator.problems)
    if window is None:
        return inconclusive(
            "the load stopped before the warm-up ended: there is no measured window"
        )
    if client is None or client.total.requests == 0:
        return inconclusive("no request completed inside the measured window")

    span = format_duration(window.seconds)
    breached = [
        _breach_reason(e, span)
        for e in evaluations
        if e.name not in scored_slos and e.status is SLOStatus.BREACHED
    ]
    failed = [c.detail for c in criteria if c.key and c.passed is False]
    if score is not None and score.status is Status.FAIL:
        failed.append(f"the {score.sentence()} is below its warning threshold")
        failed += _scored_reasons(criteria)
    if breached or failed:
        return Verdict(Status.FAIL, EXIT_FAIL, tuple(breached + failed))

    missing = [
        f"SLO '{e.name}' has no data: {e.detail}"
        for e in evaluations
        if e.status is SLOStatus.NO_DATA
    ]
    if not evaluations:
        missing.append("no SLOs to judge: name SLO files in the scenario's slos or with --slo")
    missing += [c.detail for c in criteria if c.passed is None]
    if missing or measurement_problems:
        return inconclusive(*missing, *measurement_problems)
    warned = [c.detail for c in criteria if c.key and c.status is Status.WARN]
    if score is not None and score.status is Status.WARN:
        warned.append(f"the {score.sentence()} is below its pass threshold")
        warned += _scored_reasons(criteria)
    if warned:
        return Verdict(Status.WARN, EXIT_PASS, tuple(warned))

    met = sum(1 for e in evaluations if e.status is SLOStatus.MET)
    slos = (
        f"all {met} SLOs met"
        if met == len(evaluations)
        else f"{met} of {len(evaluations)} SLOs met (the others are scored, not key)"
    )
    return Verdict(
        Status.PASS,
        EXIT_PASS,
        (
            f"{slos} over the {span} load window ({client.total.requests} requests)",
            *[_breach_reason(e, span) for e in evaluations if e.status is SLOStatus.BREACHED],
            *([f"the gate's {score.sentence()}"] if score is not None else []),
        ),
    )


def _scored_reasons(criteria: Sequence[CriterionResult]) -> list[str]:
    """Why points were lost: each scored criterion that failed or warned."""
    return [c.detail for c in criteria if not c.key and c.status in (Status.FAIL, Status.WARN)]


def inconclusive(*reasons: str) -> Verdict:
    return Verdict(Status.INCONCLUSIVE, EXIT_INCONCLUSIVE, tuple(reasons))


def invalid_input(error: InputError) -> Verdict:
    """A run that found its input invalid only after the load: nothing was judged (exit 2)."""
    return Verdict(
        Status.INCONCLUSIVE,
        EXIT_INVALID_INPUT,
        tuple(f"invalid input: {problem}" for problem in error.problems),
    )


def _breach_reason(evaluation: SLOEvaluation, span: str) -> str:
    assert evaluation.sli is not None and evaluation.burn_rate is not None
    return (
        f"SLO '{evaluation.name}' breached: SLI {evaluation.sli:.3%} < objective "
        f"{evaluation.objective:.3%} over {span} ({evaluation.events:.0f} events, "
        f"burn rate {evaluation.burn_rate:.1f}×)"
    )


def with_findings(verdict: Verdict, findings: Findings) -> Verdict:
    """A monitor's findings (soak: alerts that fired, leaks, drift) on top of the run's verdict.

    What a monitor saw fail is a measurement too: a page that fired, or a leak, fails the run
    even when the run was cut short (interrupted, aborted) — its reasons come first. What it
    could not measure (burn rates never had data) makes a pass or warn inconclusive. Warnings
    turn a pass into a warn. Notes (e.g. paging failed) are reported and change nothing.
    """
    status, exit_code = verdict.status, verdict.exit_code
    if findings.failures:
        status, exit_code = Status.FAIL, EXIT_FAIL
    elif findings.unmeasured and status in (Status.PASS, Status.WARN):
        status, exit_code = Status.INCONCLUSIVE, EXIT_INCONCLUSIVE
    elif findings.warnings and status is Status.PASS:
        status = Status.WARN
    reasons = (
        *findings.failures,
        *findings.unmeasured,
        *findings.warnings,
        *verdict.reasons,
        *findings.notes,
    )
    return Verdict(status, exit_code, reasons)
