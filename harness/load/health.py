"""Is the load generator trustworthy? A saturated generator measures itself, not the service.

``CpuSampler`` samples the CPU of every Locust process on this machine (master and forked
workers) through the run; every load-generating process also samples itself and reports it with
its results, so a worker on another machine counts the same. ``judge_generator`` turns the CPU
inside the window, the open model's arrival counts, the iterations that raised and Locust's exit
code into a ``GeneratorHealth`` whose ``problems`` make the verdict inconclusive.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass, field

import psutil

from harness.load.names import folding_warning
from harness.load.results import ProcessReports
from harness.values.run_result import ArrivalCounts, GeneratorHealth, LoadWindow, ProcessCpu

__all__ = [
    "MAX_DROPPED_SHARE",
    "MAX_SHORTFALL",
    "MAX_USER_ERROR_SHARE",
    "CpuSample",
    "CpuSampler",
    "judge_generator",
]

MAX_DROPPED_SHARE = 0.01  # more dropped arrivals than this: inconclusive
MAX_SHORTFALL = 0.01  # starting fewer arrivals than the target by more than this: inconclusive
# More iterations raising than this: inconclusive. The same bound as dropped arrivals: either way
# that share of the intended load did not happen.
MAX_USER_ERROR_SHARE = 0.01


@dataclass(frozen=True)
class CpuSample:
    since: float  # Unix time: the reading covers [since, at]
    at: float
    pid: int
    percent: float  # of one core


@dataclass
class CpuSampler:
    root_pid: int
    samples: list[CpuSample] = field(default_factory=list)
    _known: dict[int, psutil.Process] = field(default_factory=dict)
    _last: dict[int, float] = field(default_factory=dict)  # each process's previous reading

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
                else:
                    since = self._last[process.pid]
                    self.samples.append(CpuSample(since, now, process.pid, known.cpu_percent(None)))
                self._last[process.pid] = now
            except psutil.Error:
                continue


def judge_generator(
    samples: list[CpuSample],
    window: LoadWindow | None,
    exit_code: int | None,
    *,
    max_cpu: float,
    arrivals: ArrivalCounts | None = None,
    timed_out: bool = False,
    interrupted: bool = False,
    stopped_early: bool = False,
    reported: tuple[int, int] | None = None,
    reports: ProcessReports | None = None,
) -> GeneratorHealth:
    """``reported``: (processes whose results arrived, processes that generated load);
    ``reports``: what those processes said of themselves (CPU, iterations, exceptions)."""
    reports = reports or ProcessReports()
    processes, unmeasured = _cpu_by_process(samples, window, reports)
    cpu_max = max((p.cpu_max for p in processes), default=0.0)
    problems = []
    if interrupted:
        problems.append("interrupted before the run finished; results are partial")
    elif timed_out:
        problems.append("the load generator did not finish in time and was stopped")
    elif not stopped_early and (exit_code is None or exit_code not in (0, 1)):
        # 1 only means "some requests failed"; a load the harness stopped may exit otherwise
        problems.append(f"the load generator crashed (exit code {exit_code})")
    if reported is not None and 0 < reported[0] < reported[1] and not problems:
        missing = reported[1] - reported[0]
        problems.append(
            f"results of {missing} of {reported[1]} load-generating processes are missing: "
            "their requests cannot be counted"
        )
    if unmeasured and window is not None:
        problems.append(
            f"the CPU of {', '.join(unmeasured)} was not measured inside the window: "
            "it may have been saturated"
        )
    saturated = [f"{p.process} used {p.cpu_max:.0f}%" for p in processes if p.cpu_max > max_cpu]
    if saturated:
        problems.append(
            f"the load generator was saturated: {', '.join(saturated)} of a core "
            f"(limit {max_cpu:.0f}%); its latencies measure itself, not the service"
        )
    target = achieved = None
    if arrivals is not None and window is not None:
        problems += _arrival_problems(arrivals)
        target = arrivals.expected / window.seconds
        achieved = arrivals.started / window.seconds
    warnings = []
    if reports.user_errors:
        if reports.user_errors > MAX_USER_ERROR_SHARE * (reports.iterations + reports.user_errors):
            problems.append(_user_error_sentence(reports, ": that load did not happen"))
        else:
            warnings.append(_user_error_sentence(reports, ""))
    if reports.folded_names:
        warnings.append(folding_warning(list(reports.folded_names)))
    return GeneratorHealth(
        cpu_max=round(cpu_max, 1),
        dropped_iterations=arrivals.dropped if arrivals else 0,
        exit_code=exit_code,
        problems=tuple(problems),
        target_arrival_rate=None if target is None else round(target, 3),
        achieved_arrival_rate=None if achieved is None else round(achieved, 3),
        processes=processes,
        iterations=reports.iterations + reports.user_errors,
        user_errors=reports.user_errors,
        warnings=tuple(warnings),
    )


def _cpu_by_process(
    samples: list[CpuSample], window: LoadWindow | None, reports: ProcessReports
) -> tuple[tuple[ProcessCpu, ...], list[str]]:
    """Each process's highest CPU in the window, sampled here or reported by the process; and
    the processes nobody measured (a worker elsewhere that reported no CPU)."""
    highest: dict[str, float] = {}
    local_pids = {s.pid for s in samples}
    for s in samples:
        # No window, nothing measured: Locust's start-up at a full core is no saturation, and
        # the run is inconclusive for the missing window already (CI saw it as a second reason).
        if window is not None and window.holds_most_of(s.since, s.at):
            label = f"pid {s.pid}"
            highest[label] = max(highest.get(label, 0.0), s.percent)
    here = socket.gethostname()
    unmeasured = []
    for cpu in reports.cpu:
        # A worker on this machine that the harness forked is sampled twice: one entry, the higher.
        local = cpu.host == here and cpu.pid in local_pids
        label = f"pid {cpu.pid}" if local else f"worker on {cpu.host} (pid {cpu.pid})"
        if cpu.cpu_max is not None:
            highest[label] = max(highest.get(label, 0.0), cpu.cpu_max)
        elif not local:
            unmeasured.append(label)
    processes = tuple(
        ProcessCpu(label, round(cpu, 1))
        for label, cpu in sorted(highest.items(), key=lambda item: -item[1])
    )
    return processes, unmeasured


def _user_error_sentence(reports: ProcessReports, consequence: str) -> str:
    total = reports.iterations + reports.user_errors
    share = reports.user_errors / total
    kinds = "; ".join(f"{kind} ({count}×)" for kind, count in reports.error_kinds[:3])
    return (
        f"the locustfile's users raised an exception in {reports.user_errors} of {total} "
        f"iterations ({share:.1%}, limit {MAX_USER_ERROR_SHARE:.0%}){consequence}"
        + (f". Raised: {kinds}" if kinds else "")
    )


def _arrival_problems(arrivals: ArrivalCounts) -> list[str]:
    problems = []
    # The schedule as drawn (open_model.py counts every arrival of it due in the window), not
    # the profile's mean: a Poisson count is random, and falling short of its mean is no fault.
    target = float(arrivals.scheduled)
    if target <= 0:
        return ["the open model scheduled no arrivals inside the window"]
    if arrivals.dropped > MAX_DROPPED_SHARE * target:
        problems.append(
            f"the load generator dropped {arrivals.dropped} of {target:.0f} scheduled arrivals "
            f"({arrivals.dropped / target:.1%}, limit {MAX_DROPPED_SHARE:.0%}): it could not start them on time"
        )
    if arrivals.started + arrivals.cut < (1 - MAX_SHORTFALL) * target:
        problems.append(
            f"the load generator fell short of its target rate: it started {arrivals.started} of "
            f"{target:.0f} arrivals ({1 - arrivals.started / target:.1%} short, limit {MAX_SHORTFALL:.0%})"
        )
    return problems
