"""The scenario's ``gate.history``: the defaults without it, each key read, ``off`` turning it off,
and every bad value refused at once, naming the field, the value and what is allowed (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.plan import RunOptions
from harness.values.criteria import HistoryGate
from tests.unit.test_plan import build_plan, make_scenario


def plan_with(tmp_path: Path, gate: str) -> HistoryGate | None:
    scenario = make_scenario(tmp_path)
    scenario.write_text(scenario.read_text() + gate)
    return build_plan(RunOptions(scenario=scenario)).history_gate


def test_without_gate_history_the_defaults_judge_p50_and_p99_on_main_as_key(
    tmp_path: Path,
) -> None:
    assert plan_with(tmp_path, "") == HistoryGate(10.0, True, 1.0, ("p50_ms", "p99_ms"), "main", 10)
    assert plan_with(tmp_path, "gate:\n  history: true\n") == HistoryGate()


def test_off_turns_it_off(tmp_path: Path) -> None:
    assert plan_with(tmp_path, "gate:\n  history: off\n") is None


def test_every_key_is_read(tmp_path: Path) -> None:
    gate = (
        "gate:\n  history:\n    tolerance_pct: 15%\n    key: false\n    weight: 2\n"
        "    metrics: [p99_ms, burn_rate, p99_ms]\n    branch: trunk\n    newest: 5\n"
        "    creep: note\n"
    )
    assert plan_with(tmp_path, gate) == HistoryGate(
        15.0, False, 2.0, ("p99_ms", "burn_rate"), "trunk", 5, creep_warns=False
    )


def test_every_bad_value_is_refused_together_naming_what_is_allowed(tmp_path: Path) -> None:
    gate = (
        "gate:\n  history:\n    tolerance_pct: -3\n    key: maybe\n    weight: 0\n"
        "    metrics: [p98_ms]\n    branch: ''\n    newest: 80\n    creep: shout\n    tolerence: 5\n"
    )
    with pytest.raises(InputError) as caught:
        plan_with(tmp_path, gate)
    problems = {p.field: p.message for p in caught.value.problems}
    assert problems == {
        "gate.history.tolerance_pct": "-3 is not allowed; allowed: a percentage > 0, e.g. 10",
        "gate.history.key": "'maybe' is not allowed; allowed: true or false",
        "gate.history.weight": "0 is not allowed; allowed: a number > 0",
        "gate.history.metrics": "'p98_ms' is not allowed; allowed: a list of metrics, each one "
        "of p50_ms, p95_ms, p99_ms, error_ratio, throughput, sli, burn_rate",
        "gate.history.branch": "'' is not allowed; allowed: a branch name, e.g. main",
        "gate.history.newest": "80 is not allowed; allowed: 1 to 60",
        "gate.history.creep": "'shout' is not allowed; allowed: warn or note",
        "gate.history.tolerence": "unknown field; allowed here: branch, creep, key, metrics, "
        "newest, tolerance_pct, weight",
    }
    assert all(p.line is not None for p in caught.value.problems)


def test_a_gate_history_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"gate.history: 10 is not allowed; allowed: off, or a"):
        plan_with(tmp_path, "gate:\n  history: 10\n")
