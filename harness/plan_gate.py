"""The scenario's ``gate:`` section, read and checked: limits and relative criteria.

```yaml
gate:
  criteria:
    - {metric: p99_ms, max_increase: 10%}                     # every endpoint
    - {metric: throughput, max_decrease: 5%}
    - {metric: p95_ms, max_increase: 20%, endpoint: "GET /v1/recommendations/home"}
```
Without criteria, a run with ``--baseline`` uses p99 ≤ +10 % and throughput ≥ −5 % per endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.gate.relative import RelativeCriterion
from harness.gate.samples import METRICS
from harness.gate.statistics import Direction
from harness.validation import FieldReader

__all__ = ["GateSettings", "read_gate"]

ALLOWED = f"{{metric: one of {', '.join(METRICS)}, max_increase: 10% | max_decrease: 5%, endpoint: optional}}"


@dataclass(frozen=True)
class GateSettings:
    min_events: int = 100  # fewer events in an SLO's window is no_data, never met
    max_generator_cpu: float = 90.0
    max_burn_rate: float | None = None
    criteria: tuple[RelativeCriterion, ...] = ()


def read_gate(scenario: FieldReader | None) -> GateSettings:
    if scenario is None:
        return GateSettings()
    min_events = scenario.typed(("gate", "min_events"), int, "a whole number ≥ 1", 100)
    if isinstance(min_events, int) and min_events < 1:
        scenario.problem(
            ("gate", "min_events"), f"{min_events} is not allowed; allowed: a whole number ≥ 1"
        )
    cpu_allowed = "a percentage of one core, 1 to 100"
    max_cpu = scenario.typed(("gate", "max_generator_cpu"), (int, float), cpu_allowed, 90.0)
    if isinstance(max_cpu, int | float) and not 1 <= max_cpu <= 100:
        scenario.problem(
            ("gate", "max_generator_cpu"), f"{max_cpu} is not allowed; allowed: {cpu_allowed}"
        )
    burn_allowed = "a burn-rate bound > 0, e.g. 1"
    max_burn = scenario.typed(("gate", "max_burn_rate"), (int, float), burn_allowed, None)
    if isinstance(max_burn, int | float) and max_burn <= 0:
        scenario.problem(
            ("gate", "max_burn_rate"), f"{max_burn} is not allowed; allowed: {burn_allowed}"
        )
    return GateSettings(
        min_events=min_events if isinstance(min_events, int) else 100,
        max_generator_cpu=float(max_cpu) if isinstance(max_cpu, int | float) else 90.0,
        max_burn_rate=float(max_burn) if isinstance(max_burn, int | float) else None,
        criteria=read_criteria(scenario),
    )


def read_criteria(scenario: FieldReader | None) -> tuple[RelativeCriterion, ...]:
    entries = scenario.get(("gate", "criteria"), []) if scenario else []
    if not isinstance(entries, list):
        assert scenario is not None
        scenario.problem(
            ("gate", "criteria"), f"{entries!r} is not allowed; allowed: a list of {ALLOWED}"
        )
        return ()
    criteria = []
    for i, entry in enumerate(entries):
        assert scenario is not None
        path = ("gate", "criteria", i)
        if (
            not isinstance(entry, dict)
            or entry.get("metric") not in METRICS
            or ("max_increase" in entry) == ("max_decrease" in entry)
        ):
            scenario.problem(path, f"{entry!r} is not allowed; allowed: {ALLOWED}")
            continue
        increase = "max_increase" in entry
        tolerance = _percent(entry["max_increase" if increase else "max_decrease"])
        if tolerance is None:
            scenario.problem(
                path, f"{entry!r} has a tolerance that is not a percentage; allowed: e.g. 10%"
            )
            continue
        direction = Direction.HIGHER_IS_WORSE if increase else Direction.LOWER_IS_WORSE
        criteria.append(
            RelativeCriterion(entry["metric"], tolerance, direction, entry.get("endpoint"))
        )
    return tuple(criteria)


def _percent(value: Any) -> float | None:
    text = str(value).strip().removesuffix("%").lstrip("+-")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number >= 0 else None
