"""How every reporter writes a number — one rule for a value that is missing — and which latency
percentiles the endpoint tables show.

Reporters read numbers from the result document or from live queries, where a value may be missing
(``None``) or not finite (NaN from an empty window). Both are shown as "–", never as "nan" or an
exception; so is anything that is not a number at all.
"""

from __future__ import annotations

import math

from harness.values.result_doc import ResultDoc
from harness.values.run_result import PERCENTILE_KEYS, PercentileKey

__all__ = ["TABLE_PERCENTILES", "comparison_lines", "num", "traffic_lines"]

MISSING = "–"
# p90 adds little between p50 and p95: the endpoint tables leave it out (result.json has it).
TABLE_PERCENTILES: tuple[PercentileKey, ...] = tuple(k for k in PERCENTILE_KEYS if k != "p90_ms")


def num(value: object, spec: str = ",.3g", suffix: str = "") -> str:
    """``value`` formatted by ``spec`` with ``suffix``; "–" when it is not a finite number (a bool
    is not a number here)."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return MISSING
    if spec.endswith("d") and isinstance(value, float):  # a count read back from JSON as 3.0
        value = round(value)
    return f"{value:{spec}}{suffix}"


def comparison_lines(result: ResultDoc) -> list[str]:
    """What a comparison with a baseline could see, and what it could not judge: for people, in
    every report (a run compared with nothing has none)."""
    duet, baseline = result.get("duet"), result.get("baseline")
    lines: list[str] = []
    if duet:
        lines.append(
            f"Duet: the baseline {duet['baseline_target']} ran beside the candidate, same traffic."
        )
        detectable, unjudged = duet["detectable"], duet["unjudged"]
    elif baseline:
        detectable, unjudged = baseline.get("detectable", []), baseline.get("unjudged", [])
    else:
        return lines
    if detectable:
        could = "; ".join(f"{d['criterion']} ≥ {d['shift_pct']:.0f} %" for d in detectable)
        lines.append(f"This run could detect regressions of: {could}.")
    lines += [f"Not judged: {reason}" for reason in unjudged]
    return lines


def traffic_lines(result: ResultDoc) -> list[str]:
    """What the traffic exercised, for people: the seed that repeats it, sessions and distinct
    visitors, the service's cache hit ratio, and every response check that failed (a result
    written before #14 has none)."""
    traffic = result.get("traffic")
    if traffic is None:
        return []
    parts = [f"seed {traffic['seed']}" + ("" if traffic["seed_given"] else " (drawn)")]
    if traffic["sessions"]:
        at_least = "≥ " if traffic["visitors_capped"] else ""
        parts.append(f"{traffic['sessions']:,} sessions by {at_least}"
                     f"{traffic['distinct_visitors']:,} distinct visitors")  # fmt: skip
    if (ratio := traffic["cache_hit_ratio"]) is not None:
        parts.append(f"service cache hit ratio {ratio:.1%}")
    lines = ["Traffic: " + ", ".join(parts) + "."]
    for check in traffic["checks"]:
        total = check["passed"] + check["failed"]
        if check["failed"] and total:
            lines.append(f"Check {check['check']!r} of {check['name']} failed on "
                         f"{check['failed']:,} of {total:,} responses "
                         f"({check['failed'] / total:.2%}).")  # fmt: skip
    return lines
