"""The ci gate under the shopper traffic before and after #14, side by side in one sitting.

    .venv/bin/python benchmarks/shopper_traffic.py [--rounds 3] [--before REV] [--out DIR]

A is the shopper locustfile as it was at REV (default b989d32: one shopper per Locust user for
its whole life), B the one in this checkout (sessions over the whole user base). Each round runs
`loadgate run scenarios/ci.yaml` once with each, the order alternating round by round, so a noisy
minute of the shared machine falls on both; every run starts its own reference service, so each
begins with cold caches. Prints, per variant, the median over the rounds of: the service's cache
hit ratio, the distinct shoppers (B reports them; A asks for at most one per Locust user, 20),
requests per second and the home page's and all requests' client-side p50/p99.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LOADGATE = [sys.executable, "-m", "harness"]
HOME = "/v1/recommendations/home"


def run(locustfile: Path, out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [*LOADGATE, "run", "scenarios/ci.yaml", "--locustfile", str(locustfile), "--no-live",
         "--out", str(out)],
        cwd=REPO, check=False, capture_output=True, timeout=600,
    )  # fmt: skip
    [result] = sorted(out.glob("*/result.json"))
    document: dict[str, Any] = json.loads(result.read_text())
    return document


def figures(result: dict[str, Any]) -> dict[str, float]:
    client, traffic = result["client"], result.get("traffic", {})
    [home] = [e for e in client["endpoints"] if e["name"] == HOME]
    seconds = result["run"]["load_window"]["seconds"]
    return {
        "cache hit ratio": traffic.get("cache_hit_ratio") or float("nan"),
        "distinct shoppers": traffic.get("distinct_visitors") or float("nan"),
        "requests/s": client["total"]["requests"] / seconds,
        "home p50 ms": home["p50_ms"],
        "home p99 ms": home["p99_ms"],
        "all p50 ms": client["total"]["p50_ms"],
        "all p99 ms": client["total"]["p99_ms"],
        "verdict": {"pass": 0.0, "warn": 0.5}.get(result["verdict"], 1.0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", default="b989d32", help="the revision of A's locustfile")
    parser.add_argument("--out", type=Path, default=REPO / "reports" / "bench-traffic")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="loadgate-traffic-"))
    before = folder / "recommendations_before.py"
    before.write_text(subprocess.run(
        ["git", "show", f"{args.before}:scenarios/locustfiles/recommendations.py"],
        cwd=REPO, check=True, capture_output=True, text=True,
    ).stdout)  # fmt: skip
    variants = {
        "A (before)": before,
        "B (sessions)": REPO / "scenarios/locustfiles/recommendations.py",
    }
    seen: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    for round_ in range(args.rounds):
        order = list(variants) if round_ % 2 == 0 else list(reversed(variants))
        for name in order:
            result = run(variants[name], args.out / f"{round_}-{name.split()[0]}")
            seen[name].append(figures(result))
            print(f"round {round_ + 1} {name}: {seen[name][-1]}", flush=True)
    print(f"\nmedian of {args.rounds} round(s), A and B interleaved:")
    for key in seen["A (before)"][0]:
        a = statistics.median(f[key] for f in seen["A (before)"])
        b = statistics.median(f[key] for f in seen["B (sessions)"])
        print(f"  {key:18} A {a:10.3f}   B {b:10.3f}   B/A {b / a if a else float('nan'):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
