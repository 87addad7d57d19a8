"""Leak detection end to end: the reference service twice, healthy and with its memory-leak fault,
each scraped by a private Prometheus and sampled every second by the soak's ResourceSampler.

Both run at the same time, so the test takes one sampling period (15 s), not two. The leak
is 2000 KB/s (about 7 GB/h): clear in 10 s after a 5 s warm-up, about 30 MB in all.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from harness.soak.resources import ResourceSampler
from harness.soak.trend import Finding, GrowthStatus
from harness.stack.processes import ProcessGroup
from harness.stack.prometheus import (
    SERVICE_JOB,
    ScrapeTargets,
    start_private_prometheus,
    wait_for_targets,
)

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]

Factory = Callable[..., tuple[str, subprocess.Popen[bytes]]]
SMALL = ("--items", "2000", "--users", "500")
SAMPLE_FOR_S = 15.0
WARMUP_S = 5.0


def sampler_for(group: ProcessGroup, url: str, work: Path) -> ResourceSampler:
    targets = ScrapeTargets(urlsplit(url).netloc, "/metrics", "http", clients=())
    api = start_private_prometheus(group, work, work / "tsdb", targets)
    assert wait_for_targets(api, require_service_up=True, timeout_s=15)
    return ResourceSampler(api, SERVICE_JOB, os.getpid())


def test_a_leaking_service_is_told_from_a_healthy_one(
    service_factory: Factory, tmp_path: Path
) -> None:
    healthy_url, _ = service_factory(*SMALL)
    leaking_url, _ = service_factory(*SMALL, "--fault-leak-kb-per-s", "2000")
    with (
        ProcessGroup(tmp_path / "healthy", "leak-e2e") as healthy_group,
        ProcessGroup(tmp_path / "leaking", "leak-e2e") as leaking_group,
    ):
        samplers = {
            "healthy": sampler_for(healthy_group, healthy_url, tmp_path / "healthy"),
            "leaking": sampler_for(leaking_group, leaking_url, tmp_path / "leaking"),
        }
        started = time.time()
        for tick in range(int(SAMPLE_FOR_S)):
            time.sleep(max(0.0, started + tick - time.time()))
            for sampler in samplers.values():
                sampler.sample(time.time())

    found: dict[str, dict[str, Finding]] = {
        name: {f.what: f for f in sampler.findings(skip_first_s=WARMUP_S)}
        for name, sampler in samplers.items()
    }
    for name, findings in found.items():  # what a person reads, when this test fails
        print(name, *(f.sentence for f in findings.values()), sep="\n  ")

    leak = found["leaking"]["service RSS"]
    assert leak.status is GrowthStatus.LEAKING, leak.sentence
    assert leak.sentence.startswith("service RSS grows ") and leak.sentence.endswith("a leak")
    assert leak.trend is not None and 3_000e6 < leak.trend.slope_per_h < 12_000e6  # ≈ 7.4 GB/h
    healthy = found["healthy"]
    for what in ("service RSS", "service open fds"):
        assert healthy[what].status is GrowthStatus.FLAT, healthy[what].sentence
    assert found["leaking"]["service open fds"].status is GrowthStatus.FLAT
    # Sampled, but not judged here: over 10 s, a p99 over a 10 s window moves in steps as single
    # slow wake-ups enter and leave it — noise, not a trend (unit tests cover drift).
    lag = healthy["service event-loop lag p99"]
    assert lag.trend is not None and lag.trend.samples >= SAMPLE_FOR_S - WARMUP_S - 2
