"""A calibration's trials: the scenario gated again and again against services whose difference is
known — none (A/A) or a proportional slowdown the candidate's service injects (its live-switchable
``slowdown_pct`` fault, so the services start once and every trial meets warm ones).

* **duet**: one run with both sides at once, the baseline's service unchanged, the candidate's
  slowed by the shift.
* **sequential**: the baseline's run, then the candidate's, one after the other on one service,
  the second judged against the first's windows as against a saved baseline. Each run gets half
  the scenario's window, so both modes spend the same load time per trial.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from harness.errors import InconclusiveError
from harness.plan import RunOptions, build_plan
from harness.run import execute_run
from harness.stack.processes import ProcessGroup
from harness.stack.service import start_reference_service
from harness.values.baseline import Baseline
from harness.values.plan import Plan

__all__ = [
    "Services",
    "Trial",
    "TrialSetup",
    "duet_trial",
    "reference_services",
    "sequential_trial",
]

ADMIN_TIMEOUT_S = 5.0
BUSY_LOOP = "while True: pass"


@dataclass(frozen=True)
class Trial:
    shift_pct: float
    verdict: str  # pass, warn, fail or inconclusive
    reasons: tuple[str, ...]  # why it failed or warned (the verdict's reasons)
    run_dir: str  # the (candidate's) run folder, with its result.json


@dataclass(frozen=True)
class Services:
    group: ProcessGroup
    baseline: str  # the unchanged side's URL
    candidate: str  # the slowed side's URL; the baseline's own in sequential mode


@contextmanager
def reference_services(mode: str, logs: Path, args: tuple[str, ...]) -> Iterator[Services]:
    """The reference service(s) with the admin API on, stopped when the calibration ends."""
    with ProcessGroup(logs, "calibrate") as group:
        admin = ("--admin", *args)
        baseline, _ = start_reference_service(group, admin, role="baseline")
        candidate = baseline
        if mode == "duet":
            candidate, _ = start_reference_service(group, admin, role="service")
        yield Services(group, baseline, candidate)


def set_slowdown(url: str, pct: float) -> None:
    """Switch the service's proportional slowdown live (its admin API)."""
    body = json.dumps({"slowdown_pct": pct}).encode()
    request = urllib.request.Request(  # noqa: S310 - a loopback service this process started
        f"{url}/admin/faults", data=body, method="PUT", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=ADMIN_TIMEOUT_S) as answer:  # noqa: S310
            if answer.status != 200:
                raise InconclusiveError(f"{url} refused the slowdown: HTTP {answer.status}")
    except OSError as exc:
        raise InconclusiveError(f"could not set the slowdown on {url}: {exc}") from None


@dataclass(frozen=True)
class TrialSetup:
    """What every trial of a calibration shares."""

    scenario: Path
    out: Path  # the trials' run folders go here
    noisy: bool  # a noisy neighbour (see _neighbour)
    duration: str | None  # each trial's window, instead of the scenario's


def duet_trial(setup: TrialSetup, services: Services, shift: float, index: int) -> Trial:
    set_slowdown(services.baseline, 0.0)
    set_slowdown(services.candidate, shift)
    options = RunOptions(scenario=setup.scenario, target=services.candidate, out=setup.out,
                         duet_baseline=services.baseline, duration=setup.duration)  # fmt: skip
    plan = build_plan(options, probe=None)  # the locustfile was checked once, before the trials
    plan = _seeded(plan, index)
    with _neighbour(services.group, setup.noisy):
        outcome = execute_run(plan)
    return _trial(shift, outcome.verdict.status, outcome.verdict.reasons, outcome.run_dir)


def sequential_trial(setup: TrialSetup, services: Services, shift: float, index: int) -> Trial:
    options = RunOptions(scenario=setup.scenario, target=services.baseline, out=setup.out,
                         duration=setup.duration)  # fmt: skip
    plan = _seeded(build_plan(options, probe=None), index)
    half = replace(plan.load, duration_s=plan.load.duration_s / 2)
    plan = replace(plan, load=half)
    set_slowdown(services.baseline, 0.0)
    first = execute_run(plan)
    samples = first.result.get("samples") or {}
    if first.verdict.status.value == "inconclusive" or not samples:
        return _trial(shift, first.verdict.status, first.verdict.reasons, first.run_dir)
    baseline = Baseline(f"trial {index + 1}, baseline run", str(first.run_dir), {}, samples, "")
    set_slowdown(services.baseline, shift)
    try:
        with _neighbour(services.group, setup.noisy):
            second = execute_run(replace(plan, baseline=baseline))
    finally:
        set_slowdown(services.baseline, 0.0)
    return _trial(shift, second.verdict.status, second.verdict.reasons, second.run_dir)


def _seeded(plan: Plan, index: int) -> Plan:
    """Each trial its own traffic (a scenario's fixed seed would replay one sample of it): the
    trials then sample the traffic's variation as well as the machine's. Trials are never
    recorded in the scenario's history: their slowdowns are injected, not the service's own."""
    seed = index + 1
    duet = replace(plan.duet, seed=seed) if plan.duet else None
    load = replace(plan.load, seed=seed, seed_given=True)
    return replace(plan, load=load, duet=duet, history=None)


def _trial(shift: float, status: object, reasons: tuple[str, ...], run_dir: Path) -> Trial:
    return Trial(shift, str(status), reasons, str(run_dir))


@contextmanager
def _neighbour(group: ProcessGroup, noisy: bool) -> Iterator[None]:
    """A process busy on a core, as a CI runner's neighbour would be, while the block runs."""
    if not noisy:
        yield
        return
    busy = group.start("noisy-neighbour", [sys.executable, "-c", BUSY_LOOP])
    try:
        yield
    finally:
        group.stop(busy)
