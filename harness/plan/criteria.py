"""The scenario's ``gate.criteria``, read and checked: absolute and relative, Keptn-style.

```yaml
gate:
  score: {pass: 90%, warning: 75%}              # the total score's thresholds (Keptn's defaults)
  criteria:
    - {metric: p99_ms, pass: "< 300ms", warning: "< 500ms", weight: 2}
    - {metric: error_ratio, pass: "< 0.1%", key: true}     # key: failing it fails the run
    - {metric: slos_met}                                   # every SLO met, as a scored criterion
    - {metric: burn_rate, pass: "<= 1"}
    - {metric: p99_ms, pass: "<= +10%", warning: "<= +20%"}   # signed %: against the baseline
    - {metric: throughput, max_decrease: 5%, endpoint: "GET /v1/recommendations/home"}
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.fields import FieldReader
from harness.values.criteria import (
    ALL_ENDPOINTS,
    LATENCY_METRICS,
    AbsoluteCriterion,
    Bound,
    Direction,
    RelativeCriterion,
    ScoreThresholds,
)
from harness.values.samples import METRICS as RELATIVE_METRICS

__all__ = ["GateCriteria", "read_criteria", "read_score"]

ABSOLUTE_METRICS = (*LATENCY_METRICS, "error_ratio", "throughput", "burn_rate", "slos_met")
ENTRY_KEYS = {"metric", "pass", "warning", "max_increase", "max_decrease", "weight", "key"} | {
    "endpoint",
    "slo",
}
ALLOWED = (
    "{metric: one of " + ", ".join(ABSOLUTE_METRICS) + "; pass: e.g. '< 300ms', '< 0.1%', "
    "'<= 1', or against the baseline '<= +10%' / '>= -5%' (or max_increase: 10% | "
    "max_decrease: 5%); warning: optional looser bound; weight: > 0; key: true|false; "
    "endpoint: all | each | 'GET /path'; slo: optional SLO name}"
)
BOUND = re.compile(r"^\s*(<=|>=|<|>)\s*([+-]?)(\d+(?:\.\d+)?)\s*(ms|s|%|/s|x|×)?\s*$")
UNITS = {  # metric family → the units its bounds may be written in, and the factor to its own unit
    "latency": {None: 1.0, "ms": 1.0, "s": 1000.0},
    "error_ratio": {None: 1.0, "%": 0.01},
    "throughput": {None: 1.0, "/s": 1.0},
    "burn_rate": {None: 1.0, "x": 1.0, "×": 1.0},
}


@dataclass(frozen=True)
class GateCriteria:
    relative: tuple[RelativeCriterion, ...] = ()
    absolute: tuple[AbsoluteCriterion, ...] = ()


def read_criteria(scenario: FieldReader | None) -> GateCriteria:
    entries = scenario.get(("gate", "criteria"), []) if scenario else []
    if scenario is None or not entries:
        return GateCriteria()
    if not isinstance(entries, list):
        scenario.problem(
            ("gate", "criteria"), f"{entries!r} is not allowed; allowed: a list of {ALLOWED}"
        )
        return GateCriteria()
    relative: list[RelativeCriterion] = []
    absolute: list[AbsoluteCriterion] = []
    for i, entry in enumerate(entries):
        path = ("gate", "criteria", i)
        try:
            criterion = _criterion(entry)
        except ValueError as exc:
            scenario.problem(path, f"{entry!r} is not allowed: {exc}; allowed: {ALLOWED}")
            continue
        if isinstance(criterion, RelativeCriterion):
            relative.append(criterion)
        else:
            absolute.append(criterion)
    return GateCriteria(tuple(relative), tuple(absolute))


def read_score(scenario: FieldReader | None) -> ScoreThresholds | None:
    entry = scenario.get(("gate", "score"), None) if scenario else None
    if scenario is None or entry is None:
        return None
    allowed = "{pass: 90%, warning: 75%}: percentages, warning ≤ pass"
    if not isinstance(entry, dict) or set(entry) - {"pass", "warning"}:
        scenario.problem(("gate", "score"), f"{entry!r} is not allowed; allowed: {allowed}")
        return None
    default = ScoreThresholds()
    pass_pct = _percent(entry.get("pass", default.pass_pct))
    warning_pct = _percent(entry.get("warning", default.warning_pct))
    if pass_pct is None or warning_pct is None or warning_pct > pass_pct or pass_pct > 100:
        scenario.problem(("gate", "score"), f"{entry!r} is not allowed; allowed: {allowed}")
        return None
    return ScoreThresholds(pass_pct, warning_pct)


def _criterion(entry: object) -> RelativeCriterion | AbsoluteCriterion:
    if not isinstance(entry, dict):
        raise ValueError("a criterion is a mapping")
    unknown = set(entry) - ENTRY_KEYS
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]!r}")
    metric = entry.get("metric")
    if not isinstance(metric, str) or metric not in ABSOLUTE_METRICS:
        raise ValueError(f"metric {metric!r} is not known")
    weight = entry.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
        raise ValueError(f"weight {weight!r} is not a number > 0")
    key = entry.get("key", False)
    if not isinstance(key, bool):
        raise ValueError(f"key {key!r} is not true or false")
    if _is_relative(entry):
        return _relative(entry, metric, float(weight), key)
    if metric == "slos_met":
        if "pass" in entry or "warning" in entry:
            raise ValueError("slos_met takes no bound: it passes when the SLO is met")
        return AbsoluteCriterion(metric, None, slo=_slo(entry), weight=float(weight), key=key)
    if "pass" not in entry:
        raise ValueError("it needs a pass bound")
    return AbsoluteCriterion(
        metric,
        _bound(metric, entry["pass"]),
        _bound(metric, entry["warning"]) if "warning" in entry else None,
        endpoint=str(entry.get("endpoint", ALL_ENDPOINTS)),
        slo=_slo(entry),
        weight=float(weight),
        key=key,
    )


def _is_relative(entry: dict[str, object]) -> bool:
    if "max_increase" in entry or "max_decrease" in entry:
        return True
    match = BOUND.match(str(entry.get("pass", "")))
    return bool(match and match.group(2) and match.group(4) == "%")


def _relative(entry: dict[str, object], metric: str, weight: float, key: bool) -> RelativeCriterion:
    if metric not in RELATIVE_METRICS:
        raise ValueError(f"{metric} cannot be compared with a baseline")
    forms = [name for name in ("max_increase", "max_decrease", "pass") if name in entry]
    if len(forms) != 1:
        raise ValueError("give one of pass, max_increase, max_decrease")
    if forms[0] == "pass":
        direction, tolerance = _relative_bound(entry["pass"])
    else:
        direction = (
            Direction.HIGHER_IS_WORSE if forms[0] == "max_increase" else Direction.LOWER_IS_WORSE
        )
        written = _percent(entry[forms[0]])
        if written is None:
            raise ValueError(f"{forms[0]} {entry[forms[0]]!r} is not a percentage")
        tolerance = written
    warning = None
    if "warning" in entry:
        warning_direction, warning = _relative_bound(entry["warning"])
        if warning_direction is not direction or warning < tolerance:
            raise ValueError(f"warning {entry['warning']!r} is not looser than the pass bound")
    endpoint = entry.get("endpoint")
    if endpoint == ALL_ENDPOINTS:
        raise ValueError("a baseline is compared per endpoint: endpoint each or 'GET /path'")
    return RelativeCriterion(
        metric,
        tolerance,
        direction,
        None if endpoint in (None, "each") else str(endpoint),
        warning_tolerance_pct=warning,
        weight=weight,
        key=key,
    )


def _relative_bound(text: object) -> tuple[Direction, float]:
    match = BOUND.match(str(text))
    if not match or match.group(4) != "%" or not match.group(2):
        raise ValueError(f"{text!r} is not a change against the baseline, e.g. '<= +10%'")
    op, sign, number = match.group(1), match.group(2), float(match.group(3))
    if (sign == "+") != op.startswith("<"):
        raise ValueError(f"{text!r} bounds the wrong side: a rise is '<= +N%', a fall '>= -N%'")
    return (Direction.HIGHER_IS_WORSE if sign == "+" else Direction.LOWER_IS_WORSE), number


def _bound(metric: str, text: object) -> Bound:
    match = BOUND.match(str(text))
    family = "latency" if metric in LATENCY_METRICS else metric
    units = UNITS[family]
    if not match or match.group(2) or match.group(4) not in units:
        written = ", ".join(u for u in units if u) or "no unit"
        raise ValueError(f"{text!r} is not a bound for {metric} (e.g. '< 300'; units: {written})")
    value = float(match.group(3)) * units[match.group(4)]
    if metric == "error_ratio" and value > 1:
        raise ValueError(f"{text!r} is more than 100 %")
    return Bound(match.group(1), value)


def _percent(value: object) -> float | None:
    text = str(value).strip().removesuffix("%").lstrip("+-")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number >= 0 else None


def _slo(entry: dict[str, object]) -> str | None:
    slo = entry.get("slo")
    if slo is not None and not isinstance(slo, str):
        raise ValueError(f"slo {slo!r} is not an SLO name")
    return slo
