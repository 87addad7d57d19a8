"""A baseline file is input: what it holds becomes numbers or gaps, or a clear error (exit 2) —
never an exception half-way through the comparison or the reports that copy it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.baseline_file import load_baseline
from harness.errors import InputError

SCENARIO = {"name": "ci", "locustfile_sha256": "abc", "model": "closed", "users": 8}


def baseline_file(tmp_path: Path, samples: object) -> str:
    path = tmp_path / "main.json"
    document = {"schema": 1, "name": "main", "scenario": SCENARIO, "samples": samples}
    path.write_text(json.dumps(document), encoding="utf-8")  # json writes NaN, as Python may have
    return str(path)


def test_anything_but_a_finite_number_is_a_window_without_a_value(tmp_path: Path) -> None:
    values = [12.5, None, float("nan"), float("inf"), "fast", True, 7]
    path = baseline_file(tmp_path, {"GET /home": {"p99_ms": values}})

    baseline = load_baseline(path, SCENARIO)

    assert baseline.samples == {"GET /home": {"p99_ms": [12.5, None, None, None, None, None, 7.0]}}
    json.dumps(baseline.samples, allow_nan=False)  # result.json copies it: no NaN may reach it


@pytest.mark.parametrize(
    ("samples", "field", "message"),
    [
        ([1, 2, 3], "samples", "is [1, 2, 3]; allowed: an object of endpoint → metric → list"),
        ({"GET /home": [1, 2]}, "samples → GET /home", "is [1, 2]; allowed: an object of metric"),
        (
            {"GET /home": {"p99_ms": 12}},
            "samples → GET /home → p99_ms",
            "is 12; allowed: a list of numbers or null",
        ),
    ],
)
def test_samples_of_another_shape_are_an_input_error_naming_file_field_and_value(
    tmp_path: Path, samples: object, field: str, message: str
) -> None:
    path = baseline_file(tmp_path, samples)
    with pytest.raises(InputError) as caught:
        load_baseline(path, SCENARIO)
    [problem] = caught.value.problems
    assert problem.source == path and problem.field == field
    assert problem.message.startswith(message)
