"""docs/result-json.schema.json is a valid schema, the real writer's documents match it, and it
refuses what the contract does not allow (an unknown verdict, a verdict and exit code that differ)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from harness.gate.verdict import decide
from harness.json_shape import typed_fields
from harness.progress import RunProgress
from harness.result_file import read_result, write_result
from harness.values import result_doc, soak_doc
from harness.values.arrivals import ArrivalProfile, Stage
from harness.values.baseline import Baseline
from harness.values.criteria import ScoreThresholds
from harness.values.plan import LoadProfile, Plan
from harness.values.run_result import (
    ClientStats,
    EndpointStats,
    GeneratorHealth,
    LoadWindow,
    Percentiles,
    ProcessCpu,
    RunResult,
)
from harness.values.stage_outputs import Judgement, LoadOutcome, Measurements
from harness.values.verdict import CriterionResult, Score, SLOEvaluation, SLOStatus, StepResult
from tests.conftest import REPO
from tests.result_schema import check_result, problems, schema
from tests.unit.test_soak_monitor import ScriptedPrometheus, make_monitor, wait_for_evaluations

START = 1_795_000_000.0
HOME = EndpointStats(
    "/v1/recommendations/home", "GET", 500, 2, 1.5, 2.0, 2.5, 4.0, 9.0, 12.0,
    uncorrected=Percentiles(1.4, 1.9, 2.4, 3.5, 8.0, 11.0), prometheus_p99_ms=4.2,
)  # fmt: skip
RUN = RunResult(
    run_id="20261127T120000Z-ci-abcd",
    started_at=START,
    target="http://127.0.0.1:8080",
    window=LoadWindow(START + 10, START + 55),
    client=ClientStats(total=HOME, endpoints=(HOME,)),
    generator=GeneratorHealth(
        cpu_max=31.5, dropped_iterations=3, exit_code=0, target_arrival_rate=50.0,
        achieved_arrival_rate=49.9, processes=(ProcessCpu("pid 4711", 31.5),), iterations=2250,
        user_errors=1, warnings=("1 of 2250 iterations raised",),
    ),
)  # fmt: skip
MET = SLOEvaluation("home-latency", SLOStatus.MET, 0.99, 0.998, 500.0, 0.2, "", 3.7e-7)
BREACHED = SLOEvaluation("home-latency", SLOStatus.BREACHED, 0.99, 0.97, 250.0, 3.0)
NO_DATA = SLOEvaluation("home-availability", SLOStatus.NO_DATA, 0.995, None, 12.0, None, "few")
SAMPLES: dict[str, dict[str, list[float | None]]] = {
    "GET /v1/recommendations/home": {"p99_ms": [3.9, None, 4.1], "throughput": [50.0, 0.0, 49.0]}
}


def plan(tmp_path: Path, with_baseline: bool = True) -> Plan:
    locustfile = tmp_path / "locustfile.py"
    locustfile.write_text("# the fingerprint hashes it\n")
    arrivals = ArrivalProfile((Stage(20.0, 50.0), Stage(25.0, 100.0)))
    return Plan(
        name="ci", scenario_path=tmp_path / "ci.yaml", locustfile=locustfile, slo_files=(),
        slos=(), load=LoadProfile(20, 20.0, 45.0, 10.0, arrivals=arrivals), out_dir=tmp_path,
        baseline=Baseline("main", "baselines/main.json", {}, SAMPLES, "run-0") if with_baseline else None,
        locust_args=("--tags", "home"),
    )  # fmt: skip


def progress() -> RunProgress:
    """A run with every optional part filled: criteria, a score, stress steps, samples."""
    criteria = (
        CriterionResult("p99 vs baseline", 4.1, 10.0, True, "", True, 3.9, 5.1, (-1.0, 9.5), 0.2),
        CriterionResult("burn rate of home-latency", None, 0.5, None, "no data", weight=2.0),
    )
    steps = (
        StepResult(0, 50.0, LoadWindow(START + 10, START + 30), (MET,)),
        StepResult(1, 100.0, LoadWindow(START + 35, START + 55), (BREACHED, NO_DATA)),
    )
    measured = Measurements(
        RUN.client,
        (MET, NO_DATA),
        SAMPLES,
        {"home-latency": {"burn_rate": [0.1, None, 0.3]}},
        steps,
    )
    score = Score(62.5, 2.5, 4.0, ScoreThresholds())
    verdict = decide(measured.evaluations, RUN.generator, RUN.window, RUN.client, (), criteria)
    return recorded(RUN, measured, Judgement(criteria, score, verdict))


def recorded(
    run: RunResult, measured: Measurements | None = None, judged: Judgement | None = None
) -> RunProgress:
    """What a run records as its stages return: the load's outcome, then the measurements, then
    the judgement."""
    load = LoadOutcome(run.window, run.client, run.generator)
    return RunProgress(run.run_id, run.started_at, run.target, load, measured, judged)


def evaluated(*evaluations: SLOEvaluation) -> Measurements:
    return Measurements(RUN.client, evaluations, {}, {})


def on_disk(tmp_path: Path, document: result_doc.ResultDoc) -> Any:
    """The document as a reader gets it: written by the real writer, read back by the real reader
    (which checks it against ``ResultDoc``, the type every reader indexes it by)."""
    path = write_result(tmp_path, document)
    assert read_result(path) == json.loads(path.read_text())
    return json.loads(path.read_text())


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(schema())
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_a_run_with_every_part_filled_matches_the_schema(tmp_path: Path) -> None:
    run = progress()
    assert run.judgement is not None
    document = on_disk(tmp_path, run.result(plan(tmp_path), run.judgement.verdict))
    assert document["breaking_point"]["step"] == 1 and document["baseline"]["name"] == "main"
    check_result(document)


def test_a_run_that_measured_nothing_matches_the_schema(tmp_path: Path) -> None:
    """The partial result of a run cut short before the window: nulls where numbers would be."""
    empty = RunResult("r", START, "http://127.0.0.1:1", None, None, GeneratorHealth(0.0, 0, None))
    verdict = decide([NO_DATA], empty.generator, None, None)
    nothing = Measurements(None, (NO_DATA,), {}, {})
    result = recorded(empty, nothing).result(plan(tmp_path, with_baseline=False), verdict)
    document = on_disk(tmp_path, result)
    assert document["verdict"] == "inconclusive" and document["client"] is None
    check_result(document)


def test_a_soak_result_with_pages_and_alerts_matches_the_schema(tmp_path: Path) -> None:
    monitor = make_monitor()
    monitor.started(ScriptedPrometheus("http://prometheus"), "http://target", "run-1")  # type: ignore[arg-type]
    try:
        ScriptedPrometheus.burn = 50.0
        wait_for_evaluations(6)  # a page fires
    finally:
        monitor.load_ended()
    monitor.finished(RUN.window, SAMPLES)  # ... and is resolved
    verdict = decide([MET], RUN.generator, RUN.window, RUN.client)
    result = recorded(RUN, evaluated(MET)).result(plan(tmp_path), verdict, monitor)
    document = on_disk(tmp_path, result)
    assert [page["kind"] for page in document["soak"]["pages"]] == ["trigger", "resolve"]
    assert document["soak"]["alerts"] and document["soak"]["burn_history"]
    check_result(document)


@pytest.fixture
def valid(tmp_path: Path) -> dict[str, Any]:
    """A valid result.json from the real writer, for the tests below to spoil."""
    verdict = decide([MET], RUN.generator, RUN.window, RUN.client)
    document: dict[str, Any] = on_disk(
        tmp_path, recorded(RUN, evaluated(MET)).result(plan(tmp_path), verdict)
    )
    assert not problems(document)
    return document


@pytest.mark.parametrize("strict", [True, False], ids=["tests", "published"])
def test_a_result_without_a_verdict_is_refused(valid: dict[str, Any], strict: bool) -> None:
    document = dict(valid)
    del document["verdict"]
    assert "$: 'verdict' is a required property" in problems(document, strict=strict)


@pytest.mark.parametrize("strict", [True, False], ids=["tests", "published"])
def test_a_verdict_outside_the_four_is_refused(valid: dict[str, Any], strict: bool) -> None:
    document = valid | {"verdict": "maybe"}
    assert any(
        p.startswith("$.verdict: 'maybe' is not one of") for p in problems(document, strict=strict)
    )


@pytest.mark.parametrize(
    ("verdict", "exit_code"), [("pass", 1), ("warn", 3), ("fail", 0), ("inconclusive", 0)]
)
def test_a_verdict_and_an_exit_code_that_disagree_are_refused(
    valid: dict[str, Any], verdict: str, exit_code: int
) -> None:
    document = valid | {"verdict": verdict, "exit_code": exit_code}
    assert any(p.startswith("$.exit_code:") for p in problems(document, strict=False))


def test_a_missing_window_value_is_null_and_nothing_else(valid: dict[str, Any]) -> None:
    document = valid | {"samples": {"GET /": {"p99_ms": [1.0, None]}}}
    assert not problems(document)
    document["samples"]["GET /"]["p99_ms"][1] = "NaN"
    assert problems(document) == [
        "$.samples['GET /'].p99_ms[1]: 'NaN' is not of type 'number', 'null'"
    ]


def test_readers_accept_added_fields_and_the_tests_make_the_writer_list_them(
    valid: dict[str, Any],
) -> None:
    """Fields are added within schema 1: the published schema accepts them; the tests' stricter
    check refuses a field the schema does not list, so it gets typed and documented."""
    document = valid | {"added_later": 1}
    document["generator"]["added_later"] = 2
    assert problems(document, strict=False) == []
    assert set(problems(document)) == {
        "$: Additional properties are not allowed ('added_later' was unexpected)",
        "$.generator: Additional properties are not allowed ('added_later' was unexpected)",
    }


def test_the_schema_sits_beside_the_document_it_describes() -> None:
    assert "result-json.schema.json" in (REPO / "docs" / "result-json.md").read_text()


SOAK = ("$defs", "soak", "properties")


@pytest.mark.parametrize(
    ("typed", "where"),
    [
        (result_doc.ResultDoc, ()),
        (result_doc.RunDoc, ("properties", "run")),
        (result_doc.LoadWindowDoc, ("properties", "run", "properties", "load_window", "oneOf", 1)),
        (result_doc.ClientDoc, ("properties", "client", "oneOf", 1)),
        (result_doc.EndpointDoc, ("$defs", "endpoint")),
        (result_doc.PercentilesDoc, ("$defs", "percentiles")),
        (result_doc.SLODoc, ("$defs", "slo")),
        (result_doc.CriterionDoc, ("properties", "criteria", "items")),
        (result_doc.ScoreDoc, ("properties", "score", "oneOf", 1)),
        (result_doc.StepDoc, ("properties", "steps", "items")),
        (result_doc.BreakingPointDoc, ("properties", "breaking_point", "oneOf", 1)),
        (result_doc.GeneratorDoc, ("properties", "generator")),
        (result_doc.ProcessDoc, ("properties", "generator", "properties", "processes", "items")),
        (result_doc.BaselineDoc, ("properties", "baseline")),
        (result_doc.FingerprintDoc, ("properties", "fingerprint")),
        (result_doc.EnvironmentDoc, ("properties", "fingerprint", "properties", "environment")),
        (result_doc.ProvenanceDoc, ("properties", "provenance")),
        (result_doc.HistoryNoteDoc, ("properties", "history")),
        (soak_doc.SoakDoc, ("$defs", "soak")),
        (soak_doc.BurnAlertDoc, (*SOAK, "policies", "additionalProperties", "items")),
        (soak_doc.AlertDoc, (*SOAK, "alerts", "items")),
        (soak_doc.AlertCheckDoc, ("$defs", "alertCheck")),
        (soak_doc.FiringDoc, (*SOAK, "firing", "items")),
        (soak_doc.BurnSampleDoc, (*SOAK, "burn_history", "items")),
        (soak_doc.CoverageDoc, (*SOAK, "coverage", "oneOf", 1)),
        (soak_doc.DeliveryDoc, (*SOAK, "pages", "items")),
        (soak_doc.ResourcesDoc, (*SOAK, "resources", "oneOf", 1)),
        (soak_doc.SeriesDoc, (*SOAK, "resources", "oneOf", 1, "properties", "series", "additionalProperties")),
        (soak_doc.FindingDoc, (*SOAK, "findings", "items")),
        (soak_doc.TrendDoc, ("$defs", "trend")),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else None,
)  # fmt: skip
def test_the_typed_document_names_the_fields_the_schema_does(
    typed: Any, where: tuple[str | int, ...]
) -> None:
    """The writer's types (harness/values/result_doc.py, soak_doc.py) and the schema list the
    same fields and require the same ones: read_result checks a file against the types, so a
    field the types require and the schema does not would refuse a valid result.json."""
    node: Any = schema()
    for step in where:
        node = node[step]
    fields = typed_fields(typed)
    assert set(fields) == set(node["properties"])
    # Except the parts RunProgress adds to build_result's document: every result.json written
    # has them, so the schema requires them; the type leaves them to RunProgress.
    added_later = (
        {"samples", "slo_samples", "fingerprint"} if typed is result_doc.ResultDoc else set()
    )
    required = {name for name, (_, needed) in fields.items() if needed}
    assert required == set(node.get("required", [])) - added_later
