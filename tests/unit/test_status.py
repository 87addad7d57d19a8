"""One status vocabulary: the enum the judges use spells what the published schema allows, and a
verdict can only be one of the verdict statuses."""

from __future__ import annotations

from typing import get_args

import pytest

from harness.values.criteria import ScoreThresholds
from harness.values.result_doc import VerdictName
from harness.values.status import VERDICTS, Status
from harness.values.verdict import CriterionResult, Score, Verdict
from tests.result_schema import schema


def test_the_verdicts_are_the_schemas_and_the_result_documents() -> None:
    assert list(VERDICTS) == schema()["properties"]["verdict"]["enum"]
    assert set(VERDICTS) == set(get_args(VerdictName))


def test_criterion_and_score_statuses_are_the_schemas() -> None:
    criterion = schema()["properties"]["criteria"]["items"]["properties"]["status"]["enum"]
    score = schema()["properties"]["score"]["oneOf"]
    score_enum = next(s for s in score if "properties" in s)["properties"]["status"]["enum"]
    judged = [
        CriterionResult("c", 1.0, 1.0, passed=True).status,
        CriterionResult("c", 1.0, 1.0, passed=True, warn=True).status,
        CriterionResult("c", 1.0, 1.0, passed=False).status,
        CriterionResult("c", None, 1.0, passed=None).status,
    ]
    assert judged == [Status.PASS, Status.WARN, Status.FAIL, Status.NO_DATA] == criterion
    thresholds = ScoreThresholds(90.0, 75.0)
    scores = [Score(pct, pct, 100.0, thresholds).status for pct in (95.0, 80.0, 50.0)]
    assert scores == [Status.PASS, Status.WARN, Status.FAIL] == score_enum


def test_a_verdict_is_never_no_data() -> None:
    with pytest.raises(ValueError, match="no_data"):
        Verdict(Status.NO_DATA, 3)
