"""Bad input exits 2 before anything starts, naming the file, the field, the value and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO, free_port, leftover_processes, run_cli, write
from tests.e2e.slo_texts import client_availability_slo

LOCUSTFILE = REPO / "scenarios/locustfiles/recommendations.py"
GOOD_SLO = client_availability_slo("home-availability", 0.99)


def scenario(load: str, slos: str = "[slo.yaml]") -> str:
    return f"name: broken\nload:\n  locustfile: {LOCUSTFILE}\n{load}slos: {slos}\n"


BAD_SCENARIOS = {
    "Negative users are refused.": (
        scenario("  users: -3\n  duration: 10s\n"),
        ["scenario.yaml:4", "load.users", "-3", "a whole number ≥ 1"],
    ),
    "A duration without a known unit is refused.": (
        scenario("  users: 2\n  duration: 10 parsecs\n"),
        ["scenario.yaml:5", "load.duration", "'10 parsecs'", "20s, 5m"],
    ),
    "A misspelt field is not silently ignored.": (
        scenario("  users: 2\n  dration: 10s\n"),
        ["scenario.yaml:5", "load.dration", "unknown field", "duration"],
    ),
    "A scenario with a YAML syntax error names the line.": (
        "name: broken\nload: [users: 2\n",
        ["scenario.yaml:3", "YAML syntax"],
    ),
    "An SLO target above 1 names the SLO and the allowed range.": (
        scenario("  users: 2\n"),
        [
            "slo.yaml:",
            "slo 'home-availability' → spec.objectives[0].target",
            "1.5",
            "above 0 and below 1",
        ],
    ),
}


@pytest.mark.parametrize("case", list(BAD_SCENARIOS))
def test_invalid_scenario_or_slo_exits_2_with_a_precise_message(case: str, tmp_path: Path) -> None:
    text, expected = BAD_SCENARIOS[case]
    write(tmp_path / "scenario.yaml", text)
    slo = GOOD_SLO.replace("target: 0.99", "target: 1.5") if "SLO target" in case else GOOD_SLO
    write(tmp_path / "slo.yaml", slo)
    # The target is down as well: invalid input still wins, because inputs are checked first.
    down = f"http://127.0.0.1:{free_port()}"

    run = run_cli(
        "run", str(tmp_path / "scenario.yaml"), "--target", down, out_dir=tmp_path / "out"
    )

    assert run.returncode == 2, run.stdout + run.stderr
    for fragment in expected:
        assert fragment in run.stderr, f"{fragment!r} missing from:\n{run.stderr}"
    assert not (tmp_path / "out").exists(), "nothing may start for invalid input"


def test_validate_reports_every_problem_of_every_file_at_once(tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", GOOD_SLO.replace("target: 0.99", "target: 0"))
    # A ratio whose two queries span different ranges: which one is the window is not said.
    other = client_availability_slo("home-availability-b", 0.99)
    other = other.replace("[{{window}}]", "[5m]", 1).replace("[{{window}}]", "[1h]", 1)
    second = write(tmp_path / "b.yaml", other)

    run = run_cli("validate", str(first), str(second), out_dir=tmp_path)

    assert run.returncode == 2
    assert "a.yaml" in run.stderr and "objectives[0].target" in run.stderr
    assert "b.yaml" in run.stderr and "span different durations" in run.stderr
    assert "{{window}}" in run.stderr  # what is allowed


def test_validate_accepts_the_shipped_slos_and_scenarios(tmp_path: Path) -> None:
    files = [str(p) for p in [*(REPO / "slo").glob("*.yaml"), *(REPO / "scenarios").glob("*.yaml")]]

    run = run_cli("validate", *files, out_dir=tmp_path)

    assert run.returncode == 0, run.stderr
    assert "valid" in run.stdout


@pytest.mark.parametrize(
    "target", ["http://10.1.2.3:8080", "http://example.invalid", "ftp://127.0.0.1"]
)
def test_a_target_outside_loopback_is_refused_without_sending_anything(
    target: str, tmp_path: Path
) -> None:
    slo = write(tmp_path / "slo.yaml", GOOD_SLO)

    run = run_cli(
        "run", "--locustfile", str(LOCUSTFILE), "--slo", str(slo), "--target", target,
        out_dir=tmp_path / "out",
    )  # fmt: skip

    assert run.returncode == 2, run.stdout + run.stderr
    assert "target" in run.stderr
    assert not (tmp_path / "out").exists()
    assert leftover_processes([]) == []
