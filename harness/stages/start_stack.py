"""The stack a run measures, started and checked before any load: Prometheus (a private one, or
the one ``--prometheus-url`` names) and the service (the reference one, or ``--target``).

Cheap checks come first, so an unreachable Prometheus or target fails before anything heavy starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.errors import InconclusiveError, InputError
from harness.load.locustfile_check import check_locustfile
from harness.prometheus_api import PrometheusAPI
from harness.run_folder import PROMETHEUS_DIR
from harness.slo.measure import check_queries
from harness.stack.duet_sides import check_same_endpoints
from harness.stack.first_scrape import OVERLAP_FROM_S, SCRAPE_TIMEOUT_S, FirstScrape
from harness.stack.grpc_health import check_grpc_serving
from harness.stack.processes import ProcessGroup, StartedProcess
from harness.stack.prometheus import scrape_targets_for, start_private_prometheus, wait_for_targets
from harness.stack.readiness import free_port
from harness.stack.service import (
    check_target_answers,
    start_command_service,
    start_reference_service,
)
from harness.stages import Say
from harness.values.plan import Duet, Plan

__all__ = ["Stack", "service_must_be_up", "start_stack", "wait_for_stack"]


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


def wait_for_stack(plan: Plan, stack: Stack, say: Say) -> FirstScrape | None:
    """Prometheus must have scraped the service once, and every SLO query must be one it accepts
    (else exit 2, before any load). When the warm-up is long enough to hold the wait, the scrape
    is awaited during it instead (the returned ``FirstScrape``; ``first_scrape.py``): the queries
    are then checked before the service's series are in, so one that returns several of them is
    found in the data after the load (``measure``, exit 2 as well)."""
    first_scrape = None
    if not stack.external_prometheus:
        require_up = service_must_be_up(plan, stack)
        if plan.load.warmup_s >= OVERLAP_FROM_S:
            first_scrape = FirstScrape(stack.api.url, require_service_up=require_up)
        elif not wait_for_targets(
            stack.api, require_service_up=require_up, timeout_s=SCRAPE_TIMEOUT_S
        ):
            raise InconclusiveError(
                f"Prometheus did not scrape the service within {SCRAPE_TIMEOUT_S:.0f}s"
            )
    try:
        check_queries(stack.api, plan.slos)
    except BaseException:
        if first_scrape is not None:
            first_scrape.stop()
        raise
    say(f"Prometheus: {stack.api.url}")
    return first_scrape


def service_must_be_up(plan: Plan, stack: Stack) -> bool:
    """The reference service's /metrics is known to answer; a user's service may have none."""
    return stack.service is not None and plan.service_command is None


def _external_prometheus(plan: Plan) -> PrometheusAPI | None:
    if not plan.prometheus_url:
        return None
    external = PrometheusAPI(plan.prometheus_url)
    if not external.ready():
        raise InconclusiveError(f"Prometheus at {plan.prometheus_url} does not answer /-/ready")
    return external
