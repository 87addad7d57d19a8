"""The slowdown fault: each request takes pct % longer than its own service time, switched live.

The base time is made measurable (≥ 20 ms) with the latency fault, which the slowdown counts as
part of the request's service time; medians of 20 requests keep a busy machine's jitter out.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import pytest

from services_under_test.recommender.faults import Faults
from services_under_test.recommender.keys import FAULTS
from services_under_test.recommender.settings import parse_settings
from tests.conftest import REPO
from tests.service.conftest import AppClient

MakeClient = Callable[..., Awaitable[AppClient]]
HOME = "/v1/recommendations/home?user_id=7&n=5"
REQUESTS = 20


async def median_s(client: AppClient, path: str = HOME, *, fastest: bool = False) -> float:
    took = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = await client.get(path)
        await response.read()
        took.append(time.perf_counter() - started)
        assert response.status in (200, 404)
    return min(took) if fastest else statistics.median(took)


@pytest.mark.parametrize("base_ms", [25.0, 60.0])
async def test_a_100_pct_slowdown_doubles_each_request_whatever_its_base_time(
    make_client: MakeClient, base_ms: float
) -> None:
    # Doubling at two base times is what "proportional" means: a fixed added delay would double
    # one of them at most (25 ms + 25 ms, but 60 ms + 25 ms is only ×1.4).
    client = await make_client(Faults(latency=[(base_ms, 1.0)]))
    base = await median_s(client)
    client.app[FAULTS].update({"slowdown_pct": 100})
    slowed = await median_s(client)

    assert base >= base_ms / 1000
    assert 1.6 <= slowed / base <= 2.6, (base, slowed)


async def test_a_slowdown_also_slows_error_answers(make_client: MakeClient) -> None:
    client = await make_client(Faults(latency=[(30.0, 1.0)], slowdown_pct=100))
    missing = await median_s(client, "/v1/recommendations/similar?item_id=1999999")  # 404
    assert missing >= 0.055


async def test_zero_pct_changes_nothing_and_the_switch_turns_it_off_and_on(
    make_client: MakeClient,
) -> None:
    client = await make_client(Faults(latency=[(30.0, 1.0)]), admin=True)
    base = await median_s(client)

    off = await client.put("/admin/faults", json={"slowdown_pct": "0%"})
    zero = await median_s(client)
    on = await client.put("/admin/faults", json={"slowdown_pct": "100%"})
    slowed = await median_s(client)
    await client.put("/admin/faults", json={"slowdown_pct": 0})
    back = await median_s(client)

    assert off.status == 200 and (await off.json())["faults"]["slowdown_pct"] == 0.0
    assert on.status == 200 and (await on.json())["active"]["slowdown_pct"] == 100.0
    assert 0.8 <= zero / base <= 1.25, (base, zero)
    assert 1.6 <= slowed / base <= 2.6, (base, slowed)
    assert 0.8 <= back / base <= 1.25, (base, back)


async def test_health_and_metrics_are_never_slowed(make_client: MakeClient) -> None:
    # These answer in about a millisecond, where a busy machine's scheduling (the shared test
    # pass) moved the median ×3.5: the fastest of 20 is the service's own time, and a slowdown
    # that applied would raise even the fastest ×11.
    client = await make_client(admin=True)
    paths = ("/healthz", "/metrics")
    before = {path: await median_s(client, path, fastest=True) for path in paths}
    await client.put("/admin/faults", json={"slowdown_pct": 1000})  # ×11 if it applied to them
    after = {path: await median_s(client, path, fastest=True) for path in paths}

    for path, took in after.items():
        assert took / before[path] < 3, (path, before[path], took)
    metrics = await (await client.get("/metrics")).text()
    assert 'recommender_fault_active{fault="slowdown_pct"} 1000.0' in metrics


async def test_the_admin_api_refuses_a_bad_slowdown_and_keeps_the_old_one(
    make_client: MakeClient,
) -> None:
    client = await make_client(Faults(slowdown_pct=10), admin=True)
    for bad in (1001, -1, "fast", "2000%", True, None):
        refused = await client.put("/admin/faults", json={"slowdown_pct": bad})
        error = (await refused.json())["error"]
        assert refused.status == 400
        assert "slowdown_pct" in error and "from 0 to 1000" in error and repr(bad) in error
    assert client.app[FAULTS].slowdown_pct == 10.0


@pytest.mark.parametrize(("flag", "pct"), [("10%", 10.0), ("10", 10.0), ("0", 0.0), ("1000%", 1000.0), (" 2.5 %", 2.5)])  # fmt: skip
def test_the_flag_takes_a_percentage_with_or_without_the_sign(flag: str, pct: float) -> None:
    assert parse_settings(["--fault-slowdown", flag]).faults.slowdown_pct == pct


@pytest.mark.parametrize("flag", ["1000.5", "-5%", "ten", "nan", "inf%", ""])
def test_a_bad_flag_value_is_a_usage_error_naming_flag_value_and_range(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_settings([f"--fault-slowdown={flag}"])  # "=": argparse reads "-5%" as a flag
    error = capsys.readouterr().err
    assert exited.value.code == 2
    assert "argument --fault-slowdown" in error
    assert repr(flag) in error and "from 0 to 1000 (e.g. 10 or 10%)" in error


def test_the_service_process_refuses_a_bad_slowdown_with_exit_2() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "services_under_test.recommender", "--fault-slowdown", "2000%"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2
    assert "argument --fault-slowdown" in run.stderr and "'2000%'" in run.stderr


def test_the_slowdown_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECOMMENDER_FAULTS", '{"slowdown_pct": "15%"}')
    assert parse_settings([]).faults.slowdown_pct == 15.0
