"""One ``loadgate run``: the pipeline from a validated plan to a written verdict.

    plan ─► stack (service, Prometheus) ─► load (Locust) ─► slo ─► gate ─► report

Every process started here belongs to one ``ProcessGroup`` and is stopped when the run ends,
however it ends. ``result.json`` is written in every case — pass, fail, inconclusive, Ctrl-C —
with whatever was measured before the end.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from harness.errors import InconclusiveError, InputError
from harness.gate.judge import judge_gate
from harness.gate.steps import step_windows
from harness.gate.verdict import decide, inconclusive, invalid_input, with_findings
from harness.load.health import judge_generator
from harness.load.quantiles import with_prometheus_p99
from harness.load.results import read_client_results
from harness.load.runner import LocustRun, early_exit, generators, log_lines, run_locust
from harness.load.window_samples import window_samples
from harness.monitor import RunMonitor
from harness.progress import RunProgress
from harness.prometheus_api import PrometheusAPI
from harness.report.live import LiveView
from harness.report.live_numbers import LiveSampler
from harness.report.sinks import make_run_folder, write_reports
from harness.run_folder import CLIENT_DIR, LOGS_DIR
from harness.slo.burn import burn_series
from harness.slo.evaluate import evaluate_slo, no_data
from harness.slo.measure import (
    check_bucket_boundaries,
    check_queries,
    measure_slo,
    raise_invalid,
)
from harness.stack.processes import ProcessGroup
from harness.stack.prometheus import (
    scrape_gaps,
    scrape_targets_for,
    start_private_prometheus,
    wait_for_targets,
)
from harness.stack.readiness import free_port
from harness.stack.service import check_target_answers, start_reference_service
from harness.values.plan import Plan
from harness.values.result_doc import ResultDoc
from harness.values.run_result import GeneratorHealth, LoadWindow, RunResult
from harness.values.verdict import StepResult, Verdict

__all__ = ["RunOutcome", "execute_run", "new_run_id"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOutcome:
    verdict: Verdict
    run_dir: Path
    result: ResultDoc
    result_path: Path


def new_run_id(name: str, now: float) -> str:
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{name}-{secrets.token_hex(2)}"


Say = Callable[[str], None]


def execute_run(
    plan: Plan,
    say: Say = lambda _: None,
    live: Console | None = None,
    monitor: RunMonitor | None = None,
    run_id: str | None = None,
) -> RunOutcome:
    """Run the plan end to end; ``say`` receives one line per stage, for the person watching.

    While Locust runs, ``live`` (a terminal) shows a live view; without it, ``say`` gets a
    progress line every 15 s. A ``monitor`` (soak mode) watches the load and adds its findings.
    ``run_id`` is given by a caller that names the run before it starts (a soak's start event).
    """
    started_at = time.time()
    run_id = run_id or new_run_id(plan.name, started_at)
    run_dir = plan.out_dir / run_id
    make_run_folder(run_dir)
    progress = RunProgress(
        run=RunResult(
            run_id,
            started_at,
            plan.target_url or "reference service",
            None,
            None,
            GeneratorHealth(0.0, 0, None),
        ),
        evaluations=[],
    )
    try:
        verdict = _run_stages(plan, run_dir, progress, say, live, monitor)
    except InconclusiveError as exc:
        verdict = inconclusive(str(exc))
    except KeyboardInterrupt:
        verdict = inconclusive("interrupted before the run finished; results are partial")
    except InputError as exc:
        # Invalid input found only once there was data (a latency threshold off the service's
        # buckets): exit 2, but what was measured is reported first, with the problems as its
        # reasons, and a soak's open pages are resolved.
        if monitor is not None:
            monitor.finished(progress.run.window, progress.samples)
        write_reports(run_dir, progress.result(plan, invalid_input(exc), monitor))
        raise
    except Exception as exc:  # a harness bug must still leave the partial report behind
        log.exception("the run failed")
        verdict = inconclusive(
            f"the harness failed ({type(exc).__name__}: {exc}); results are partial"
        )
    if monitor is None:
        result = progress.result(plan, verdict)
        return RunOutcome(verdict, run_dir, result, write_reports(run_dir, result))
    # A monitor's ending (resolving pages, fitting trends) is bounded but can take a while: the
    # report is written before it, and again after, so a second Ctrl-C there loses nothing.
    write_reports(run_dir, progress.result(plan, verdict, monitor))
    try:
        monitor.finished(progress.run.window, progress.samples)
        verdict = with_findings(verdict, monitor.findings())
    except (Exception, KeyboardInterrupt) as exc:
        log.exception("the monitor's ending failed")
        verdict = inconclusive(
            *verdict.reasons,
            f"the soak's ending was cut short ({type(exc).__name__}); results are partial",
        )
    result = progress.result(plan, verdict, monitor)
    return RunOutcome(verdict, run_dir, result, write_reports(run_dir, result))


def _run_stages(
    plan: Plan,
    run_dir: Path,
    progress: RunProgress,
    say: Say,
    live: Console | None = None,
    monitor: RunMonitor | None = None,
) -> Verdict:
    # The TSDB is scratch space: the verdict and its numbers go to the report, the samples do not.
    with (
        tempfile.TemporaryDirectory(prefix="loadgate-tsdb-") as tsdb,
        ProcessGroup(run_dir / LOGS_DIR, run_dir.name) as group,
    ):
        # Cheap checks that can fail first, before anything heavy starts.
        external = PrometheusAPI(plan.prometheus_url) if plan.prometheus_url else None
        if external is not None and not external.ready():
            raise InconclusiveError(f"Prometheus at {plan.prometheus_url} does not answer /-/ready")
        if plan.target_url:
            check_target_answers(plan.target_url)
        service_port = None if plan.target_url else free_port()
        target_url = plan.target_url or f"http://127.0.0.1:{service_port}"

        # Prometheus first: its target discovery takes about 5 s, the service's start about 3 s,
        # and the two overlap (the service's port is chosen before either starts).
        remote = plan.remote_workers
        metrics_ports = [] if remote else [free_port() for _ in range(plan.load.processes)]
        api = external or start_private_prometheus(
            group,
            run_dir / "prometheus",
            Path(tsdb),
            scrape_targets_for(target_url, metrics_ports, remote.metrics if remote else ()),
        )
        service = None
        if service_port is not None:
            say("starting the reference service…")
            target_url, service = start_reference_service(group, plan.service_args, service_port)
        say(f"target: {target_url}")
        progress.run = replace(progress.run, target=target_url)
        if external is None and not wait_for_targets(api, require_service_up=service is not None):
            raise InconclusiveError("Prometheus did not scrape the service within 30s")
        check_queries(api, plan.slos)
        say(f"Prometheus: {api.url}")

        load = plan.load
        shape = (
            f"{load.arrivals.peak_rate:g} arrivals/s at most, a pool of {load.users} users"
            if load.arrivals
            else f"{load.users} users"
        )
        say(f"load: {shape}, {load.duration_s:g}s after a {load.warmup_s:g}s warm-up…")
        # Its own API client: the view's thread may still be in a query when the phase ends.
        sampler = LiveSampler(PrometheusAPI(api.url), plan.slos)
        if monitor is not None:
            monitor.started(api, target_url, run_dir.name)
        try:
            with LiveView(sampler, load, console=live, say=say, monitor=monitor) as view:
                locust = run_locust(
                    group,
                    plan.locustfile,
                    target_url,
                    load,
                    run_dir,
                    metrics_ports,
                    on_tick=view.on_tick,
                    remote=remote,
                    stop_reason=monitor.stop_reason if monitor else None,
                    locust_args=plan.locust_args,
                )
        finally:
            if monitor is not None:
                monitor.load_ended()
        results = read_client_results(run_dir / CLIENT_DIR, open_model=load.arrivals is not None)
        generator = judge_generator(
            locust.sampler.samples,
            results.window,
            locust.exit_code,
            max_cpu=plan.max_generator_cpu,
            timed_out=locust.timed_out,
            interrupted=locust.interrupted,
            stopped_early=locust.stopped_early is not None,
            arrivals=results.arrivals,
            reported=(results.processes, generators(load, remote)),
            reports=results.reports,
        )
        if (cut := _cut_short(results.window, load.duration_s, locust)) is not None:
            generator = replace(generator, problems=(*generator.problems, cut))
        if (failure := early_exit(locust, results.window)) is not None:
            generator = replace(generator, problems=(*generator.problems, failure))
            say("the load generator exited before it wrote a window; logs/locust.log ends:")
            for line in log_lines(locust):
                say(f"  {line}")
        progress.run = replace(
            progress.run, window=results.window, client=results.client, generator=generator
        )
        if generator.problems and locust.log_tail:
            log.info("last lines of Locust's log:\n%s", locust.log_tail)

        say("evaluating SLOs over the load window…")
        problems: list[str] = []
        if results.window is None:
            progress.evaluations = [
                no_data(slo, "there is no measured window") for slo in plan.slos
            ]
        else:
            check_bucket_boundaries(api, plan.slos, at=results.window.end)
            if results.client is not None:
                client = with_prometheus_p99(api, results.client, results.window)
                progress.run = replace(progress.run, client=client)
                progress.samples = window_samples(api, client, results.window)
            progress.slo_samples = burn_series(api, plan.slos, results.window)
            measured = [measure_slo(api, slo, results.window) for slo in plan.slos]
            progress.evaluations = [
                evaluate_slo(slo, m, plan.min_events)
                for slo, m in zip(plan.slos, measured, strict=True)
            ]
            # A query that returned several series is the SLO file's mistake (exit 2), found late.
            raise_invalid(measured)
            problems = scrape_gaps(api, results.window)
        if service is not None and service.exited() is not None:
            problems.append(
                f"the reference service exited during the run (exit code {service.exited()})"
            )
        if (
            results.window is not None
            and load.arrivals is not None
            and len(load.arrivals.stages) > 1
        ):
            progress.steps = _judge_steps(api, plan, results.window)
        gate = judge_gate(
            plan, progress.evaluations, progress.run.client, results.window, progress.samples
        )
        progress.criteria, progress.score = gate.criteria, gate.score
        return decide(
            progress.evaluations,
            generator,
            results.window,
            progress.run.client,
            problems,
            progress.criteria,
            gate.score,
            gate.scored_slos,
        )


def _judge_steps(api: PrometheusAPI, plan: Plan, window: LoadWindow) -> list[StepResult]:
    """Each SLO over each arrival-rate step of a stress profile."""
    assert plan.load.arrivals is not None
    load_start = window.start - plan.load.warmup_s
    return [
        StepResult(
            index,
            rate,
            step,
            tuple(
                evaluate_slo(slo, measure_slo(api, slo, step), plan.min_events) for slo in plan.slos
            ),
        )
        for index, rate, step in step_windows(plan.load.arrivals, load_start, window)
    ]


CUT_SHORT_TOLERANCE_S = 1.0  # a window that ran its course is at least its planned length


def _cut_short(window: LoadWindow | None, planned_s: float, locust: LocustRun) -> str | None:
    """A Locust that quit on its own before the window's end (someone's SIGTERM, a locustfile
    that stops the runner) exits 0: its window is shorter than planned, and the rest unmeasured.
    The harness's own stops (Ctrl-C, a timeout, a soak's abort) are judged where they happen."""
    if window is None or locust.interrupted or locust.timed_out or locust.stopped_early:
        return None
    if window.seconds >= planned_s - CUT_SHORT_TOLERANCE_S:
        return None
    return (
        f"the load generator stopped {planned_s - window.seconds:.1f}s before the window's end "
        f"(exit code {locust.exit_code}): {window.seconds:.1f}s of {planned_s:g}s measured"
    )
