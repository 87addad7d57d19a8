"""The load: Locust against the stack's target, watched live, then what it measured read back and
judged for trust (``GeneratorHealth.problems``: a generator that cannot be trusted makes the run
inconclusive, whatever the SLOs say).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from harness.load.health import judge_generator
from harness.load.results import read_client_results
from harness.load.runner import LOCUST_LOG, LocustRun, early_exit, generators, log_lines, run_locust
from harness.monitor import RunMonitor
from harness.prometheus_api import PrometheusAPI
from harness.report.live import LiveView
from harness.report.live_numbers import LiveSampler
from harness.run_folder import CLIENT_DIR
from harness.stack.first_scrape import FirstScrape
from harness.stack.processes import ProcessGroup
from harness.stages import Say
from harness.stages.start_stack import Stack
from harness.values.client_metrics import BASELINE_SIDE, CANDIDATE_SIDE, DuetTargets
from harness.values.plan import LoadProfile, Plan
from harness.values.run_result import LoadWindow
from harness.values.stage_outputs import LoadOutcome

__all__ = ["run_load"]

log = logging.getLogger(__name__)

CUT_SHORT_TOLERANCE_S = 1.0  # a window that ran its course is at least its planned length


def run_load(
    plan: Plan,
    stack: Stack,
    group: ProcessGroup,
    run_dir: Path,
    say: Say,
    live: Console | None = None,
    monitor: RunMonitor | None = None,
    first_scrape: FirstScrape | None = None,
) -> LoadOutcome:
    """Run the plan's load to its end (or a stop: Ctrl-C, a timeout, a soak's abort) and return
    what the generator measured inside the window."""
    load = plan.load
    say(f"load: {_shape(load)}, {load.duration_s:g}s after a {load.warmup_s:g}s warm-up…")
    # Its own API client: the view's thread may still be in a query when the phase ends.
    sampler = LiveSampler(PrometheusAPI(stack.api.url), plan.slos)
    if monitor is not None:
        monitor.started(stack.api, stack.target_url, run_dir.name)
    try:
        with LiveView(sampler, load, console=live, say=say, monitor=monitor) as view:
            locust = run_locust(
                group,
                plan.locustfile,
                stack.target_url,
                load,
                run_dir,
                list(stack.metrics_ports),
                on_tick=view.on_tick,
                remote=plan.remote_workers,
                stop_reason=_stop_reasons(monitor, first_scrape),
                locust_args=plan.locust_args,
                duet=_duet_targets(plan, stack),
                grpc_target=stack.grpc_target,
            )
    finally:
        if monitor is not None:
            monitor.load_ended()
        if first_scrape is not None:
            first_scrape.stop()
    return _outcome(plan, locust, run_dir, say, first_scrape)


def _stop_reasons(
    monitor: RunMonitor | None, first_scrape: FirstScrape | None
) -> Callable[[], str | None] | None:
    watchers = [w.stop_reason for w in (first_scrape, monitor) if w is not None]
    if not watchers:
        return None
    return lambda: next((reason for watch in watchers if (reason := watch()) is not None), None)


def _duet_targets(plan: Plan, stack: Stack) -> DuetTargets | None:
    if plan.duet is None or stack.baseline_url is None:
        return None
    return DuetTargets(stack.baseline_url, stack.target_url, plan.duet.seed)


def _shape(load: LoadProfile) -> str:
    if load.arrivals:
        return f"{load.arrivals.peak_rate:g} arrivals/s at most, a pool of {load.users} users"
    return f"{load.users} users"


def _outcome(
    plan: Plan, locust: LocustRun, run_dir: Path, say: Say, first_scrape: FirstScrape | None
) -> LoadOutcome:
    """The plugin's results, and every reason not to trust them."""
    load = plan.load
    open_model = load.arrivals is not None
    # In a duet the run's client is the candidate side; the baseline side is kept beside it.
    side = CANDIDATE_SIDE if plan.duet else ""
    results = read_client_results(run_dir / CLIENT_DIR, open_model=open_model, side=side)
    baseline = (
        read_client_results(run_dir / CLIENT_DIR, open_model=open_model, side=BASELINE_SIDE).client
        if plan.duet
        else None
    )
    generator = judge_generator(
        locust.sampler.samples,
        results.window,
        locust.exit_code,
        max_cpu=plan.max_generator_cpu,
        timed_out=locust.timed_out,
        interrupted=locust.interrupted,
        stopped_early=locust.stopped_early is not None,
        arrivals=results.arrivals,
        reported=(results.processes, generators(load, plan.remote_workers)),
        reports=results.reports,
    )
    scrape_failure = first_scrape.stop_reason() if first_scrape is not None else None
    if scrape_failure is not None and locust.stopped_early == scrape_failure:
        # The load was stopped for it: that is the reason to give, whatever the window holds.
        generator = replace(generator, problems=(*generator.problems, scrape_failure))
    if (cut := _cut_short(results.window, load.duration_s, locust)) is not None:
        generator = replace(generator, problems=(*generator.problems, cut))
    if (failure := early_exit(locust, results.window)) is not None:
        generator = replace(generator, problems=(*generator.problems, failure))
        say(f"the load generator exited before it wrote a window; {LOCUST_LOG} ends:")
        for line in log_lines(locust):
            say(f"  {line}")
    if generator.problems and locust.log_tail:
        log.info("last lines of Locust's log:\n%s", locust.log_tail)
    return LoadOutcome(
        results.window, results.client, generator, baseline, results.paired, results.traffic
    )


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
