"""The stack a run measures, started and checked before any load: Prometheus (a private one, or
the one ``--prometheus-url`` names) and the service (the reference one, or ``--target``).

Cheap checks come first, so an unreachable Prometheus or target fails before anything heavy starts.
A private Prometheus's first scrape of the service comes 5–6 s after its start (its discovery is
throttled); when the load's warm-up covers what is left of that delay, the load starts before it
and ``FirstScrape`` holds the measured window to it instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from harness.errors import InconclusiveError, InputError
from harness.load.locustfile_check import check_locustfile
from harness.prometheus_api import PrometheusAPI
from harness.run_folder import PROMETHEUS_DIR
from harness.slo.measure import check_queries
from harness.stack.duet_sides import check_same_endpoints
from harness.stack.grpc_health import check_grpc_serving
from harness.stack.processes import ProcessGroup, StartedProcess
from harness.stack.prometheus import (
    FIRST_SCRAPE_S,
    scrape_targets_for,
    service_scraped,
    start_private_prometheus,
)
from harness.stack.readiness import free_port, wait_until
from harness.stack.service import (
    check_target_answers,
    start_command_service,
    start_reference_service,
)
from harness.stages import Say
from harness.values.plan import Duet, Plan
from harness.values.slo import SLO

__all__ = ["FirstScrape", "Stack", "service_must_be_up", "start_stack", "wait_for_stack"]

SCRAPE_TIMEOUT_S = 30.0  # from the moment the stack runs: Prometheus's first scrape of the service


@dataclass(frozen=True)
class Stack:
    """What later stages use of the running stack. Live handles, not values: of it, the run
    records only the target's URL."""

    api: PrometheusAPI
    target_url: str
    metrics_ports: tuple[int, ...]  # one per local Locust process's exporter, scraped by Prometheus
    service: StartedProcess | None  # the reference service, when this run started it
    external_prometheus: bool  # --prometheus-url: not ours to wait for
    baseline_url: str | None = None  # a duet's baseline side (the target is its candidate)
    baseline_service: StartedProcess | None = None  # the baseline, when this run started it
    grpc_target: str | None = None  # host:port of the target's gRPC server, for GrpcUser
    prometheus_started: float = 0.0  # time.monotonic() when the private Prometheus was started


def start_stack(plan: Plan, group: ProcessGroup, run_dir: Path, tsdb: Path, say: Say) -> Stack:
    """Start Prometheus (its TSDB in ``tsdb``), then the reference service unless there is a
    target; returns once both run, before Prometheus has scraped anything."""
    external = _external_prometheus(plan)
    if plan.target_url:
        check_target_answers(plan.target_url)
    duet = plan.duet
    if duet is not None and duet.baseline_url:
        check_target_answers(duet.baseline_url, "the duet's baseline")
    service_port = None if plan.target_url else free_port()
    grpc_target = plan.grpc_target
    service_args = plan.service_args
    if service_port is not None and plan.service_grpc:
        grpc_port = free_port()
        grpc_target = f"127.0.0.1:{grpc_port}"
        service_args = (*service_args, "--grpc-port", str(grpc_port))
    target_url = plan.target_url or f"http://127.0.0.1:{service_port}"
    started_baseline = duet is not None and (duet.baseline_checkout or duet.baseline_command)
    baseline_port = free_port() if started_baseline else None
    baseline_url = duet.baseline_url if duet is not None else None
    if baseline_port is not None:
        baseline_url = f"http://127.0.0.1:{baseline_port}"

    # Prometheus first: its target discovery takes about 5 s, the service's start about 3 s,
    # and the two overlap (the service's port is chosen before either starts).
    prometheus_started = time.monotonic()
    remote = plan.remote_workers
    metrics_ports = [] if remote else [free_port() for _ in range(plan.load.processes)]
    api = external or start_private_prometheus(
        group,
        run_dir / PROMETHEUS_DIR,
        tsdb,
        scrape_targets_for(
            target_url, metrics_ports, remote.metrics if remote else (), baseline_url
        ),
    )
    service = None
    if service_port is not None and plan.service_command is not None:
        say(f"starting the service: {' '.join(plan.service_command.argv)}…")
        target_url, service = start_command_service(
            group, plan.service_command, "service", service_port
        )
    elif service_port is not None:
        say("starting the reference service…")
        target_url, service = start_reference_service(group, service_args, service_port)
    baseline = None
    if duet is not None and baseline_port is not None:
        baseline_url, baseline = _start_baseline(plan, duet, group, baseline_port, say)
    if baseline_url is not None:
        check_same_endpoints(baseline_url, target_url)
    if grpc_target is not None:
        _check_grpc(plan, grpc_target, say)
    say(f"target: {target_url}" + (f"; duet baseline: {baseline_url}" if baseline_url else ""))
    return Stack(
        api,
        target_url,
        tuple(metrics_ports),
        service,
        external is not None,
        baseline_url,
        baseline,
        grpc_target,
        prometheus_started,
    )


