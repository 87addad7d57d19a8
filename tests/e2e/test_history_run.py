"""``loadgate run --history``: a real run is recorded in its history once its reports are written,
and a history that cannot be read before judging makes the run inconclusive, its password never
shown."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.errors import EXIT_INCONCLUSIVE
from harness.history import open_history
from harness.values.history import SeriesKey
from tests.conftest import REPO, free_port, run_cli, write
from tests.e2e.slo_texts import client_availability_slo

pytestmark = [pytest.mark.e2e]

SMOKE = "scenarios/smoke.yaml"
SHOPPERS = "scenarios/locustfiles/recommendations.py"


# load_shared: judges only what the run recorded and its exit code, not its numbers
@pytest.mark.load_shared
def test_a_run_is_recorded_in_its_history_with_the_code_it_tested(
    out_dir: Path, tmp_path: Path
) -> None:
    history = tmp_path / "history.sqlite"

    run = run_cli("run", SMOKE, "--history", str(history), out_dir=out_dir)

    result = run.result
    assert run.returncode == result["exit_code"], run.stdout + run.stderr
    assert result["history"] == {"location": str(history), "recorded": True, "detail": ""}
    assert f"history: run recorded in {history}" in run.stderr
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=False).stdout.strip()  # fmt: skip
    assert result["provenance"]["commit"] == (head or None)
    with open_history(str(history)) as kept:
        (recorded,) = kept.runs()
    assert (recorded.run_id, recorded.verdict) == (result["run"]["id"], result["verdict"])
    assert recorded.commit == result["provenance"]["commit"]
    assert recorded.values[SeriesKey("all", "p99_ms")] == result["client"]["total"]["p99_ms"]


# load_shared: as above
@pytest.mark.load_shared
def test_a_history_server_that_is_gone_makes_the_run_inconclusive_and_is_reported(
    out_dir: Path, tmp_path: Path
) -> None:
    # The history is read before judging (the gate's history criterion is on by default): a
    # server that does not answer leaves that criterion unmeasured, so the run cannot pass. A
    # server that goes away during the append, after judging, leaves the verdict as it was
    # (tests/history: the append step, with the server's backend terminated mid-append).
    url = f"postgresql://loadgate:s3cret-pw@127.0.0.1:{free_port()}/history"
    # An availability SLO only: the shipped latency SLOs can breach on the shared pass's busy
    # cores, and a breach (exit 1) outranks the unmeasured history (exit 3) this test is about.
    slo = write(tmp_path / "slo.yaml", client_availability_slo("home-ok", 0.9))

    run = run_cli(
        "run", "--locustfile", SHOPPERS, "--slo", str(slo), "--users", "20", "--spawn-rate", "20",
        "--warmup", "3s", "--duration", "12s", "--history", url, out_dir=out_dir,
    )  # fmt: skip

    result = run.result
    assert run.returncode == result["exit_code"] == EXIT_INCONCLUSIVE, run.stdout + run.stderr
    assert [
        r for r in result["reasons"] if r.startswith("history not read: postgresql://loadgate:***@")
    ]
    assert result["history"]["recorded"] is False
    assert "cannot connect" in result["history"]["detail"]
    assert "history: run not recorded in postgresql://loadgate:***@127.0.0.1" in run.stderr
    assert (
        "s3cret-pw"
        not in run.stderr
        + run.stdout
        + (run.out_dir / result["run"]["id"] / "result.json").read_text()
    )
