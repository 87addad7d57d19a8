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

__all__ = ["TABLE_PERCENTILES", "num"]

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
