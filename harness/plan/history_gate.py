"""The scenario's ``gate.history``, read and checked: how the run history judges a run.

```yaml
gate:
  history:                    # judged only when the run has a history (--history PATH|URL)
    tolerance_pct: 10         # a change point beyond it fails (default 10)
    key: true                 # failing it fails the run (default); false: scored, with weight
    weight: 1
    metrics: [p50_ms, p99_ms] # of every endpoint and of all requests; SLOs: sli, burn_rate
    branch: main              # the earlier runs compared with (default main)
    newest: 10                # a change point this run reveals, first run among the newest 10
    creep: warn               # creep warns (default), or is a note: `note`
```

``gate.history: off`` (or ``false``) turns it off; absent, the defaults apply.
"""

from __future__ import annotations

import math

from harness.fields import FieldReader
from harness.values.criteria import HistoryGate
from harness.values.history import ENDPOINT_METRICS, SLO_METRICS

__all__ = ["HISTORY_KEYS", "read_history_gate"]

HISTORY_KEYS = {"tolerance_pct", "key", "weight", "metrics", "branch", "newest", "creep"}
METRICS = (*ENDPOINT_METRICS, *SLO_METRICS)
PATH = ("gate", "history")
NEWEST_MAX = 60  # the detector looks no further back (changepoints.py: window_runs)


def read_history_gate(scenario: FieldReader | None) -> HistoryGate | None:
    """The settings; ``None`` when the scenario turns the criterion off. Problems are recorded on
    ``scenario`` (every one, each naming the field, the value and what is allowed)."""
    default = HistoryGate()
    entry = scenario.get(PATH, None) if scenario else None
    if scenario is None or entry is None or entry is True:
        return default
    if entry is False:
        return None
    if not isinstance(entry, dict):
        scenario.problem(
            PATH,
            f"{entry!r} is not allowed; allowed: off, or a mapping of "
            f"{', '.join(sorted(HISTORY_KEYS))}",
        )
        return default
    scenario.unknown_keys(PATH, HISTORY_KEYS)
    tolerance = _number(
        scenario, "tolerance_pct", default.tolerance_pct, "a percentage > 0, e.g. 10"
    )
    weight = _number(scenario, "weight", default.weight, "a number > 0")
    key = scenario.typed((*PATH, "key"), bool, "true or false", default.key)
    newest = scenario.typed(
        (*PATH, "newest"), int, f"a whole number 1 to {NEWEST_MAX}", default.newest
    )
    if isinstance(newest, int) and not 1 <= newest <= NEWEST_MAX:
        scenario.problem((*PATH, "newest"), f"{newest} is not allowed; allowed: 1 to {NEWEST_MAX}")
    branch = scenario.typed((*PATH, "branch"), str, "a branch name, e.g. main", default.branch)
    if branch == "":
        scenario.problem((*PATH, "branch"), "'' is not allowed; allowed: a branch name, e.g. main")
    creep = scenario.typed((*PATH, "creep"), str, "warn or note", "warn")
    if isinstance(creep, str) and creep not in ("warn", "note"):
        scenario.problem((*PATH, "creep"), f"{creep!r} is not allowed; allowed: warn or note")
    return HistoryGate(
        tolerance_pct=tolerance,
        key=key if isinstance(key, bool) else default.key,
        weight=weight,
        metrics=_metrics(scenario, default.metrics),
        branch=branch if isinstance(branch, str) and branch else default.branch,
        newest=newest if isinstance(newest, int) and 1 <= newest <= NEWEST_MAX else default.newest,
        creep_warns=creep != "note",
    )


def _number(scenario: FieldReader, name: str, default: float, allowed: str) -> float:
    value = scenario.get((*PATH, name), default)
    number = _as_number(value)
    if number is None or not 0 < number < math.inf:
        scenario.problem((*PATH, name), f"{value!r} is not allowed; allowed: {allowed}")
        return default
    return number


def _as_number(value: object) -> float | None:
    """A number, or a percentage written "10%"; ``None`` for anything else (a bool included)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().removesuffix("%"))
        except ValueError:
            return None
    return None


def _metrics(scenario: FieldReader, default: tuple[str, ...]) -> tuple[str, ...]:
    allowed = f"a list of metrics, each one of {', '.join(METRICS)}"
    value = scenario.typed((*PATH, "metrics"), list, allowed, None)
    if not isinstance(value, list):
        return default
    unknown = [m for m in value if m not in METRICS]
    if not value or unknown:
        bad = repr(unknown[0]) if unknown else "[]"
        scenario.problem((*PATH, "metrics"), f"{bad} is not allowed; allowed: {allowed}")
        return default
    return tuple(dict.fromkeys(str(m) for m in value))
