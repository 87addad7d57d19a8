"""Change points over the run history: false alarms and detection delay, on real A/A runs' noise.

    nice -n 19 .venv/bin/python benchmarks/history_changepoints.py reports/calibration/*-calibrate-ci-*/

Reads the A/A runs of `loadgate calibrate` folders — each run's whole-run client numbers, as
the history keeps them (result.json's client section: p50/p95/p99 per endpoint and all
requests; throughput = requests ÷ load window) — and measures their run-to-run noise: each
run's deviation, on the log scale, from the median of its group (one calibration's baseline
runs, or its unshifted candidate runs: the two differ by design, e.g. a sequential calibration
puts its noisy neighbour beside the candidate only). Unshifted runs only: a duet's baseline side
and a sequential trial's baseline run are never slowed; a candidate counts at shift 0.

Then synthetic histories, each run's value drawn (with replacement) from those measured
deviations, so they carry the real noise's size and shape, not a normal curve's:

* false change points per 100 runs: histories of --runs runs of noise alone, the detector run
  over each whole history ("offline"), and over each history as it grows run by run, counting
  each change point the first time it appears ("online", what a gate run after every run sees);
* detection delay: --before runs of noise, then a step of +10 % (and +15 %) in the
  regression's direction; the runs after the step until the detector reports a change point
  within 2 runs of it, in that direction (at most --after runs).

CPU only, no load: run it niced beside anything. `--export` adds a duet calibration exported by
benchmarks/gate_calibration.py (windows only: a run's value is the median of its windows'
percentiles and the mean of their throughputs, a proxy of the whole-run number).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from harness.history.changepoints import DETECTOR, Detector, find_change_points
from harness.history.series import worse_pct
from harness.values.history import HistoryRun, SeriesKey

LATENCY = ("p50_ms", "p95_ms", "p99_ms")
METRICS = (*LATENCY, "throughput")
Run = dict[SeriesKey, float]


def calibration_groups(folder: Path) -> Iterator[tuple[str, list[Run]]]:
    """One calibration's unshifted runs, in time order, grouped as described above."""
    calibration = json.loads((folder / "calibration.json").read_text())
    shift_of = {Path(trial["run_dir"]).name: trial["shift_pct"] for trial in calibration["trials"]}
    groups: dict[str, list[Run]] = defaultdict(list)
    for path in sorted((folder / "trials").glob("*/result.json")):
        result = json.loads(path.read_text())
        seconds = result["run"]["load_window"]["seconds"]
        shift = shift_of.get(path.parent.name)
        if calibration["mode"] == "duet":
            if (result.get("duet") or {}).get("client"):
                groups["duet baseline side"].append(_client_run(result["duet"]["client"], seconds))
            if shift == 0:
                groups["duet candidate side"].append(_client_run(result["client"], seconds))
        elif shift is None:  # not a listed trial: the baseline run a sequential trial starts with
            groups["sequential baseline run"].append(_client_run(result["client"], seconds))
        elif shift == 0:
            groups["sequential candidate run"].append(_client_run(result["client"], seconds))
    for name, runs in groups.items():
        yield f"{folder.name}: {name}", runs


def _client_run(client: Mapping[str, Any], seconds: float) -> Run:
    run: Run = {}
    rows = [(f"{e['method']} {e['name']}", e) for e in client["endpoints"]]
    for subject, row in [*rows, ("all", client["total"])]:
        for metric in LATENCY:
            if row.get(metric):
                run[SeriesKey(subject, metric)] = float(row[metric])
        if row.get("requests"):
            run[SeriesKey(subject, "throughput")] = row["requests"] / seconds
    return run


