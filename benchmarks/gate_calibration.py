"""The gate's error rates, duet and sequential side by side, and the rules re-judged on the same data.

    .venv/bin/loadgate calibrate scenarios/ci.yaml --mode duet --trials 60 --shifts 0,5,10,20,30% --out reports/calibration
    .venv/bin/loadgate calibrate scenarios/ci.yaml --mode sequential --trials 60 --shifts 0,5,10,20,30% --out reports/calibration
    .venv/bin/python benchmarks/gate_calibration.py reports/calibration/*-calibrate-*/

For each calibration folder: the mode's false-fail and false-warn rates with their exact 95 %
intervals, P(fail) per shift and the smallest shift failed in ≥ 95 % of trials (from its
calibration.json). Then every duet trial's saved windows (both sides are in each trial's
result.json) are judged again under other rules — tolerances, per-endpoint or all-requests
criteria — so the defaults are chosen from measured rates, not by guess (docs/gate.md).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from harness.calibrate.stats import clopper_pearson, detection_curve, smallest_detected_shift
from harness.gate.comparable import RUN_ALPHA
from harness.gate.duet import DUET_DEFAULT_CRITERIA, judge_duet
from harness.load.paired_windows import (
    WindowSummary,
    crossover_mean,
    interquartile_mean,
    pooled,
    read_paired_windows,
)
from harness.values.criteria import ALL_ENDPOINTS, EACH_ENDPOINT, Direction, RelativeCriterion
from harness.values.run_result import LoadWindow
from harness.values.samples import PerWindowView
from harness.values.status import Status


def rule(
    all_p50: float, each_p50: float | None, tails: float | None
) -> tuple[RelativeCriterion, ...]:
    """A duet rule like the default: all requests' p50, each endpoint's p50 and the tails (p95,
    p99 on every endpoint and all), each a key criterion; None leaves that criterion out."""
    worse = Direction.HIGHER_IS_WORSE
    criteria = [RelativeCriterion("p50_ms", all_p50, worse, ALL_ENDPOINTS, key=True)]
    if each_p50 is not None:
        criteria.append(RelativeCriterion("p50_ms", each_p50, worse, EACH_ENDPOINT, key=True))
    if tails is not None:
        criteria += [RelativeCriterion(t, tails, worse, key=True) for t in ("p95_ms", "p99_ms")]
    return tuple(criteria)


RULES: dict[str, tuple[RelativeCriterion, ...]] = {
    "the default": (),  # DUET_DEFAULT_CRITERIA, whatever it is now
    "p50 all +3 %, each endpoint +30 %, tails +25 % (the default before 2026-11-30's crossover)": rule(3, 30, 25),
    "p50 all +5 %, each endpoint +30 %, tails +25 %": rule(5, 30, 25),
    "p50 all +5 %, each endpoint +30 %, tails +40 %": rule(5, 30, 40),
    "p50 all +5 %, each endpoint +30 %, tails +50 %": rule(5, 30, 50),
    "p50 all +5 %, each endpoint +30 %, no tails": rule(5, 30, None),
    "p50 all +5 %, each endpoint +20 %, tails +50 %": rule(5, 20, 50),
    "p50 all +5 %, no per-endpoint p50, tails +50 %": rule(5, None, 50),
    "p50 all +4 %, each endpoint +30 %, tails +50 %": rule(4, 30, 50),
    "p50 all +3 %, each endpoint +30 %, tails +50 %": rule(3, 30, 50),
    "p50 all +4 %, each endpoint +30 %, no tails": rule(4, 30, None),
    "p50 all +4 %, each endpoint +30 %, tails +25 %": rule(4, 30, 25),
    "p50 all +4 %, each endpoint +25 %, no tails": rule(4, 25, None),
    "p50 all +6 %, each endpoint +30 %, no tails": rule(6, 30, None),
    "p50 all +4 %, each endpoint +40 %, no tails": rule(4, 40, None),
    "p50 all +5 %, each endpoint +40 %, no tails": rule(5, 40, None),
    "p50 all +6 %, each endpoint +40 %, no tails": rule(6, 40, None),
    "p50 all +5 %, each endpoint +50 %, no tails": rule(5, 50, None),
    "p50 all +5 % alone": rule(5, None, None),
    "p50 all +3 % alone": rule(3, None, None),
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folders", nargs="+", type=Path,
        help="calibration folders, or files --export wrote (their trials' windows kept)",
    )  # fmt: skip
    parser.add_argument(
        "--export", type=Path, default=None, metavar="DIR",
        help="also write DIR/<calibration>.json.gz: the calibration with each duet trial's two "
        "sides' windows and paired windows, small enough to keep (the trial folders are ~6 MB "
        "each) and read back here instead of the folder",
    )  # fmt: skip
    parser.add_argument(
        "--rounds", default=None, metavar="FIRST-LAST",
        help="only these rounds of trials (1-based, inclusive), e.g. 1-30 to choose a rule and "
        "31-60 to confirm it on trials it was not chosen on",
    )  # fmt: skip
    parser.add_argument(
        "--summary", default="all", choices=["all", *SUMMARIES],
        help="how each window's paired log-ratios are summarised (default: every way, in turn)",
    )  # fmt: skip
    args = parser.parse_args()
    rounds = _rounds(args.rounds)
    for folder in args.folders:
        summary = _read(folder)
        if args.export is not None:
            _export(summary, args.export / f"{folder.name.removesuffix('.json.gz')}.json.gz")
        print(f"\n{folder.name}: {summary['mode']}, noisy neighbour {summary['noisy_neighbour']}")
        for line in summary["sentences"]:
            print(f"  {line}")
        for point in summary["detection"]:
            low, high = point["ci"]
            print(f"  shift {point['shift_pct']:>4g} %: P(fail) {point['failures']}/{point['trials']}"
                  f" = {point['p_fail']:.2f} (95 % CI {low:.2f}–{high:.2f})")  # fmt: skip
        if summary["mode"] == "duet":
            trials = _in_rounds(summary["trials"], rounds)
            print(f"  rounds {args.rounds or 'all'}: {len(trials)} trials")
            exported = any("windows" in t for t in trials)
            for name, window_summary in SUMMARIES.items():
                if exported and window_summary is not None:
                    continue  # an export keeps the windows as saved, not each pair's ratio
                if args.summary in ("all", name):
                    print(f"  paired windows summarised by: {name}")
                    bounds(trials, window_summary)
                    rejudge(trials, window_summary)


def _read(path: Path) -> dict[str, Any]:
    if path.name.endswith(".json.gz"):
        return cast(dict[str, Any], json.loads(gzip.decompress(path.read_bytes())))
    return cast(dict[str, Any], json.loads((path / "calibration.json").read_text("utf-8")))


def _export(summary: dict[str, Any], path: Path) -> None:
    """The calibration with each judged duet trial's windows in it (as ``_judged_windows`` reads
    them as saved), gzipped: what re-judging needs, without the trial folders."""
    trials = []
    for trial in summary["trials"]:
        windows = _judged_windows(trial, None) if "windows" not in trial else None
        kept = {k: v for k, v in trial.items() if k != "run_dir"}
        if windows is not None:
            baseline, candidate, paired = windows
            kept["windows"] = {"baseline": baseline, "candidate": candidate, "paired": paired}
        trials.append(kept)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({**summary, "trials": trials}, separators=(",", ":"))
    path.write_bytes(gzip.compress(text.encode(), mtime=0))
    print(f"exported {path} ({path.stat().st_size // 1024} KiB)")


def _rounds(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    first, _, last = text.partition("-")
    return int(first), int(last or first)


def _in_rounds(
    trials: list[dict[str, object]], rounds: tuple[int, int] | None
) -> list[dict[str, object]]:
    """A calibration runs every shift once a round, so a trial's round is its count within its
    shift."""
    if rounds is None:
        return trials
    seen: dict[object, int] = defaultdict(int)
    kept = []
    for trial in trials:
        seen[trial["shift_pct"]] += 1
        if rounds[0] <= seen[trial["shift_pct"]] <= rounds[1]:
            kept.append(trial)
    return kept


def _judged_windows(
    trial: dict[str, object], summary: WindowSummary | None
) -> tuple[PerWindowView, PerWindowView, Paired] | None:
    """A trial's two sides' windows and its paired requests, each window summarised by
    ``summary`` (re-read from the run's client/ folder) or, with None, as the run saved them."""
    if "windows" in trial:  # an export: the windows as saved
        saved = cast(dict[str, Any], trial["windows"])
        return saved["baseline"], saved["candidate"], saved["paired"]
    run_dir = Path(str(trial["run_dir"]))
    result = json.loads((run_dir / "result.json").read_text())
    duet = result.get("duet")
    if trial["verdict"] == "inconclusive" or not duet:
        return None
    paired = {e: next(iter(m.values())) for e, m in duet.get("paired", {}).items()}
    if summary is not None:
        bounds = json.loads((run_dir / "client" / "window.json").read_text())
        window = LoadWindow(start=float(bounds["start"]), end=float(bounds["end"]))
        paired = read_paired_windows(run_dir / "client", window, summary) or {}
    return duet["samples"], result["samples"], paired


# How each window's paired log-ratios are summarised (harness/load/paired_windows.py): None is
# as the trials saved them. Trials run before the order was kept have it only pooled.
SUMMARIES: dict[str, WindowSummary | None] = {
    "as saved": None,
    "pooled median": pooled(statistics.median),
    "pooled interquartile mean": pooled(interquartile_mean),
    "crossover mean": crossover_mean,
}


def bounds(trials: list[dict[str, object]], summary: WindowSummary | None) -> None:
    """Per default criterion: how high its interval reached on unchanged services (a tolerance
    below that warns) and how low it stayed under each slowdown (a tolerance above that cannot
    fail it). A tolerance between the two is one the data supports."""
    upper: dict[str, list[float]] = defaultdict(list)
    lower: dict[tuple[str, float], list[float]] = defaultdict(list)
    for trial in trials:
        windows = _judged_windows(trial, summary)
        if windows is None:
            continue
        shift = float(str(trial["shift_pct"]))
        for result in judge_duet(DUET_DEFAULT_CRITERIA, *windows).criteria:
            if result.ci_pct is None:
                continue
            if shift == 0.0:
                upper[result.name].append(result.ci_pct[1])
            else:
                lower[(result.name, shift)].append(result.ci_pct[0])
    print("  the default criteria's intervals (A/A: upper bound, median / 95th pct / max;"
          " shifted: lower bound, 5th pct / median):")  # fmt: skip
    for name, highs in sorted(upper.items()):
        row = f"    {name}: A/A {_pct(highs, 50):+.1f} / {_pct(highs, 95):+.1f} / {max(highs):+.1f} (n {len(highs)})"
        for (other, shift), lows in sorted(lower.items()):
            if other == name:
                row += (
                    f"; +{shift:g} %: {_pct(lows, 5):+.1f} / {_pct(lows, 50):+.1f} (n {len(lows)})"
                )
        print(row)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


Paired = dict[str, list[float | None]]
Judge = Callable[[PerWindowView, PerWindowView, Paired], list[Status]]


def with_criteria(criteria: tuple[RelativeCriterion, ...]) -> Judge:
    """A rule that judges these criteria, sharing the run's α as the gate does (Bonferroni)."""

    def judge(baseline: PerWindowView, candidate: PerWindowView, paired: Paired) -> list[Status]:
        judged = judge_duet(criteria, baseline, candidate, paired)
        return [c.status for c in judged.criteria]

    return judge


def alpha_per_comparison(
    baseline: PerWindowView, candidate: PerWindowView, paired: Paired
) -> list[Status]:
    """The default criteria with the run's α split as the gate did before 2026-11-30: an equal
    share per comparison (α/m over all m endpoint comparisons), so a criterion repeated on each
    endpoint took most of it. Today each criterion gets an equal share, split among its
    endpoints (harness/gate/comparable.py)."""
    planned = [judge_duet((c,), baseline, candidate, paired) for c in DUET_DEFAULT_CRITERIA]
    comparisons = sum(len(judged.criteria) for judged in planned)
    share = RUN_ALPHA / max(1, comparisons)
    statuses: list[Status] = []
    for criterion, judged in zip(DUET_DEFAULT_CRITERIA, planned, strict=True):
        alone = share * len(judged.criteria)  # its endpoints share what m comparisons gave them
        statuses += [
            c.status
            for c in judge_duet((criterion,), baseline, candidate, paired, alpha=alone).criteria
        ]
    return statuses


JUDGES: dict[str, Judge] = {
    **{rule: with_criteria(criteria or DUET_DEFAULT_CRITERIA) for rule, criteria in RULES.items()},
    "the default criteria, α: an equal share per comparison (before 2026-11-30)": alpha_per_comparison,
}


def rejudge(trials: list[dict[str, object]], summary: WindowSummary | None) -> None:
    """Each rule over the same saved windows: false fail / warn at 0, P(fail) per shift."""
    print("  re-judged on the same windows:")
    for rule, judge in JUDGES.items():
        outcomes: dict[float, list[Status]] = defaultdict(list)
        for trial in trials:
            windows = _judged_windows(trial, summary)
            if windows is None:
                continue
            statuses = judge(*windows)
            worst = (
                Status.FAIL if Status.FAIL in statuses
                else Status.WARN if Status.WARN in statuses
                else Status.NO_DATA if not statuses or Status.NO_DATA in statuses
                else Status.PASS
            )  # fmt: skip
            outcomes[float(str(trial["shift_pct"]))].append(worst)
        curve = detection_curve({s: [o is Status.FAIL for o in v] for s, v in outcomes.items()})
        aa = outcomes.get(0.0, [])
        warns = sum(o is Status.WARN for o in aa)
        fails = sum(o is Status.FAIL for o in aa)
        detected = smallest_detected_shift(curve)
        powers = ", ".join(f"{p.shift_pct:g} %: {p.p_fail:.2f}" for p in curve if p.shift_pct)
        warn_high = clopper_pearson(warns, len(aa))[1] if aa else float("nan")
        print(f"    {rule}: A/A fail {fails}/{len(aa)}, warn {warns}/{len(aa)} (upper {warn_high:.2f});"
              f" P(fail) {powers}; smallest detected {detected}")  # fmt: skip


if __name__ == "__main__":
    main()
