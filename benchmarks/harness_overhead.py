"""The harness's own overhead: from `loadgate run` to the first request, and from the end of the
load to the verdict.

    .venv/bin/python benchmarks/harness_overhead.py [--rounds 5] [--duration 5s] [--warmup 10s]
        [--running-service] [--compare DIR]

Runs `loadgate run scenarios/ci.yaml` (the shipped gate: reference service, private Prometheus,
the ci scenario's 10 s warm-up unless --warmup says otherwise; a shorter measured window, so the
verdict is usually inconclusive for too few events — the overhead is the same) --rounds times,
one after the other, and reads each run's own clocks:

* **to the first request**: from just before this script starts the `loadgate` process to the
  moment Locust starts its users (the plugin's test start: the measured window opens exactly
  `warmup` after it, so it is `window.start - warmup` from client/window.json; each user sends its
  first request as it spawns, within milliseconds);
* **to the verdict**: from the end of the load window (window.json's end, written by the plugin
  as the load stops) to result.json written (its mtime), and to the process's exit.

Also a breakdown of where the start goes, from the processes' logs (their first lines' clocks):
the re-ranking service and the recommender answering, Locust started. Prints medians and maxima
over the rounds, as Markdown for docs/performance.md.

--running-service starts the reference service once and gives every run `--target`: the
harness's own part (its start, Prometheus, the checks, Locust's start) without the service's
start-up. --compare DIR runs another checkout (`git archive REV | tar -x -C DIR`) with this venv,
alternating with this one round by round, so a noisy minute of the shared machine hits both.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from service_memory import answers, free_port  # beside this file: run it as a script

REPO = Path(__file__).resolve().parents[1]
LOADGATE = [sys.executable, "-m", "harness"]
# "2026-12-01 07:17:55,235 recommender[…] ======== Running on …" and Locust's "[2026-12-01 …]"
VERDICT = re.compile(r"(PASS|FAIL|INCONCLUSIVE|WARN)\b")
LOG_CLOCK = re.compile(r"\[?(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})")


def parse_duration(text: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m)", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 500ms, 10s, 1m)")
    value, unit = float(match[1]), match[2]
    return value / 1000 if unit == "ms" else value * 60 if unit == "m" else value


def first_clock(log: Path, needle: str) -> float | None:
    """The local-time clock of the first line of ``log`` holding ``needle``, as epoch seconds."""
    if not log.exists():
        return None
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if needle in line and (match := LOG_CLOCK.match(line)):
            return datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
    return None


def one_run(
    checkout: Path,
    out: Path,
    duration: str,
    warmup: str,
    warmup_s: float,
    show_lines: bool = False,
    target: str | None = None,
) -> dict[str, float]:
    argv = [*LOADGATE, "run", "scenarios/ci.yaml", "--no-live", "--out", str(out)]
    argv += ["--duration", duration, "--warmup", warmup]
    argv += ["--target", target] if target else []
    started = time.time()
    # Each line the harness prints, stamped as it arrives (unbuffered): where its start goes.
    said: list[tuple[float, str]] = []
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        argv, cwd=checkout, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            said.append((time.time(), line.rstrip()))
    exited = time.time()
    done = subprocess.CompletedProcess(argv, process.returncode, "\n".join(s for _, s in said))
    runs = sorted(out.iterdir())
    if done.returncode not in (0, 1, 3) or len(runs) != 1:
        raise SystemExit(f"loadgate exited {done.returncode}:\n{done.stdout}")
    run = runs[0]
    window = json.loads((run / "client" / "window.json").read_text(encoding="utf-8"))
    load_start = float(window["start"]) - warmup_s
    times = {
        "to first request": load_start - started,
        "window end → result.json": (run / "result.json").stat().st_mtime - float(window["end"]),
        "window end → exit": exited - float(window["end"]),
    }
    # Where the start goes (log clocks have millisecond resolution).
    for name, log, needle in (
        ("reranker answering", "reranker.log", "Running on"),
        ("service answering", "service.log", "Running on"),
        ("Locust started", "locust.log", "Starting Locust"),
    ):
        if (clock := first_clock(run / "logs" / log, needle)) is not None:
            times[f"  {name}"] = clock - started
    for name, prefix in (
        ("said target:", "target: http"),
        ("said Prometheus:", "Prometheus: http"),
    ):
        if clocks := [t for t, line in said if prefix in line]:
            times[f"  {name}"] = clocks[0] - started
    verdicts = [t for t, line in said if VERDICT.match(line)]
    if verdicts:
        times["window end → verdict printed"] = verdicts[0] - float(window["end"])
    if show_lines:
        for clock, line in said:
            print(f"{clock - started:7.2f} {line[:100]}", file=sys.stderr)
    times["exit code"] = float(done.returncode)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", default="5s", help="the measured window of each run")
    parser.add_argument("--warmup", default="10s", help="each run's warm-up (the ci scenario's)")
    parser.add_argument("--show-lines", action="store_true", help="each run's lines, timed")
    parser.add_argument(
        "--compare",
        type=Path,
        help="another checkout (e.g. `git archive REV | tar -x -C DIR`), run from its folder with "
        "this venv, alternating with this one round by round",
    )
    parser.add_argument(
        "--running-service",
        action="store_true",
        help="start the reference service once, here, and give each run --target: the harness's "
        "own overhead without the service's start (about 2.5 CPU seconds, mostly its catalog)",
    )
    args = parser.parse_args()
    warmup_s = parse_duration(args.warmup)
    with running_service(args.running_service) as target:
        return measure(args, warmup_s, target)


@contextlib.contextmanager
def running_service(wanted: bool) -> Iterator[str | None]:
    """The reference service (re-ranker and recommender), healthy, for every run; or nothing."""
    if not wanted:
        yield None
        return
    ports = [free_port(), free_port()]
    module = "services_under_test.{}"
    processes = []
    try:
        for name, port, extra in (
            ("reranker", ports[0], []),
            ("recommender", ports[1], ["--downstream", f"http://127.0.0.1:{ports[0]}"]),
        ):
            argv = [sys.executable, "-m", module.format(name), "--port", str(port), *extra]
            processes.append(subprocess.Popen(argv, cwd=REPO, stdout=subprocess.DEVNULL))
        url = f"http://127.0.0.1:{ports[1]}"
        deadline = time.monotonic() + 120
        while not answers(f"{url}/healthz"):
            if time.monotonic() > deadline:
                raise SystemExit("the reference service did not answer /healthz within 120 s")
            time.sleep(0.2)
        yield url
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def measure(args: argparse.Namespace, warmup_s: float, target: str | None) -> int:
    checkouts = {"this checkout": REPO}
    if args.compare is not None:
        checkouts[f"{args.compare}"] = args.compare.resolve()
    rows: dict[str, list[dict[str, float]]] = {name: [] for name in checkouts}
    with tempfile.TemporaryDirectory(prefix="loadgate-overhead-") as scratch:
        for index in range(args.rounds):
            order = list(checkouts.items())
            for name, checkout in order if index % 2 == 0 else reversed(order):
                out = Path(scratch) / f"run-{index}-{len(rows[name])}-{checkout.name}"
                row = one_run(
                    checkout, out, args.duration, args.warmup, warmup_s, args.show_lines, target
                )
                rows[name].append(row)
                shown = ", ".join(f"{k.strip()} {v:.2f}" for k, v in row.items())
                print(f"round {index + 1}, {name}: {shown}", file=sys.stderr)
    given = " --target (the reference service, already running)" if target else ""
    print(
        f"`loadgate run scenarios/ci.yaml --duration {args.duration} --warmup {args.warmup}{given}`,"
    )
    print(f"{args.rounds} runs of each, one after the other (seconds):")
    for name, runs in rows.items():
        print(f"\n{name}:\n")
        print("| from → to | median | max | runs |")
        print("|---|---:|---:|---|")
        for key in runs[0]:
            if key == "exit code":
                continue
            values = [row[key] for row in runs if key in row]
            shown = ", ".join(f"{v:.2f}" for v in values)
            print(f"| {key} | {statistics.median(values):.2f} | {max(values):.2f} | {shown} |")
        print(f"\nexit codes: {sorted({int(row['exit code']) for row in runs})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