def export_groups(path: Path) -> Iterator[tuple[str, list[Run]]]:
    """A gate_calibration.py export: each duet side's windows reduced to a whole-run proxy."""
    exported = json.loads(gzip.decompress(path.read_bytes()))
    for side in ("baseline", "candidate"):
        runs = []
        for trial in exported["trials"]:
            if side == "candidate" and trial["shift_pct"] != 0:
                continue
            run: Run = {}
            for subject, windows in trial["windows"][side].items():
                for metric in METRICS:
                    values = [v for v in windows.get(metric, []) if v]
                    if values:
                        reduce = statistics.fmean if metric == "throughput" else statistics.median
                        run[SeriesKey(subject, metric)] = reduce(values)
            runs.append(run)
        yield f"{path.name}: duet {side} side (window proxy)", runs


def deviations(groups: list[tuple[str, list[Run]]]) -> dict[SeriesKey, list[float]]:
    """Each run's ln(value ÷ its group's median), pooled per series over the groups."""
    pooled: dict[SeriesKey, list[float]] = defaultdict(list)
    for _name, runs in groups:
        for key in {key for run in runs for key in run}:
            logs = [math.log(run[key]) for run in runs if run.get(key, 0) > 0]
            if len(logs) >= 5:  # a median of fewer is no level to measure noise against
                center = statistics.median(logs)
                pooled[key] += [value - center for value in logs]
    return pooled


def history(levels: np.ndarray[Any, Any], key: SeriesKey) -> list[HistoryRun]:
    return [
        HistoryRun(run_id=f"run-{i}", started_at=f"{i:06d}", scenario="ci", fingerprint="aa",
                   verdict="pass", mode="single", values={key: float(v)})
        for i, v in enumerate(levels)
    ]  # fmt: skip


def noise(pool: list[float], runs: int, rng: np.random.Generator) -> np.ndarray[Any, Any]:
    levels: np.ndarray[Any, Any] = 100.0 * np.exp(rng.choice(np.asarray(pool), size=runs))
    return levels


def real_series_change_points(
    groups: list[tuple[str, list[Run]]], subjects: list[str], detector: Detector
) -> None:
    """The detector over each group's own A/A runs, in the order they ran: what resampling
    cannot show — a slow drift of the machine — shows here."""
    print("\nchange points in the A/A runs themselves, in the order they ran")
    for name, runs in groups:
        if len(runs) < 2 * detector.min_segment_runs:
            continue
        found = []
        for subject in subjects:
            for metric in METRICS:
                key = SeriesKey(subject, metric)
                levels = np.array([run[key] for run in runs if key in run])
                for change in find_change_points(key, history(levels, key), detector):
                    found.append(f"{key.label()} {change.change_pct:+.1f} % at run {change.index}")
        print(f"  {name} ({len(runs)} runs): {'; '.join(found) or 'none'}")


def false_alarms(
    key: SeriesKey, pool: list[float], args: argparse.Namespace, detector: Detector
) -> tuple[float, float]:
    """(offline, online) false change points per 100 runs of noise."""
    rng = np.random.default_rng(args.seed)
    offline = online = 0
    for _ in range(args.histories):
        runs = history(noise(pool, args.runs, rng), key)
        offline += len(find_change_points(key, runs, detector))
        seen: set[int] = set()
        for length in range(2 * detector.min_segment_runs, args.runs + 1):
            for change in find_change_points(key, runs[:length], detector):
                if not seen & {change.index - 1, change.index, change.index + 1}:
                    online += 1
                seen.add(change.index)
    per_100 = 100.0 / (args.histories * args.runs)
    return offline * per_100, online * per_100


def delays(
    key: SeriesKey, pool: list[float], step_pct: float, args: argparse.Namespace,
    detector: Detector,
) -> list[int | None]:  # fmt: skip
    """Runs after a step of step_pct (worse) until it is reported; None: not within --after."""
    rng = np.random.default_rng(args.seed + 1)
    factor = 1 + (step_pct if worse_pct(key.metric, 1) > 0 else -step_pct) / 100
    found: list[int | None] = []
    for _ in range(args.histories):
        levels = noise(pool, args.before + args.after, rng)
        levels[args.before :] *= factor
        runs = history(levels, key)
        found.append(None)
        for after in range(1, args.after + 1):
            changes = find_change_points(key, runs[: args.before + after], detector)
            if any(abs(c.index - args.before) <= 2 and worse_pct(key.metric, c.change_pct) > 0
                   for c in changes):  # fmt: skip
                found[-1] = after
                break
    return found


