"""Generated alerting, checked by the real tools: promtool (rules and their unit tests) and amtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, run_cli

SLO_FILES = sorted([*(REPO / "slo").glob("*.yaml"), *(REPO / "tests/testdata/slo").glob("*.yaml")])


def tool(*argv: str) -> subprocess.CompletedProcess[str]:
    assert shutil.which(argv[0]), f"{argv[0]} is not installed (make installs it)"
    return subprocess.run(list(argv), capture_output=True, text=True, timeout=120)


def generate(slo_file: Path, out: Path) -> None:
    run = run_cli("rules", str(slo_file), "--out", str(out), out_dir=out)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize("slo_file", SLO_FILES, ids=[p.stem for p in SLO_FILES])
def test_generated_rules_pass_promtool_check_and_their_unit_tests(
    slo_file: Path, tmp_path: Path
) -> None:
    generate(slo_file, tmp_path)

    checked = tool(
        "promtool",
        "check",
        "rules",
        str(tmp_path / "slo-recording.yml"),
        str(tmp_path / "slo-alerts.yml"),
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = tool("promtool", "test", "rules", str(tmp_path / "slo-alerts.test.yml"))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    config = tool("amtool", "check-config", str(tmp_path / "alertmanager.yml"))
    assert config.returncode == 0, config.stdout + config.stderr


def test_the_generated_tests_catch_a_wrong_burn_threshold(tmp_path: Path) -> None:
    generate(REPO / "slo/recommender.yaml", tmp_path)
    alerts = tmp_path / "slo-alerts.yml"
    # A page threshold ten times too low (its SLOs are 28-day ones: Sloth's 13.44× over 1h/5m):
    # the "just below" case must now see a page that should not be there.
    assert "(13.44 * " in alerts.read_text()
    alerts.write_text(alerts.read_text().replace("(13.44 * ", "(1.344 * "))

    tested = tool("promtool", "test", "rules", str(tmp_path / "slo-alerts.test.yml"))

    assert tested.returncode != 0
    assert "FAILED" in tested.stdout + tested.stderr


def test_every_slo_gets_page_ticket_and_absent_alerts_routed_to_pagerduty(tmp_path: Path) -> None:
    generate(REPO / "slo/recommender.yaml", tmp_path)

    groups = yaml.safe_load((tmp_path / "slo-alerts.yml").read_text())["groups"]
    assert len(groups) == 9  # one per SLO: 4 of availability and latency, 5 of quality (#14)
    for group in groups:
        severities = sorted(rule["labels"]["severity"] for rule in group["rules"])
        assert severities == ["page", "ticket", "ticket"]
        assert any(rule["expr"].startswith("absent(") for rule in group["rules"])
    config = yaml.safe_load((tmp_path / "alertmanager.yml").read_text())
    receivers = {r["name"]: r for r in config["receivers"]}
    assert receivers["pagerduty-page"]["pagerduty_configs"][0]["severity"] == "critical"
    assert receivers["pagerduty-ticket"]["pagerduty_configs"][0]["severity"] == "warning"
    assert "routing_key_file" in receivers["pagerduty-page"]["pagerduty_configs"][0]


def test_rules_from_a_bad_spec_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (REPO / "slo/recommender.yaml").read_text().replace("target: 0.995", "target: 2")
    )

    run = run_cli("rules", str(bad), "--out", str(tmp_path / "out"), out_dir=tmp_path)

    assert run.returncode == 2
    assert "objectives[0].target: 2 is out of range" in run.stderr
    assert not (tmp_path / "out").exists()
