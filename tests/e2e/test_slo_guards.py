"""Fail closed on SLO files against a real Prometheus: raw ratios need enough events, and a query
that returns several series where one is expected is the file's mistake, named as such."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO, leftover_processes, run_cli, write
from tests.e2e.slo_texts import HOME, ratio_slo, raw_slo, sloth_raw_slo

pytestmark = [pytest.mark.e2e]

HOME_ONLY = str(Path(__file__).with_name("home_only_locustfile.py"))
SEVERAL_ENDPOINTS = str(REPO / "scenarios/locustfiles/recommendations.py")
Factory = Callable[..., tuple[str, subprocess.Popen[bytes]]]

OK = f'sum(increase(loadgate_client_requests_total{{{HOME}, outcome="ok"}}[{{{{window}}}}]))'
ALL = f"sum(increase(loadgate_client_requests_total{{{HOME}}}[{{{{window}}}}]))"


def raw_slo_files(tmp_path: Path) -> list[str]:
    """Three raw-ratio SLOs, all met by a healthy service: each way a raw SLI gets its events."""
    openslo = write(
        tmp_path / "raw.yaml",
        raw_slo("raw-client-count", f"{OK} / {ALL}", 0.99)
        + "---\n"
        + raw_slo("raw-own-count", f"{OK} / {ALL}", 0.99, events=ALL),
    )
    sloth = write(tmp_path / "sloth.yaml", sloth_raw_slo("raw-sloth", f"1 - ({OK} / {ALL})", 99))
    return ["--slo", str(openslo), "--slo", str(sloth)]


def gate(url: str, locustfile: str, users: int, duration: str, *slo_args: str) -> list[str]:
    return [
        "run", "--locustfile", locustfile, "--target", url, "--users", str(users),
        "--spawn-rate", str(users), "--warmup", "0s", "--duration", duration, *slo_args,
    ]  # fmt: skip


@pytest.mark.load_shared  # availability ratios and event counts: not the machine's pace
def test_a_raw_ratio_with_too_few_events_is_no_data_and_with_enough_events_is_judged(
    service_factory: Factory, tmp_path: Path
) -> None:
    url, _ = service_factory()
    slos = raw_slo_files(tmp_path)

    # One user sends at most 20 requests a second: about 40 in 2 s, under the default 100.
    few = run_cli(*gate(url, HOME_ONLY, 1, "2s", *slos), out_dir=tmp_path / "few")
    enough = run_cli(*gate(url, HOME_ONLY, 10, "3s", *slos), out_dir=tmp_path / "enough")

    assert few.returncode == 3, few.stdout + few.stderr
    assert [s["status"] for s in few.result["slos"]] == ["no_data"] * 3, few.result["slos"]
    for slo in few.result["slos"]:
        assert "not enough events" in slo["detail"], slo
        assert slo["sli"] is None and slo["events"] < 100
    assert any("not enough events" in reason for reason in few.result["reasons"])

    assert enough.returncode == 0, enough.stdout + enough.stderr
    requests = enough.result["client"]["total"]["requests"]
    for slo in enough.result["slos"]:
        assert slo["status"] == "met" and slo["sli"] == pytest.approx(1.0), slo
        # Prometheus's count of the window, from the client's counter or the file's own query.
        assert requests * 0.9 <= slo["events"] <= requests * 1.1, (slo, requests)
    assert leftover_processes(few.run_ids + enough.run_ids) == []


@pytest.mark.load_shared
def test_a_query_returning_several_series_is_an_input_error_naming_the_slo_and_the_series(
    service_factory: Factory, tmp_path: Path
) -> None:
    url, _ = service_factory()
    # The good query forgot sum(): one series per endpoint the locustfile calls. No client series
    # exist before the load, so only the measurement after it can see this.
    slo = write(
        tmp_path / "unsummed.yaml",
        ratio_slo(
            "unsummed",
            'increase(loadgate_client_requests_total{outcome="ok"}[{{window}}])',
            "sum(increase(loadgate_client_requests_total[{{window}}]))",
            0.99,
        ),
    )

    run = run_cli(
        *gate(url, SEVERAL_ENDPOINTS, 5, "3s", "--slo", str(slo)), out_dir=tmp_path / "out"
    )

    assert run.returncode == 2, run.stdout + run.stderr
    assert "slo 'unsummed' → good query" in run.stderr
    assert str(slo) in run.stderr
    assert 'name="/v1/recommendations/home"' in run.stderr
    assert "sum(" in run.stderr  # how to fix it
    # Found after the load: the run is reported, with the problem as its one reason.
    [reason] = run.result["reasons"]
    assert run.result["exit_code"] == 2 and "slo 'unsummed' → good query" in reason
    assert leftover_processes(run.run_ids) == []