def describe(found: list[int | None], after: int) -> str:
    runs = sorted(d if d is not None else after + 1 for d in found)
    q1, median, q3 = (runs[int(q * (len(runs) - 1))] for q in (0.25, 0.5, 0.75))
    shown = [f"{v}" if v <= after else f">{after}" for v in (median, q1, q3)]
    within = sum(d is not None for d in found) / len(found) * 100
    return f"{shown[0]:>4} ({shown[1]}–{shown[2]}) {within:4.0f} %"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, help="`loadgate calibrate` output folders")
    parser.add_argument(
        "--export",
        type=Path,
        action="append",
        default=[],
        help="a duet calibration exported by gate_calibration.py (window proxy)",
    )
    parser.add_argument(
        "--histories", type=int, default=200, help="synthetic histories per measure"
    )
    parser.add_argument("--runs", type=int, default=60, help="runs per noise-only history")
    parser.add_argument("--before", type=int, default=30, help="noise runs before the step")
    parser.add_argument("--after", type=int, default=30, help="runs after it, at most")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument(
        "--subjects",
        default="all,GET /v1/recommendations/home",
        help="comma-separated endpoints (or all) to run the detector on",
    )
    parser.add_argument("--metrics", default=",".join(METRICS), help="comma-separated metrics")
    parser.add_argument("--max-pvalue", type=float, default=DETECTOR.max_pvalue)
    parser.add_argument("--min-segment", type=int, default=DETECTOR.min_segment_runs)
    parser.add_argument("--window", type=int, default=DETECTOR.window_runs)
    args = parser.parse_args()  # fmt: skip
    detector = Detector(args.max_pvalue, args.min_segment, args.window)

    groups = [g for folder in args.folders for g in calibration_groups(folder)]
    groups += [g for path in args.export for g in export_groups(path)]
    print("A/A runs read:")
    for name, runs in groups:
        print(f"  {len(runs):3d}  {name}")
    pools = deviations(groups)
    subjects = sorted({key.subject for key in pools})
    print("\nrun-to-run noise: the standard deviation of ln(run ÷ its group's median), ≈ CV, in %")
    print(f"  {'':34}" + "".join(f"{m.removesuffix('_ms'):>12}" for m in METRICS))
    for subject in subjects:
        cells = []
        for metric in METRICS:
            measured = pools.get(SeriesKey(subject, metric), [])
            cells.append(
                f"{statistics.stdev(measured) * 100:6.1f} ({len(measured):3d})"
                if len(measured) > 2
                else ""
            )
        print(f"  {subject:34}" + "".join(f"{c:>12}" for c in cells))  # fmt: skip

    real_series_change_points(groups, args.subjects.split(","), detector)
    print(f"\ndetector: max p-value {detector.max_pvalue:g}, ≥ {detector.min_segment_runs} runs a "
          f"side, window {detector.window_runs}; {args.histories} synthetic histories per cell")  # fmt: skip
    print(f"  {'series':42} {'noise':>6} {'false CPs per 100 runs':>23}   "
          f"{'runs to flag a step: median (IQR), found ≤ ' + str(args.after):>44}")  # fmt: skip
    print(f"  {'':42} {'':>6} {'offline':>11} {'online':>11}   {'+10 %':>21} {'+15 %':>21}")
    for subject in args.subjects.split(","):
        for metric in args.metrics.split(","):
            key = SeriesKey(subject, metric)
            pool = pools.get(key)
            if not pool or len(pool) < 10:
                continue
            offline, online = false_alarms(key, pool, args, detector)
            ten = describe(delays(key, pool, 10, args, detector), args.after)
            fifteen = describe(delays(key, pool, 15, args, detector), args.after)
            print(f"  {key.label():42} {statistics.stdev(pool) * 100:5.1f}% {offline:11.2f} "
                  f"{online:11.2f}   {ten:>21} {fifteen:>21}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
