"""What a soak watches: the process's RSS and open fds, and how late the event loop wakes up."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from services_under_test.recommender.faults import Faults
from tests.service.conftest import AppClient

MakeClient = Callable[..., Awaitable[AppClient]]
LAG = "recommender_event_loop_lag_seconds"


def sample(text: str, name: str) -> float:
    """The value of the one sample called exactly ``name`` (labels included) in /metrics text."""
    values = [
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name + " ")
    ]
    assert len(values) == 1, f"{name} not in /metrics"
    return values[0]


async def lag_after(client: AppClient, seconds: float) -> tuple[float, float, float]:
    """(observations, observations later than 100 ms, summed lag) after ``seconds`` of running."""
    await asyncio.sleep(seconds)
    text = await (await client.get("/metrics")).text()
    count = sample(text, f"{LAG}_count")
    return count, count - sample(text, f'{LAG}_bucket{{le="0.1"}}'), sample(text, f"{LAG}_sum")


async def test_the_process_rss_and_open_fds_are_exposed(make_client: MakeClient) -> None:
    text = await (await (await make_client()).get("/metrics")).text()
    assert sample(text, "process_resident_memory_bytes") > 10 * 2**20
    assert sample(text, "process_open_fds") >= 3  # stdin, stdout, stderr at least
    assert f"# TYPE {LAG} histogram" in text


async def test_the_loop_lag_is_small_when_nothing_blocks(make_client: MakeClient) -> None:
    count, late, total = await lag_after(await make_client(), 1.1)
    assert count >= 3  # one every 0.25 s
    assert late == 0
    assert total / count < 0.05


async def test_the_loop_lag_rises_during_a_stall(make_client: MakeClient) -> None:
    # 400 ms stalls every 0.5 s: each covers a 0.25 s probe's wake-up and delays it ≥ 150 ms.
    stalled = await make_client(Faults(stall_ms=400, stall_every_s=0.5))
    count, late, total = await lag_after(stalled, 2.0)
    assert count >= 3
    assert late >= 2
    assert total / count > 0.05
