"""result.json carries the contract fields; files are written atomically; the console explains."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from harness.gate.verdict import decide
from harness.report.console import print_report
from harness.report.result_json import build_result
from harness.result_file import write_result
from harness.run_folder import write_atomically
from harness.values.run_result import (
    ClientStats,
    EndpointStats,
    GeneratorHealth,
    LoadWindow,
    RunResult,
)
from harness.values.verdict import SLOEvaluation, SLOStatus

STATS = EndpointStats("/v1/recommendations/home", "GET", 500, 2, 1.5, 2.0, 2.5, 4.0, 9.0, 12.0)
RUN = RunResult(
    run_id="20261127T120000Z-ci-abcd",
    started_at=1_795_000_000.0,
    target="http://127.0.0.1:8080",
    window=LoadWindow(1_795_000_010.0, 1_795_000_055.0),
    client=ClientStats(total=STATS, endpoints=(STATS,)),
    generator=GeneratorHealth(cpu_max=31.5, dropped_iterations=0, exit_code=1),
)
EVALUATIONS = [
    SLOEvaluation("home-latency", SLOStatus.BREACHED, 0.99, 0.97, 500.0, 3.0),
    SLOEvaluation("home-availability", SLOStatus.NO_DATA, 0.995, None, 12.0, None, "too few"),
]


def result() -> dict[str, object]:
    verdict = decide(EVALUATIONS, RUN.generator, RUN.window, RUN.client)
    return build_result(RUN, "scenarios/ci.yaml", EVALUATIONS, verdict)


def test_result_json_has_every_contract_field() -> None:
    document = result()
    assert document["schema"] == 1
    assert document["verdict"] == "fail" and document["exit_code"] == 1
    assert set(document["run"]) >= {"id", "scenario", "target", "started_at", "load_window"}  # type: ignore[arg-type]
    assert document["run"]["load_window"]["start"] == "2026-11-18T11:06:50.000Z"  # type: ignore[index]
    endpoint = document["client"]["endpoints"][0]  # type: ignore[index]
    assert set(endpoint) >= {
        "name", "method", "requests", "failures", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms",
    }  # fmt: skip
    assert document["slos"][1] == {  # type: ignore[index]
        "name": "home-availability", "status": "no_data", "sli": None, "objective": 0.995,
        "events": 12.0, "burn_rate": None, "budget_consumed": None, "detail": "too few",
    }  # fmt: skip
    assert document["generator"]["cpu_max"] == 31.5  # type: ignore[index]
    assert document["criteria"] == []


def test_result_json_is_valid_strict_json(tmp_path: Path) -> None:
    path = write_result(tmp_path, result())
    assert json.loads(path.read_text())["verdict"] == "fail"


def test_atomic_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    write_atomically(target, "first")
    write_atomically(target, "second")
    assert target.read_text() == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


def test_the_console_report_leads_with_the_verdict_and_its_reasons() -> None:
    buffer = io.StringIO()
    print_report(
        Console(file=buffer, width=140, color_system=None), result(), "reports/x/result.json"
    )
    text = buffer.getvalue()
    assert "FAIL (exit 1)" in text
    assert "SLO 'home-latency' breached: SLI 97.000% < objective 99.000%" in text
    assert "home-availability" in text and "no_data" in text
    assert "GET /v1/recommendations/home" in text
    assert "Report: reports/x/result.json" in text


def test_summary_markdown_leads_with_the_verdict_and_lists_slos_and_endpoints() -> None:
    from harness.report.summary_md import render_summary

    text = render_summary(result())
    assert text.startswith("## ❌ loadgate: FAIL — scenarios/ci.yaml")
    assert "- SLO 'home-latency' breached" in text
    assert "| home-latency | ❌ breached | 97.000% | 99.000% | 500 | 3.00× |" in text
    assert "| GET /v1/recommendations/home | 500 | 2 |" in text


def test_summary_is_appended_to_the_github_step_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.report.summary_md import write_summary

    step = tmp_path / "step.md"
    step.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step))
    write_summary(tmp_path, result())
    assert step.read_text().startswith("earlier step\n## ❌ loadgate: FAIL")
    assert (tmp_path / "summary.md").exists()


def test_junit_lists_each_slo_and_criterion_with_failures_and_errors() -> None:
    import xml.etree.ElementTree as ET

    from harness.report.junit_xml import render_junit
    from harness.values.verdict import CriterionResult

    criteria = [CriterionResult("p99 of GET /home vs baseline", 12.0, 10.0, False, "p99 rose 18 %")]
    verdict = decide(EVALUATIONS, RUN.generator, RUN.window, RUN.client, criteria=criteria)
    document = build_result(RUN, "scenarios/ci.yaml", EVALUATIONS, verdict, criteria)

    suite = ET.fromstring(render_junit(document))
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "2", "1")
    names = [case.get("name") for case in suite.iter("testcase")]
    assert names == ["home-latency", "home-availability", "p99 of GET /home vs baseline"]
    [criterion_case] = [
        c for c in suite.iter("testcase") if c.get("classname") == "loadgate.criterion"
    ]
    assert criterion_case.find("failure").get("message") == "p99 rose 18 %"  # type: ignore[union-attr]


def test_a_scored_gate_shows_its_score_in_every_report() -> None:
    import xml.etree.ElementTree as ET

    from harness.gate.score import total_score
    from harness.report.junit_xml import render_junit
    from harness.report.summary_md import render_summary
    from harness.values.verdict import CriterionResult

    criteria = [
        CriterionResult("p99 of all requests", 4.0, 300.0, True, weight=3.0),
        CriterionResult("error ratio of all requests", 0.004, 0.001, False, "too many", weight=1.0),
        CriterionResult("burn rate of home", 0.2, 1.0, True, key=True),
    ]
    score = total_score(criteria)
    met = [SLOEvaluation("home", SLOStatus.MET, 0.99, 0.999, 500.0, 0.1)]
    verdict = decide(met, RUN.generator, RUN.window, RUN.client, (), criteria, score)
    document = build_result(RUN, "scenarios/ci.yaml", met, verdict, criteria, score=score)

    assert document["verdict"] == "warn"  # 3 of 4 points = 75 %: at the warning line
    assert document["score"] == {
        "value": 75.0, "earned": 3.0, "possible": 4.0, "pass": 90.0, "warning": 75.0, "status": "warn",
    }  # fmt: skip
    assert [c["weight"] for c in document["criteria"]] == [3.0, 1.0, 1.0]  # type: ignore[index]
    text = render_summary(document)
    assert "Gate score: **75 %** (3 of 4 points; pass ≥ 90 %, warning ≥ 75 %)." in text
    assert "| burn rate of home | ✅ pass | 0.2 | – | – | key |" in text
    cases = {c.get("name"): c for c in ET.fromstring(render_junit(document)).iter("testcase")}
    assert cases["score"].find("failure") is None  # a warning is not a JUnit failure
    output = io.StringIO()
    print_report(Console(file=output, width=160), document, "r.json")
    assert "Gate score: 75%" in output.getvalue()


def test_every_report_says_what_the_traffic_exercised_and_which_checks_failed() -> None:
    from harness.report.summary_md import render_summary

    document = result()
    document["traffic"] = {
        "seed": 7,
        "seed_given": False,
        "sessions": 1500,
        "distinct_visitors": 760,
        "visitors_capped": True,
        "checks": [
            {"name": "/v1/recommendations/home", "check": "full", "passed": 95, "failed": 5},
            {"name": "/v1/recommendations/home", "check": "distinct", "passed": 100, "failed": 0},
        ],
        "cache_hit_ratio": None,
    }
    buffer = io.StringIO()
    print_report(Console(file=buffer, width=200, color_system=None), document, "r")  # type: ignore[arg-type]
    markdown = render_summary(document)  # type: ignore[arg-type]

    for text in (buffer.getvalue(), markdown):
        # Drawn seeds say so; a capped count is a lower bound; an unknown ratio is not shown as 0.
        assert "Traffic: seed 7 (drawn), 1,500 sessions by ≥ 760 distinct visitors." in text
        assert (
            "Check 'full' of /v1/recommendations/home failed on 5 of 100 responses (5.00%)." in text
        )
        assert "'distinct'" not in text and "cache hit" not in text
