"""``loadgate run`` and ``loadgate soak`` take the same load flags, parsed once (plan/flags.py): a
soak needs no scenario file when the flags say what to run."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import build_parser, main
from harness.plan import build_plan
from harness.plan.flags import run_options
from harness.plan.options import RunOptions

REPO = Path(__file__).resolve().parents[2]
LOCUSTFILE = REPO / "tests" / "e2e" / "home_only_locustfile.py"
SLO = REPO / "slo" / "recommender.yaml"
FLAGS = [
    "--locustfile", str(LOCUSTFILE), "--slo", str(SLO), "--target", "http://127.0.0.1:8080",
    "--users", "4", "--spawn-rate", "2", "--duration", "20s", "--warmup", "3s",
    "--processes", "2", "--out", "somewhere", "--prometheus-url", "http://127.0.0.1:9090",
]  # fmt: skip


def test_soak_accepts_the_flags_of_run_alone_and_reads_them_the_same_way() -> None:
    soak = build_parser().parse_args(["soak", *FLAGS, "--dry-run"])
    run = build_parser().parse_args(["run", *FLAGS])
    assert soak.scenario is None
    assert run_options(soak) == run_options(run)
    assert run_options(soak) == RunOptions(
        locustfile=LOCUSTFILE,
        slo_files=(SLO,),
        target="http://127.0.0.1:8080",
        users=4,
        spawn_rate=2.0,
        duration="20s",
        warmup="3s",
        processes=2,
        out=Path("somewhere"),
        prometheus_url="http://127.0.0.1:9090",
    )


def test_a_flags_only_soak_plan_is_named_adhoc_and_takes_every_flag() -> None:
    plan = build_plan(run_options(build_parser().parse_args(["soak", *FLAGS])))
    assert plan.name == "adhoc" and plan.scenario_path is None
    assert plan.locustfile == LOCUSTFILE and plan.slo_files == (SLO,)
    assert (plan.load.users, plan.load.duration_s, plan.load.warmup_s) == (4, 20.0, 3.0)
    assert plan.target_url == "http://127.0.0.1:8080" and plan.load.processes == 2


def test_the_open_model_flag_works_for_a_soak_too() -> None:
    args = build_parser().parse_args(["soak", *FLAGS[:6], "--arrival-rate", "50"])
    plan = build_plan(run_options(args))
    assert plan.load.arrivals is not None and plan.load.arrivals.peak_rate == 50.0


def test_a_soak_with_neither_file_nor_locustfile_is_invalid_input_not_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Validated like run's flags (exit 2, naming the flag), before anything starts.
    assert main(["soak", "--slo", str(SLO), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "command line: --locustfile: is required" in err
    assert "the following arguments are required" not in err
