"""Is the load generator trustworthy? A saturated generator measures itself, not the service.

``CpuSampler`` samples the CPU of every Locust process (master and forked workers) through the
run; ``judge_generator`` turns the samples inside the window, the drop count and Locust's exit code
into a ``GeneratorHealth`` whose ``problems`` make the verdict inconclusive.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import psutil

from harness.model import GeneratorHealth, LoadWindow

__all__ = ["CpuSample", "CpuSampler", "judge_generator"]


@dataclass(frozen=True)
class CpuSample:
    at: float  # Unix time
    pid: int
    percent: float  # of one core


@dataclass
class CpuSampler:
    root_pid: int
    samples: list[CpuSample] = field(default_factory=list)
    _known: dict[int, psutil.Process] = field(default_factory=dict)

    def sample(self) -> None:
        """Record every process's CPU since the previous call (the first call per process primes it)."""
        try:
            root = psutil.Process(self.root_pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        now = time.time()
        for process in processes:
            try:
                known = self._known.get(process.pid)
                if known is None:
                    self._known[process.pid] = process
                    process.cpu_percent(None)
                    continue
                self.samples.append(CpuSample(now, process.pid, known.cpu_percent(None)))
            except psutil.Error:
                continue


def judge_generator(
    samples: list[CpuSample],
    window: LoadWindow | None,
    exit_code: int | None,
    *,
    max_cpu: float,
    dropped_iterations: int = 0,
    timed_out: bool = False,
    interrupted: bool = False,
) -> GeneratorHealth:
    inside = [
        s.percent for s in samples if window is None or window.start <= s.at <= window.end + 1
    ]
    cpu_max = max(inside, default=0.0)
    problems = []
    if interrupted:
        problems.append("interrupted before the run finished; results are partial")
    elif timed_out:
        problems.append("the load generator did not finish in time and was stopped")
    elif exit_code is None or exit_code not in (0, 1):  # 1 only means "some requests failed"
        problems.append(f"the load generator crashed (exit code {exit_code})")
    if cpu_max > max_cpu:
        problems.append(
            f"the load generator was saturated: a Locust process used {cpu_max:.0f}% of a core "
            f"(limit {max_cpu:.0f}%); its latencies measure itself, not the service"
        )
    return GeneratorHealth(
        cpu_max=round(cpu_max, 1),
        dropped_iterations=dropped_iterations,
        exit_code=exit_code,
        problems=tuple(problems),
    )
