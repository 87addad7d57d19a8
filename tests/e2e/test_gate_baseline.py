"""The stability gate against a saved baseline, end to end: save a good run, then compare one with
30 % more latency (fail, naming the endpoint and the shift). The reports a person and a CI system
read come with it: summary.md and junit.xml.

An unchanged service against its saved baseline is not run here: its outcome on a shared machine
is pass or warn, a property of rates, measured by `loadgate calibrate --mode sequential`
(docs/performance.md); the duet's A/A run is an e2e test (test_duet.py)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import leftover_processes, run_cli, write
from tests.e2e.slo_texts import client_availability_slo

pytestmark = [pytest.mark.e2e, pytest.mark.load]

HOME_ONLY = Path(__file__).with_name("home_only_locustfile.py")
# The injected latency dominates what the client sees, so that the client's own jitter (a few ms
# at p99, varying from run to run) cannot hide the regression or fake one. 60 → 80 ms rather than
# 30 → 40: the same third more, with the machine's jitter half as large beside it (at 30 → 40, one
# CI run in four on a busy machine only warned: its interval's low end fell under the +10 %).
BASE_MS, SLOWER_MS = 60, 80
# The regression is judged at p95: at 8 users a 5 s window holds about 400 requests, so its p99
# rests on the 4 slowest, and a noisy baseline run widened p99's interval until the 30 % only
# warned (+19 %, CI +2 to +32 %); the same runs at p95: +24 %, CI +21 to +29 % (a fail).


def scenario(folder: Path, latency_ms: int) -> Path:
    # An SLO that added latency cannot breach, so that only the regression can fail the run (the
    # shipped one, home within 50 ms at the server, has too little headroom at 40 ms injected:
    # twice in a row here, SLI 98.3–98.6 %).
    slo = write(folder.parent / "availability.yaml", client_availability_slo("home-ok", 0.99))
    return write(
        folder / "gate.yaml",
        f"""name: gate-check
service:
  args: ["--fault-latency", "{latency_ms}@1"]
load:
  locustfile: {HOME_ONLY}
  users: 8
  spawn_rate: 8
  warmup: 3s
  duration: 30s   # six 5-s windows: fewer make the interval too wide to call 30 % a regression
slos: [{slo}]
gate:
  min_events: 100
  criteria:
    - {{metric: p95_ms, max_increase: 10%, key: true}}   # a regression fails the run
    - {{metric: p99_ms, pass: "< 300ms", weight: 2}}      # scored: 2 points
    - {{metric: error_ratio, pass: "< 0.1%"}}            # 1 point
    - {{metric: throughput, pass: ">= 100000/s", warning: ">= 1/s"}}  # always warns: ½ point
""",
    )


def test_a_run_30_percent_slower_than_its_saved_baseline_fails(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    baselines = tmp_path / "baselines"
    first = run_cli("run", str(scenario(tmp_path / "a", BASE_MS)), out_dir=out / "a")
    assert first.returncode == 0, first.stdout + first.stderr
    # Absolute criteria are scored Keptn-style: 3.5 of 4 points is 87.5 %, under the 90 % pass
    # line and over the 75 % warning line: the run warns (exit 0) and says why.
    assert first.result["verdict"] == "warn"
    assert [c["status"] for c in first.result["criteria"]] == ["pass", "pass", "warn"]
    assert first.result["score"]["value"] == 87.5
    assert first.result["reasons"][0].startswith("the score 88% (3.5 of 4 points")
    assert first.result["reasons"][1].startswith("throughput of all requests is ")
    [run_dir] = (out / "a").iterdir()
    saved = run_cli(
        "baseline", "save", str(run_dir), "--name", "main", "--dir", str(baselines), out_dir=out
    )
    assert saved.returncode == 0, saved.stderr
    baseline = str(baselines / "main.json")

    # The service now takes 80 ms where it took 60: a third more, and with the client's own few
    # milliseconds about 30 % more of what the client waits for, at the median and at p95.
    slower = run_cli(
        "run",
        str(scenario(tmp_path / "b", SLOWER_MS)),
        "--baseline",
        baseline,
        out_dir=out / "slower",
    )

    assert slower.returncode == 1, slower.stdout + slower.stderr
    regression = slower.result["criteria"][-1]
    assert regression["name"] == "p95 of GET /v1/recommendations/home vs baseline"
    assert regression["status"] == "fail" and regression["key"]
    low, high = regression["confidence_interval_pct"]
    assert 10 < low <= regression["effect_pct"] <= high
    [reason] = slower.result["reasons"]  # the key criterion; the score alone would only warn
    assert reason.startswith("p95 of GET /v1/recommendations/home rose ")
    assert "against baseline `main`; tolerance +10%" in reason

    # The reports: JUnit lists each SLO and criterion; the summary renders the verdict.
    [slower_dir] = (out / "slower").iterdir()
    suite = ET.parse(slower_dir / "junit.xml").getroot()
    expected_cases = len(slower.result["slos"]) + len(slower.result["criteria"]) + 1  # + score
    assert len(list(suite.iter("testcase"))) == expected_cases
    assert suite.get("failures") == "1"
    assert (slower_dir / "summary.md").read_text().startswith("## ❌ loadgate: FAIL")
    assert leftover_processes([*first.run_ids, *slower.run_ids]) == []


def test_a_baseline_of_another_scenario_or_no_baseline_at_all_is_invalid_input(
    tmp_path: Path,
) -> None:
    other = write(tmp_path / "b.json", '{"schema": 1, "samples": {}, "scenario": {"name": "soak"}}')
    missing = run_cli(
        "run", str(scenario(tmp_path / "a", BASE_MS)), "--baseline", "nope", out_dir=tmp_path / "o"
    )
    different = run_cli(
        "run",
        str(scenario(tmp_path / "a", BASE_MS)),
        "--baseline",
        str(other),
        out_dir=tmp_path / "o",
    )

    assert missing.returncode == 2 and "baselines/nope.json" in missing.stderr
    assert (
        different.returncode == 2
        and "the baseline comes from a different scenario" in different.stderr
    )
    assert not (tmp_path / "o").exists()
