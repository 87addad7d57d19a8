"""The stage that reads the history before judging (harness/stages/history.py), against the real
store: a run that reveals a +15 % p99 step (ten steady runs, then two at the new level, then this
one: the detector reports a step once three runs hold it) fails its history criteria; a PostgreSQL server that does not answer leaves them without data
(inconclusive), its password never shown; no history, or ``gate.history: off``, reads nothing."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness.history.record import history_run
from harness.history.store import open_history
from harness.stages.history import read_and_judge_history
from harness.values.plan import LoadProfile, Plan
from tests.history_runs import HOME, stand_in_detector
from tests.report.test_html_report import realistic_result

PLAN = Plan(
    name="ci", scenario_path=None, locustfile=Path("l.py"), slo_files=(), slos=(),
    load=LoadProfile(20, 20.0, 45.0, 10.0), out_dir=Path("reports"),
)  # fmt: skip


def result(number: int, p99_factor: float = 1.0) -> dict[str, Any]:
    """The realistic CI run's result.json as run ``number`` on main, its p99s scaled."""
    document = copy.deepcopy(realistic_result())
    document["run"]["id"] = f"20261101T{number:04d}Z-ci-{number:04x}"
    document["run"]["started_at"] = f"2026-11-{1 + number // 24:02d}T{number % 24:02d}:00:00Z"
    document["provenance"] = {"commit": f"{number:07x}", "branch": "main", "ci_url": None}
    for endpoint in [*document["client"]["endpoints"], document["client"]["total"]]:
        endpoint["p99_ms"] *= p99_factor
    return document


def test_without_a_history_or_with_gate_history_off_nothing_is_read(tmp_path: Path) -> None:
    said: list[str] = []
    assert read_and_judge_history(PLAN, result(0), tmp_path, said.append) is None
    off = replace(PLAN, history=str(tmp_path / "h.sqlite"), history_gate=None)
    assert read_and_judge_history(off, result(0), tmp_path, said.append) is None
    assert said == [] and not (tmp_path / "h.sqlite").exists()


def test_a_step_at_this_run_fails_its_history_criteria_in_a_real_sqlite_history(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.sqlite"
    with open_history(str(path)) as history:
        for number in range(12):
            factor = 1.15 if number >= 10 else 1.0
            history.append(history_run(result(number, factor), str(tmp_path / str(number))))
    plan = replace(PLAN, history=str(path))
    said: list[str] = []

    judged = read_and_judge_history(plan, result(12, 1.15), tmp_path / "12", said.append,
                                    stand_in_detector())  # fmt: skip

    assert judged is not None and said == ["reading the run history (main) to judge this run against"]  # fmt: skip
    failed = sorted(c.name for c in judged.criteria if c.passed is False)
    assert f"p99_ms of {HOME} vs history on main" in failed and "p99_ms of all vs history on main" in failed  # fmt: skip
    assert all(c.passed for c in judged.criteria if c.name.startswith("p50_ms"))


def test_a_postgresql_history_that_does_not_answer_leaves_the_criterion_without_data(
    tmp_path: Path,
) -> None:
    url = "postgresql://loadgate:s3cret-pass@127.0.0.1:1/history"  # nothing listens on port 1
    plan = replace(PLAN, history=url)

    judged = read_and_judge_history(plan, result(0), tmp_path, lambda _: None, stand_in_detector())

    assert judged is not None
    [criterion] = judged.criteria
    assert criterion.passed is None and criterion.detail.startswith("history not read: ")
    assert "s3cret-pass" not in criterion.detail
