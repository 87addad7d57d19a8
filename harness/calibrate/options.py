"""``loadgate calibrate`` flags, checked before anything starts (every problem at once, exit 2)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from harness.errors import InputError, Problem

__all__ = ["CalibrateOptions", "add_calibrate_arguments", "calibrate_options", "parse_shifts"]

CLI = "(command line)"
MODES = ("duet", "sequential")
MAX_SHIFT_PCT = 1000.0  # the reference service's --fault-slowdown range
DEFAULT_SHIFTS = "0,5,10,20,30%"


@dataclass(frozen=True)
class CalibrateOptions:
    scenario: Path
    trials: int  # gate runs per shift
    shifts_pct: tuple[float, ...]  # injected slowdowns; 0 is the A/A trials
    mode: str  # "duet" or "sequential"
    out: Path
    noisy_neighbour: bool  # a busy process taking a core (one side of a sequential comparison)
    duration: str | None = None  # the measured window of a trial, instead of the scenario's
    first_trial: int = 1  # the first trial's number, which is also its traffic's seed


def add_calibrate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", type=Path, help="the scenario to calibrate (its load and gate)")
    parser.add_argument("--trials", type=int, default=20, help="gate runs per shift (default 20)")
    parser.add_argument(
        "--shifts",
        default=DEFAULT_SHIFTS,
        # argparse formats help with %: a literal one is %%
        help=f"injected slowdowns, comma-separated, in %% (default {DEFAULT_SHIFTS.replace('%', '%%')}); "
        "0 gives the "
        "A/A trials (the false-alarm rate), the others the detection curve",
    )
    parser.add_argument(
        "--mode",
        default="duet",
        help="duet (both sides at once) or sequential (one after the other)",
    )
    parser.add_argument(
        "--duration",
        help="each trial's measured window, instead of the scenario's (e.g. 60s); a sequential "
        "trial's two runs get half of it each, the same load time as a duet",
    )
    parser.add_argument(
        "--first-trial",
        type=int,
        default=1,
        help="number the trials from N (default 1); a trial's number is its traffic's seed, so a "
        "calibration continued later with --first-trial samples new traffic instead of replaying "
        "the first trials'",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("reports"), help="reports folder (default: reports)"
    )
    parser.add_argument(
        "--noisy-neighbour",
        action="store_true",
        help="run a busy process taking about a core: during the candidate's run (sequential) or "
        "the whole run (duet), as on a shared CI runner",
    )


def calibrate_options(args: argparse.Namespace) -> CalibrateOptions:
    problems: list[Problem] = []
    if not args.scenario.is_file():
        problems.append(Problem(CLI, "scenario", f"{str(args.scenario)!r} is not a file"))
    if args.trials < 1:
        problems.append(Problem(CLI, "--trials", f"{args.trials} is not allowed; allowed: ≥ 1"))
    if args.first_trial < 1:
        problems.append(
            Problem(CLI, "--first-trial", f"{args.first_trial} is not allowed; allowed: ≥ 1")
        )
    if args.mode not in MODES:
        problems.append(
            Problem(CLI, "--mode", f"{args.mode!r} is not allowed; allowed: {', '.join(MODES)}")
        )
    shifts = parse_shifts(args.shifts, problems)
    if problems:
        raise InputError(problems)
    return CalibrateOptions(
        args.scenario, args.trials, shifts, args.mode, args.out, args.noisy_neighbour,
        args.duration, args.first_trial,
    )  # fmt: skip


def parse_shifts(text: str, problems: list[Problem]) -> tuple[float, ...]:
    """ "0,5,10%" → (0.0, 5.0, 10.0): each from 0 to 1000 %, in the order given, once each."""
    shifts: list[float] = []
    for part in (p.strip().removesuffix("%").strip() for p in text.split(",")):
        try:
            value = float(part)
        except ValueError:
            value = float("nan")
        if not 0.0 <= value <= MAX_SHIFT_PCT:
            problems.append(Problem(CLI, "--shifts", f"{part!r} is not allowed; allowed: "
                                    f"percentages from 0 to {MAX_SHIFT_PCT:g}, e.g. {DEFAULT_SHIFTS}"))  # fmt: skip
        elif value not in shifts:
            shifts.append(value)
    return tuple(shifts)
