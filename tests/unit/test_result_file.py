"""read_result: a result.json comes back as the ResultDoc its readers index, or is refused with
each bad field named — a file of another schema version, one with NaN, a field missing or of the
wrong type — while fields added within schema 1 are accepted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.errors import InputError
from harness.gate.verdict import decide
from harness.json_shape import shape_problems
from harness.result_file import MAX_PROBLEMS, read_result
from harness.values.result_doc import LoadWindowDoc, ResultDoc
from tests.unit.test_result_schema import MET, RUN, evaluated, plan, recorded


@pytest.fixture
def valid(tmp_path: Path) -> dict[str, Any]:
    """A result.json as the real writer makes it, for the tests below to spoil."""
    verdict = decide([MET], RUN.generator, RUN.window, RUN.client)
    document: dict[str, Any] = json.loads(
        json.dumps(recorded(RUN, evaluated(MET)).result(plan(tmp_path), verdict))
    )
    return document


def refused(tmp_path: Path, document: object, raw: str | None = None) -> list[str]:
    """The problems read_result names for ``document`` (or the raw text), as ``field: message``."""
    path = tmp_path / "result.json"
    path.write_text(raw if raw is not None else json.dumps(document))
    with pytest.raises(InputError) as caught:
        read_result(path)
    assert all(p.source == str(path) for p in caught.value.problems)
    return [f"{p.field}: {p.message}" for p in caught.value.problems]


def test_the_writers_document_reads_back_as_it_was_written(
    tmp_path: Path, valid: dict[str, Any]
) -> None:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(valid))
    assert read_result(path) == valid


@pytest.mark.parametrize(
    ("schema", "shown"), [(2, "2"), (0, "0"), ("1", '"1"'), (True, "true"), (None, "missing")]
)
def test_another_schema_version_is_refused_before_its_fields(
    tmp_path: Path, valid: dict[str, Any], schema: object, shown: str
) -> None:
    document = valid | {"schema": schema, "verdict": "from the future"}
    if schema is None:
        del document["schema"]
    assert refused(tmp_path, document) == [
        f"schema: {shown}; allowed: a result.json written by loadgate run or soak (schema 1)"
    ]


def test_nan_is_refused_as_not_strict_json(tmp_path: Path, valid: dict[str, Any]) -> None:
    raw = json.dumps(valid).replace('"cpu_max": 31.5', '"cpu_max": NaN', 1)
    [problem] = refused(tmp_path, None, raw)
    assert problem.startswith("(file): not strict JSON: NaN is not a number JSON allows")


def test_each_bad_field_is_named_with_what_is_allowed(
    tmp_path: Path, valid: dict[str, Any]
) -> None:
    document = json.loads(json.dumps(valid))
    document["run"]["load_window"]["seconds"] = "45"
    del document["slos"][0]["objective"]
    document["generator"]["iterations"] = 2.5
    document["verdict"] = "maybe"
    document["client"]["endpoints"][0]["requests"] = True
    assert sorted(refused(tmp_path, document)) == [
        "client.endpoints[0].requests: true; allowed: a whole number",
        "generator.iterations: 2.5; allowed: a whole number",
        'run.load_window.seconds: "45"; allowed: a number',
        "slos[0].objective: missing; allowed: a number",
        'verdict: "maybe"; allowed: one of "pass", "warn", "fail", "inconclusive"',
    ]


def test_a_file_that_is_no_result_at_all_gets_a_few_problems_not_hundreds(
    tmp_path: Path,
) -> None:
    problems = refused(tmp_path, {"schema": 1})
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1].startswith("…: and ")


def test_fields_added_within_schema_1_are_read_past(tmp_path: Path, valid: dict[str, Any]) -> None:
    document = json.loads(json.dumps(valid)) | {"added_later": {"any": "shape"}}
    document["run"]["added_later"] = [1, 2]
    path = tmp_path / "result.json"
    path.write_text(json.dumps(document))
    assert read_result(path)["run"]["id"] == valid["run"]["id"]


def test_a_union_names_the_field_inside_the_choice_of_the_values_kind() -> None:
    window = LoadWindowDoc | None
    assert shape_problems(None, window) == []
    assert shape_problems({"start": "s", "end": "e", "seconds": "x"}, window, "w") == [
        ("w.seconds", '"x"; allowed: a number')
    ]
    assert shape_problems([], window, "w") == [("w", "[]; allowed: an object or null")]


def test_numbers_are_finite_a_whole_number_is_one_too_and_a_boolean_is_neither() -> None:
    assert shape_problems(3, float) == [] and shape_problems(3.0, int) != []
    assert shape_problems(False, float) != [] and shape_problems(float("inf"), float) != []
    assert shape_problems({"x": [1, None]}, dict[str, list[float | None]]) == []
    assert shape_problems({"x": [1, "2"]}, dict[str, list[float | None]]) == [
        ("x[1]", '"2"; allowed: a number or null')
    ]
    assert shape_problems([], ResultDoc) == [("(document)", "[]; allowed: an object")]
