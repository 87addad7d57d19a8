"""Does the harness itself stay flat over an hour? A real soak at a steady rate, then its numbers.

    .venv/bin/python benchmarks/soak_harness_rss.py [--duration 1h] [--rate 50]

Runs ``loadgate soak scenarios/soak.yaml`` against the reference service (no paging) for the
duration and reads the soak's own resource series from result.json: the harness's RSS (the
``loadgate`` process: monitor thread, Prometheus client, live view, report state), the
reference service's RSS and open fds. Reports the RSS at the start of the measured window, at
the end, the growth, and the fitted trend with its 95 % interval. Goal: harness growth < 10 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
EDGE_S = 300.0  # the first and last five minutes' medians are "start" and "end"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default="1h")
    parser.add_argument("--rate", type=float, default=50.0, help="arrivals per second")
    parser.add_argument("--out", type=Path, default=REPO / "reports" / "bench-soak")
    args = parser.parse_args()

    command = [
        sys.executable, "-m", "harness", "soak", "scenarios/soak.yaml",
        "--duration", args.duration, "--warmup", "1m", "--arrival-rate", f"{args.rate:g}",
        "--out", str(args.out), "--no-live",
    ]  # fmt: skip
    print("$", " ".join(command), flush=True)
    completed = subprocess.run(command, cwd=REPO, check=False)
    results = sorted(args.out.glob("*/result.json"))
    if not results:
        print("no result.json written", file=sys.stderr)
        return 1
    result = json.loads(results[-1].read_text())
    print(f"soak verdict: {result['verdict']} (exit {completed.returncode}); {results[-1]}")
    resources = result["soak"]["resources"]["series"]
    for series in resources.values():
        print(summarise(series))
    for finding in result["soak"]["findings"]:
        print(f"- {finding['what']}: {finding['status']}: {finding['sentence']}")
    return 0


def summarise(series: dict[str, Any]) -> str:
    """One line per resource, in the unit result.json gives it (raw values, ``scale`` per unit)."""
    what, times, values = series["what"], series["t_s"], series["values"]
    if not times:
        return f"{what}: no samples"
    end = times[-1]
    first = [v for t, v in zip(times, values, strict=True) if t <= EDGE_S + 60]  # after warm-up
    last = [v for t, v in zip(times, values, strict=True) if t >= end - EDGE_S]
    start_v, end_v = statistics.median(first), statistics.median(last)
    scale, unit = series["scale"], f" {series['unit']}" if series["unit"] else ""
    return (
        f"{what}: {len(values)} samples over {end / 60:.0f} min; median of the first 5 min "
        f"{start_v / scale:.1f}{unit}, of the last 5 min {end_v / scale:.1f}{unit}, growth "
        f"{(end_v - start_v) / scale:+.1f}{unit}; max {max(values) / scale:.1f}{unit}"
    )


if __name__ == "__main__":
    sys.exit(main())
