"""RunProgress: the result of a run that ends after any stage holds what each finished stage
produced, and nothing of the stages that did not finish."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from harness.gate.verdict import inconclusive
from harness.progress import RunProgress
from harness.values.criteria import ScoreThresholds
from harness.values.stage_outputs import Judgement, LoadOutcome, Measurements
from harness.values.verdict import CriterionResult, Score
from tests.result_schema import check_result
from tests.unit.test_result_schema import HOME, MET, RUN, SAMPLES, on_disk, plan

STOPPED = inconclusive("interrupted before the run finished; results are partial")
LOAD = LoadOutcome(RUN.window, RUN.client, RUN.generator)
WITH_P99 = replace(HOME, prometheus_p99_ms=4.4)
MEASURED = Measurements(
    replace(RUN.client, total=WITH_P99, endpoints=(WITH_P99,)) if RUN.client else None,
    (MET,),
    SAMPLES,
    {"home-latency": {"burn_rate": [0.1]}},
)
CRITERION = CriterionResult("p99 of GET /v1/recommendations/home", 4.0, 10.0, True)


def test_a_run_stopped_before_the_stack_started_names_the_plans_target(tmp_path: Path) -> None:
    progress = RunProgress("r", RUN.started_at, "reference service")
    document = on_disk(tmp_path, progress.result(plan(tmp_path), STOPPED))
    assert document["run"]["target"] == "reference service"
    assert document["run"]["load_window"] is None and document["client"] is None
    assert document["slos"] == [] and document["samples"] == {}
    check_result(document)


def test_a_run_stopped_after_the_load_keeps_the_generators_numbers(tmp_path: Path) -> None:
    progress = RunProgress("r", RUN.started_at, RUN.target, LOAD)
    document = on_disk(tmp_path, progress.result(plan(tmp_path), STOPPED))
    assert document["run"]["load_window"]["seconds"] == 45.0
    assert document["client"]["total"]["requests"] == HOME.requests
    assert document["client"]["total"]["prometheus_p99_ms"] == HOME.prometheus_p99_ms
    assert document["generator"]["cpu_max"] == RUN.generator.cpu_max
    assert document["slos"] == [] and document["criteria"] == []
    check_result(document)


def test_measurements_replace_the_client_and_bring_the_slos_and_samples(tmp_path: Path) -> None:
    progress = RunProgress("r", RUN.started_at, RUN.target, LOAD, MEASURED)
    document = on_disk(tmp_path, progress.result(plan(tmp_path), STOPPED))
    assert document["client"]["total"]["prometheus_p99_ms"] == 4.4
    assert [slo["name"] for slo in document["slos"]] == ["home-latency"]
    assert document["samples"] == SAMPLES and document["slo_samples"]["home-latency"]
    assert document["criteria"] == [] and document["score"] is None
    assert progress.window == RUN.window and progress.samples is SAMPLES
    check_result(document)


def test_a_judged_run_reports_its_criteria_and_score(tmp_path: Path) -> None:
    score = Score(100.0, 1.0, 1.0, ScoreThresholds())
    judged = Judgement((CRITERION,), score, STOPPED)
    progress = RunProgress("r", RUN.started_at, RUN.target, LOAD, MEASURED, judged)
    document = on_disk(tmp_path, progress.result(plan(tmp_path), STOPPED))
    assert [c["name"] for c in document["criteria"]] == [CRITERION.name]
    assert document["score"]["value"] == 100.0
    check_result(document)
