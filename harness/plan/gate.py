"""The scenario's ``gate:`` section, read and checked: limits, criteria and the score.

Criteria are read by criteria.py, ``gate.history`` by history_gate.py; ``max_burn_rate`` becomes a key burn-rate criterion.
Without relative criteria, a run with ``--baseline`` uses p99 ≤ +10 % and throughput ≥ −5 % per
endpoint, as key criteria.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from harness.fields import FieldReader
from harness.gate.absolute import max_burn_rate
from harness.plan.criteria import GateCriteria, read_criteria, read_score
from harness.plan.history_gate import read_history_gate
from harness.values.criteria import HistoryGate, ScoreThresholds

__all__ = ["GateSettings", "read_gate"]


@dataclass(frozen=True)
class GateSettings:
    min_events: int = 100  # fewer events in an SLO's window is no_data, never met
    max_generator_cpu: float = 90.0
    criteria: GateCriteria = field(default_factory=GateCriteria)
    score: ScoreThresholds | None = None
    history: HistoryGate | None = field(default_factory=HistoryGate)  # None: gate.history: off


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
    criteria = read_criteria(scenario)
    if isinstance(max_burn, int | float):  # judged first, as the criterion it is
        criteria = replace(criteria, absolute=(max_burn_rate(float(max_burn)), *criteria.absolute))
    return GateSettings(
        min_events=min_events if isinstance(min_events, int) else 100,
        max_generator_cpu=float(max_cpu) if isinstance(max_cpu, int | float) else 90.0,
        criteria=criteria,
        score=read_score(scenario),
        history=read_history_gate(scenario),
    )