def _check_grpc(plan: Plan, target: str, say: Say) -> None:
    """The gRPC target serves (else inconclusive), and serves every method the locustfile's
    GrpcUsers can call (else invalid input, exit 2): both before any load."""
    check_grpc_serving(target)
    say(f"checking the locustfile's RPCs against {target}…")
    load = plan.load
    problems = check_locustfile(
        plan.locustfile, plan.locust_args, "load.locust_args", "locust_args", load.parameters,
        grpc_target=target,
    )  # fmt: skip
    if problems:
        raise InputError(problems)


def _start_baseline(
    plan: Plan, duet: Duet, group: ProcessGroup, port: int, say: Say
) -> tuple[str, StartedProcess]:
    """A duet's baseline the harness starts: its own command, or the candidate's service (the
    user's command or the reference service) run from another checkout."""
    if duet.baseline_command is not None:
        say(f"starting the duet's baseline: {' '.join(duet.baseline_command.argv)}…")
        return start_command_service(group, duet.baseline_command, "baseline", port)
    say(f"starting the duet's baseline from {duet.baseline_checkout}…")
    if plan.service_command is not None:
        return start_command_service(
            group, plan.service_command, "baseline", port, duet.baseline_checkout
        )
    return start_reference_service(
        group, plan.service_args, port, duet.baseline_checkout, role="baseline"
    )


def service_must_be_up(plan: Plan, stack: Stack) -> bool:
    """The reference service's ``/metrics`` must answer (``up == 1``); a user's service or a
    ``--target`` need not have one (any scrape result will do)."""
    return stack.service is not None and plan.service_command is None


@dataclass
class FirstScrape:
    """Prometheus's first scrape of the service, still to come when the load starts.

    The load's ticks ask ``stop_reason``: once the scrape has come, every SLO query is checked
    again against the service's series (one that returns several is exit 2, before the window
    opens); if it has not come by ``deadline`` — the warm-up's end, or 30 s after the stack
    ran — the load is stopped and the run is inconclusive. ``measure`` checks once more, exactly,
    that the scrape came before the window opened (stack/prometheus.py: ``service_scraped``).
    """

    api: PrometheusAPI
    slos: tuple[SLO, ...]
    require_service_up: bool
    deadline: float  # time.monotonic()
    seen: bool = False
    missed: str | None = None  # why the load was stopped, once it was

    def by(self, moment: float) -> FirstScrape:
        """The same wait, due by ``moment`` at the latest (the window's opening)."""
        return replace(self, deadline=min(self.deadline, moment))

    def stop_reason(self) -> str | None:
        if self.seen or self.missed is not None:
            return self.missed
        if service_scraped(self.api, require_service_up=self.require_service_up):
            self.seen = True
            check_queries(self.api, self.slos)
            return None
        if time.monotonic() >= self.deadline:
            self.missed = "Prometheus had not scraped the service when the window was to open"
        return self.missed


def wait_for_stack(plan: Plan, stack: Stack, say: Say) -> FirstScrape | None:
    """Until Prometheus has scraped the service once; then every SLO query must be one it accepts
    (else exit 2, before any load).

    A private Prometheus's first scrape comes 5–6 s after its start. When the load's warm-up
    would end at least ``FIRST_SCRAPE_S`` after that start, the load need not wait for it: the
    queries are checked now, and the returned ``FirstScrape`` holds the window to the scrape.
    """
    if stack.external_prometheus:
        check_queries(stack.api, plan.slos)
        say(f"Prometheus: {stack.api.url}")
        return None
    require_up = service_must_be_up(plan, stack)
    may_start = stack.prometheus_started + FIRST_SCRAPE_S - plan.load.warmup_s
    deadline = time.monotonic() + SCRAPE_TIMEOUT_S
    scraped = False

    def ready() -> bool:
        nonlocal scraped
        scraped = service_scraped(stack.api, require_service_up=require_up)
        return scraped or time.monotonic() >= may_start

    if not wait_until(ready, SCRAPE_TIMEOUT_S, interval_s=0.25):
        raise InconclusiveError(
            f"Prometheus did not scrape the service within {SCRAPE_TIMEOUT_S:.0f}s"
        )
    check_queries(stack.api, plan.slos)
    if scraped:
        say(f"Prometheus: {stack.api.url}")
        return None
    say(f"Prometheus: {stack.api.url} (its first scrape of the service is awaited in the warm-up)")
    return FirstScrape(stack.api, plan.slos, require_up, deadline)


def _external_prometheus(plan: Plan) -> PrometheusAPI | None:
    if not plan.prometheus_url:
        return None
    external = PrometheusAPI(plan.prometheus_url)
    if not external.ready():
        raise InconclusiveError(f"Prometheus at {plan.prometheus_url} does not answer /-/ready")
    return external
