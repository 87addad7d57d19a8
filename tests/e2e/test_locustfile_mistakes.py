"""Common locustfile mistakes, run through ``loadgate run`` as a new user would write them: a URL
per id without ``name=`` must not collapse the generator, and exceptions raised in the users'
code are load that did not happen, so they reach the verdict.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.load.names import MAX_NAMES, OTHER_NAME
from tests.conftest import run_cli, write
from tests.e2e.test_load_engine import counting_slos

pytestmark = [pytest.mark.e2e]

Factory = Callable[..., tuple[str, subprocess.Popen[bytes]]]

ITEMS = """
import random
from locust import HttpUser, constant, task

class Visitor(HttpUser):
    wait_time = constant(0.01)

    @task
    def home(self):
        self.client.get(f"/v1/recommendations/home?user_id={{random.randint(1, 10**9)}}"{name})
"""

RAISING = """
import random
from locust import FastHttpUser, constant, task

class Flaky(FastHttpUser):
    wait_time = constant(0.02)

    @task
    def home(self):
        if random.random() < 0.2:
            raise RuntimeError("forgot to handle this")
        self.client.get("/v1/recommendations/home?user_id=3", name="home")
"""


@pytest.mark.load  # compares two runs' throughput: alone
def test_a_url_per_id_without_name_is_folded_and_does_not_collapse_the_generator(
    service_factory: Factory, tmp_path: Path
) -> None:
    url, _ = service_factory()
    slo = write(tmp_path / "slo.yaml", counting_slos())
    runs = {}
    for kind, name in (("grouped", ', name="home"'), ("ungrouped", "")):
        locustfile = write(tmp_path / f"{kind}.py", ITEMS.format(name=name))
        runs[kind] = run_cli(
            "run", "--locustfile", str(locustfile), "--slo", str(slo), "--target", url,
            "--users", "5", "--spawn-rate", "5", "--warmup", "2s", "--duration", "6s",
            out_dir=tmp_path / kind,
        )  # fmt: skip

    ungrouped = runs["ungrouped"]
    assert ungrouped.returncode == 0, ungrouped.stdout + ungrouped.stderr
    endpoints = ungrouped.result["client"]["endpoints"]
    assert len(endpoints) <= MAX_NAMES + 1
    assert OTHER_NAME in {e["name"] for e in endpoints}
    [warning] = ungrouped.result["generator"]["warnings"]
    assert "/v1/recommendations/home?user_id=" in warning and "name=" in warning
    assert "more than 30 distinct request names" in ungrouped.stdout
    # Unbounded, the ungrouped file sent 4 % of the grouped one's requests (87 against 2,221).
    sent = {kind: run.result["client"]["total"]["requests"] for kind, run in runs.items()}
    assert sent["ungrouped"] > 0.6 * sent["grouped"], sent


@pytest.mark.parametrize("model", [(), ("--arrival-rate", "50")], ids=["closed", "open"])
@pytest.mark.load_shared
def test_iterations_that_raise_make_the_run_inconclusive(
    service_factory: Factory, tmp_path: Path, model: tuple[str, ...]
) -> None:
    url, _ = service_factory()
    slo = write(tmp_path / "slo.yaml", counting_slos())
    locustfile = write(tmp_path / "raising.py", RAISING)

    run = run_cli(
        "run", "--locustfile", str(locustfile), "--slo", str(slo), "--target", url,
        "--users", "3", "--spawn-rate", "3", "--warmup", "2s", "--duration", "5s", *model,
        out_dir=tmp_path / "out",
    )  # fmt: skip

    assert run.returncode == 3, run.stdout + run.stderr
    generator = run.result["generator"]
    assert generator["user_errors"] / generator["iterations"] == pytest.approx(0.2, abs=0.08)
    # Every iteration that did not raise sent one request; at each edge of the window, each of the
    # 3 users may have its request on one side and the end of its iteration on the other.
    completed = generator["iterations"] - generator["user_errors"]
    assert completed == pytest.approx(run.result["client"]["total"]["requests"], abs=6)
    [reason] = run.result["reasons"]
    assert "raised an exception in" in reason and "RuntimeError: forgot to handle this" in reason
