"""``loadgate calibrate SCENARIO``: what a red gate means, measured.

A/A trials (shift 0: the same service on both sides) give the run-level false-fail and false-warn
rates; A/B trials with a known proportional slowdown give the detection curve P(fail) per shift
and the smallest slowdown detected with 95 % power. Shifts are interleaved trial by trial, so a
noisy hour of the machine spreads over every shift instead of landing on one.

Writes ``calibration.json`` after every trial (an interrupted calibration keeps what it measured)
and ``report.html`` with the detection curve, in ``<out>/<id>-calibrate-<scenario>/``.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from types import FrameType

from harness.calibrate.options import CalibrateOptions
from harness.calibrate.report import write_report
from harness.calibrate.stats import clopper_pearson, detection_curve, smallest_detected_shift
from harness.calibrate.trials import (
    Trial,
    TrialSetup,
    duet_trial,
    reference_services,
    sequential_trial,
)
from harness.errors import EXIT_INCONCLUSIVE, EXIT_PASS
from harness.plan import RunOptions, build_plan
from harness.run import new_run_id
from harness.run_folder import LOGS_DIR, REPORT_HTML, write_atomically

__all__ = ["CALIBRATION_JSON", "run_calibrate", "summarise", "trial_schedule"]

CALIBRATION_JSON = "calibration.json"
SCHEMA = 1


def run_calibrate(options: CalibrateOptions, say: Callable[[str], None]) -> int:
    run = RunOptions(scenario=options.scenario, out=options.out, duration=options.duration)
    plan = build_plan(run)  # checks the scenario, the locustfile and --duration once
    folder = options.out / new_run_id(f"calibrate-{plan.name}", time.time())
    trials: list[Trial] = []
    runner = duet_trial if options.mode == "duet" else sequential_trial
    say(f"calibrating {plan.name} ({options.mode}): {options.trials} trial(s) × shifts "
        f"{', '.join(f'{s:g}%' for s in options.shifts_pct)} → {folder}")  # fmt: skip
    setup = TrialSetup(
        options.scenario, folder / "trials", options.noisy_neighbour, options.duration
    )
    stop = _stop_on_signals()
    with reference_services(options.mode, folder / LOGS_DIR, plan.service_args) as services:
        last = options.first_trial + options.trials - 1
        for index, shift in trial_schedule(options):
            if stop.is_set():
                break
            trial = runner(setup, services, shift, index)
            if stop.is_set():  # the run reported its interruption as inconclusive: not a trial
                say("interrupted: the calibration so far is kept")
                break
            trials.append(trial)
            say(f"trial {index + 1} (of {options.first_trial}–{last}), slowdown {shift:g}%: "
                f"{trial.verdict}")  # fmt: skip
            _write(folder, options, trials)
    _write(folder, options, trials)
    say(f"calibration: {folder / CALIBRATION_JSON}, {folder / REPORT_HTML}")
    for line in _sentences(summarise(options, trials)):
        say(line)
    judged = any(t.verdict != "inconclusive" for t in trials)
    return EXIT_PASS if judged and not stop.is_set() else EXIT_INCONCLUSIVE


def trial_schedule(options: CalibrateOptions) -> list[tuple[int, float]]:
    """(trial index, shift) in the order they run: each trial number (index + 1, its traffic's
    seed) from ``--first-trial`` on runs every shift, the shifts' order rotated each round so no
    shift always follows another."""
    schedule = []
    count = len(options.shifts_pct)
    for index in range(options.first_trial - 1, options.first_trial - 1 + options.trials):
        rotated = options.shifts_pct[index % count :] + options.shifts_pct[: index % count]
        schedule += [(index, shift) for shift in rotated]
    return schedule


def _stop_on_signals() -> threading.Event:
    """Ctrl-C or SIGTERM ends the calibration, not only the trial running then: a run turns the
    interruption into its own inconclusive verdict, so the loop must hear of it too."""
    stop = threading.Event()

    def interrupt(signum: int, frame: FrameType | None) -> None:
        stop.set()
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, interrupt)
    return stop


def _sentences(summary: dict[str, object]) -> list[str]:
    sentences = summary["sentences"]
    return [str(s) for s in sentences] if isinstance(sentences, list) else []


def summarise(options: CalibrateOptions, trials: list[Trial]) -> dict[str, object]:
    """The rates with exact intervals; inconclusive trials are counted apart, never as passes."""
    judged = [t for t in trials if t.verdict != "inconclusive"]
    by_shift: dict[float, list[bool]] = {}
    for trial in judged:
        by_shift.setdefault(trial.shift_pct, []).append(trial.verdict == "fail")
    curve = detection_curve(by_shift)
    aa = [t for t in judged if t.shift_pct == 0.0]
    false_fail = sum(t.verdict == "fail" for t in aa)
    false_warn = sum(t.verdict == "warn" for t in aa)
    smallest = smallest_detected_shift(curve)
    sentences = []
    if aa:
        fail_ci, warn_ci = (
            clopper_pearson(false_fail, len(aa)),
            clopper_pearson(false_warn, len(aa)),
        )
        sentences += [
            f"false fail: {false_fail} of {len(aa)} A/A trials (95 % CI {100 * fail_ci[0]:.1f}–{100 * fail_ci[1]:.1f} %)",
            f"false warn: {false_warn} of {len(aa)} A/A trials (95 % CI {100 * warn_ci[0]:.1f}–{100 * warn_ci[1]:.1f} %)",
        ]
    sentences.append(
        f"smallest slowdown failed in ≥ 95 % of trials: {smallest:g} %"
        if smallest is not None
        else "no tested slowdown was failed in ≥ 95 % of trials"
    )
    return {
        "schema": SCHEMA,
        "scenario": str(options.scenario),
        "mode": options.mode,
        "noisy_neighbour": options.noisy_neighbour,
        "trials_per_shift": options.trials,
        "first_trial": options.first_trial,
        "duration": options.duration,
        "shifts_pct": list(options.shifts_pct),
        "judged_trials": len(judged),
        "inconclusive_trials": len(trials) - len(judged),
        "false_fail": _rate(false_fail, len(aa)),
        "false_warn": _rate(false_warn, len(aa)),
        "detection": [asdict(point) for point in curve],
        "smallest_detected_shift_pct": smallest,
        "sentences": sentences,
        "trials": [asdict(t) for t in trials],
    }


def _rate(count: int, trials: int) -> dict[str, object]:
    ci = clopper_pearson(count, trials) if trials else None
    return {"count": count, "trials": trials, "rate": count / trials if trials else None,
            "ci95": list(ci) if ci else None}  # fmt: skip


def _write(folder: Path, options: CalibrateOptions, trials: list[Trial]) -> dict[str, object]:
    summary = summarise(options, trials)
    write_atomically(folder / CALIBRATION_JSON, json.dumps(summary, indent=1) + "\n")
    write_report(folder, summary)
    return summary
