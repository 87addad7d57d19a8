"""``loadgate deploy`` as a user runs it: the public command line, exit codes, what it says.

One test runs the real locustfile check (Locust in a subprocess, a few seconds); the others are
refused before it would run."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import EXIT_INVALID_INPUT, EXIT_PASS
from tests.conftest import write
from tests.deploy.conftest import CI, KUBERNETES_FLAGS, PROMETHEUS, TARGET, TINY
from tests.deploy.golden import GOLDEN, check_golden_folder


def deploy(*args: str) -> int:
    return main(["deploy", *args])


def test_the_command_writes_what_the_golden_files_hold_after_checking_the_locustfile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = deploy(
        "kubernetes", str(TINY), "--workers", "3", "--out", str(tmp_path), *KUBERNETES_FLAGS
    )

    assert code == EXIT_PASS
    check_golden_folder(tmp_path, GOLDEN / "kubernetes")
    said = capsys.readouterr().out
    assert f"wrote 3 file(s) for tiny with 3 worker(s) into {tmp_path}" in said
    assert "kubectl logs --follow --pod-running-timeout=10m job/loadgate-tiny-master" in said


@pytest.mark.parametrize("platform", ["kubernetes", "cloudformation"])
def test_no_workers_and_a_missing_scenario_are_invalid_input_said_together(
    tmp_path: Path, platform: str, capsys: pytest.CaptureFixture[str]
) -> None:
    prometheus = ["--prometheus-url", PROMETHEUS] if platform == "kubernetes" else []
    out = tmp_path / "out"
    code = deploy(platform, str(tmp_path / "nowhere.yaml"), "--workers", "0", "--out", str(out),
                  "--target", TARGET, *prometheus)  # fmt: skip

    assert code == EXIT_INVALID_INPUT
    err = capsys.readouterr().err
    assert "invalid input (2 problem(s)):" in err
    assert "command line: --workers: 0 is not allowed; allowed: ≥ 1" in err
    assert f"{tmp_path / 'nowhere.yaml'}: file: cannot be read" in err
    assert not (tmp_path / "out").exists()


def test_a_scenario_whose_locustfile_does_not_exist_is_invalid_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = write(tmp_path / "s.yaml", "load:\n  locustfile: missing.py\n")

    code = deploy("kubernetes", str(scenario), "--workers", "2", "--out", str(tmp_path / "out"), *KUBERNETES_FLAGS)  # fmt: skip

    assert code == EXIT_INVALID_INPUT
    assert "locustfile: " in (err := capsys.readouterr().err) and "missing.py' is not a Python file that exists" in err  # fmt: skip


def test_kubernetes_needs_the_clusters_prometheus_and_valid_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = deploy(
        "kubernetes", str(CI), "--workers", "2", "--out", str(tmp_path / "out"), "--target", TARGET,
        "--namespace", "Load_Tests", "--pod-monitor-label", "release", "--reports-claim", "a b",
    )  # fmt: skip

    assert code == EXIT_INVALID_INPUT
    err = capsys.readouterr().err
    for flag in ("--prometheus-url: is required", "--namespace: 'Load_Tests'",
                 "--pod-monitor-label: 'release'", "--reports-claim: 'a b'"):  # fmt: skip
        assert f"command line: {flag}" in err, err


def test_an_out_folder_that_cannot_be_written_is_invalid_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = write(tmp_path / "a-file", "not a folder\n")

    code = deploy("cloudformation", str(CI), "--workers", "1", "--out", str(blocker), "--target", TARGET)  # fmt: skip

    assert code == EXIT_INVALID_INPUT
    assert "command line: --out: cannot write" in capsys.readouterr().err
