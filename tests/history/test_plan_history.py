"""Where a run is recorded, as the plan reads it: ``--history`` wins over the scenario's
``history:``, a relative path in a scenario is read from its folder, and a history loadgate must
not use is refused with the plan's other problems — before anything starts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from harness.errors import InputError
from harness.plan import RunOptions
from harness.plan import build_plan as _build_plan
from harness.values.plan import Plan
from tests.conftest import free_port, write
from tests.unit.test_plan import make_scenario


def build_plan(options: RunOptions) -> Plan:
    return _build_plan(options, probe=None)  # stand-in locustfiles: no probe


def test_without_flag_or_key_a_run_is_not_recorded(tmp_path: Path) -> None:
    assert build_plan(RunOptions(scenario=make_scenario(tmp_path))).history is None


def test_the_scenario_s_key_is_read_from_the_scenario_s_folder(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path / "scenarios")
    scenario.write_text(scenario.read_text() + "history: ../reports/history.sqlite\n")
    plan = build_plan(RunOptions(scenario=scenario))
    assert plan.history == str(tmp_path / "scenarios" / "../reports/history.sqlite")


def test_the_flag_wins_over_the_key(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path)
    scenario.write_text(scenario.read_text() + "history: team.sqlite\n")
    plan = build_plan(RunOptions(scenario=scenario, history="mine.sqlite"))
    assert plan.history == "mine.sqlite"  # the command line's, from the working directory


def test_a_url_in_the_scenario_is_kept_as_written(tmp_path: Path) -> None:
    scenario = make_scenario(tmp_path)
    url = f"postgresql://ci@127.0.0.1:{free_port()}/history"  # nothing answers: tried at the end
    scenario.write_text(scenario.read_text() + f"history: {url}\n")
    assert build_plan(RunOptions(scenario=scenario)).history == url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[a, b]", "history: ['a', 'b'] is not allowed; allowed: a file path (SQLite) or a postgresql:// URL"),
        ("sqlite:///h.db", "history: 'sqlite:///h.db': sqlite:// is not a history loadgate can keep"),
    ],
)  # fmt: skip
def test_a_key_of_the_wrong_form_is_refused_naming_the_scenario(
    tmp_path: Path, value: str, expected: str
) -> None:
    scenario = make_scenario(tmp_path)
    scenario.write_text(scenario.read_text() + f"history: {value}\n")
    with pytest.raises(InputError) as refused:
        build_plan(RunOptions(scenario=scenario))
    assert any(
        str(p).startswith(str(scenario)) and expected in str(p) for p in refused.value.problems
    )


def test_a_foreign_history_is_refused_with_the_plan_s_other_problems(tmp_path: Path) -> None:
    foreign = tmp_path / "app.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE orders (id INTEGER)")
    scenario = write(tmp_path / "s.yaml", "load:\n  locustfile: nowhere.py\n")

    with pytest.raises(InputError) as refused:
        build_plan(RunOptions(scenario=scenario, history=str(foreign)))

    shown = [str(p) for p in refused.value.problems]
    assert any("nowhere.py" in line for line in shown)
    assert any(
        line.startswith(f"{foreign}: (database): is not a loadgate history") for line in shown
    )
