"""``loadgate soak``: a run that lasts hours, watched like production — burn-rate alerts every
interval, pages on their transitions, leaks and drift at the end.

    SoakOptions ─► plan, policy, --evaluate-every and paging checked in one round (exit 2 lists
    every problem) ─► SoakMonitor (policy in soak time, pager) ─► execute_run(monitor=…)
    change event "started" ─► … ─► change event "ended: VERDICT" ─► report (partial if cut short)
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from harness.alert.cli_options import (
    PagingOptions,
    add_paging_arguments,
    pager_for,
    paging_options,
)
from harness.alert.pager import Pager
from harness.durations import parse_duration
from harness.errors import COMMAND_LINE, InputError, Problem
from harness.load.locustfile_check import check_locustfile
from harness.plan import Probe, RunOptions, build_plan, run_options
from harness.report.console import print_report
from harness.run_folder import REPORT_HTML
from harness.slo.policy import DEFAULT_POLICY, BurnPolicy, load_policy, shortest_window_s
from harness.soak.burn_checks import soak_policies
from harness.soak.monitor import SoakMonitor, SoakSettings
from harness.soak.paging import soak_change_event
from harness.stack.prometheus import SERVICE_JOB
from harness.values.plan import Plan

__all__ = [
    "SoakOptions",
    "SoakPlan",
    "add_soak_arguments",
    "evaluation_interval",
    "plan_soak",
    "run_soak",
    "soak_options",
]

MIN_INTERVAL_S, MAX_INTERVAL_S = 2.0, 30.0


def add_soak_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policy",
        type=Path,
        default=DEFAULT_POLICY,
        help="burn-rate policy (default: slo/policies/google-30d.yaml); its soak: section says "
        "how much SLO time the soak stands for",
    )
    parser.add_argument(
        "--evaluate-every",
        help="how often burn rates are evaluated (default: half the shortest window, 2–30s)",
    )
    parser.add_argument(
        "--abort-on-page",
        action="store_true",
        help="stop the load as soon as a page-level burn-rate alert fires (exit 1)",
    )
    add_paging_arguments(parser)


@dataclass(frozen=True)
class SoakOptions:
    """The ``loadgate soak`` flags, as given: ``run``'s, and the soak's own."""

    run: RunOptions
    policy: Path = DEFAULT_POLICY
    evaluate_every: str | None = None
    abort_on_page: bool = False
    paging: PagingOptions = field(default_factory=PagingOptions)


def soak_options(args: argparse.Namespace) -> SoakOptions:
    return SoakOptions(
        run=run_options(args),
        policy=args.policy,
        evaluate_every=args.evaluate_every,
        abort_on_page=args.abort_on_page,
        paging=paging_options(args),
    )


@dataclass(frozen=True)
class SoakPlan:
    """A validated soak: the run's plan, and each SLO's policy in soak time."""

    plan: Plan
    policy: BurnPolicy
    policies: dict[str, BurnPolicy]
    evaluate_every_s: float


def plan_soak(options: SoakOptions, probe: Probe | None = check_locustfile) -> SoakPlan:
    """The plan, the policy and ``--evaluate-every`` checked together: one ``InputError`` lists
    every problem of the three, as ``run`` lists every problem of its plan."""
    problems: list[Problem] = []
    plan = policy = None
    try:
        plan = build_plan(options.run, probe)
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        policy = load_policy(options.policy)
    except InputError as exc:
        problems.extend(exc.problems)
    problems.extend(_evaluate_every_problems(options.evaluate_every))
    if plan is not None and plan.duet is not None:
        # The soak's burn-rate checks read the client metrics of both sides together.
        problems.append(Problem("(command line)", "duet", "a soak cannot run as a duet yet: its "
                                "burn-rate alerts would count both sides; allowed: loadgate run "
                                "for a duet, loadgate soak against one target"))  # fmt: skip
    if problems or plan is None or policy is None:
        raise InputError(problems)
    policies = soak_policies(policy, plan.slos, plan.load.duration_s)
    shortest = shortest_window_s(policies.values()) or 60.0
    every = evaluation_interval(shortest, options.evaluate_every)
    return SoakPlan(plan, policy, policies, every)


def evaluation_interval(shortest_s: float, given: str | None) -> float:
    """Half the shortest window, so no alert can start and clear between two looks."""
    if given is not None:
        problems = _evaluate_every_problems(given)
        if problems:
            raise InputError(problems)
        return parse_duration(given)
    return min(MAX_INTERVAL_S, max(MIN_INTERVAL_S, shortest_s / 2))


def _evaluate_every_problems(given: str | None) -> list[Problem]:
    if given is None:
        return []
    try:
        seconds = parse_duration(given)
    except ValueError:
        seconds = -1.0
    if MIN_INTERVAL_S / 2 <= seconds <= 3600:
        return []
    return [Problem(COMMAND_LINE, "--evaluate-every", f"{given!r}: allowed 1s to 1h, e.g. 5s")]


def run_soak(
    options: SoakOptions,
    environ: Mapping[str, str],
    console: Console,
    errors: Console,
    live: bool,
) -> int:
    from harness.run import execute_run, new_run_id  # only needed to run

    def say(line: str) -> None:
        errors.print(f"[dim]loadgate[/] {escape(line)}")

    # The dry run's JSON goes out as it is: no markup, no highlighting.
    def print_line(line: str) -> None:
        errors.print(line, markup=False, highlight=False)

    problems: list[Problem] = []
    soak: SoakPlan | None = None
    pager: Pager | None = None
    try:
        soak = plan_soak(options)
    except InputError as exc:
        problems.extend(exc.problems)
    try:  # the routing key and URL are input too: refused in the same round as the rest
        pager = pager_for(options.paging, environ, print_line)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems or soak is None or pager is None:
        if pager is not None:
            pager.close()
        raise InputError(problems)
    plan, policy, policies = soak.plan, soak.policy, soak.policies
    scenario = plan.name
    # Named before the run starts, so the start event already says which run it is.
    run_id = new_run_id(plan.name, time.time())
    report = str(plan.out_dir.resolve() / run_id / REPORT_HTML)
    settings = SoakSettings(
        slos=plan.slos,
        policies=policies,
        evaluate_every_s=soak.evaluate_every_s,
        abort_on_page=options.abort_on_page,
        service_job=SERVICE_JOB,
        scenario=scenario,
        warmup_s=plan.load.warmup_s,
        report_dir=str(plan.out_dir.resolve()),
    )
    with pager:
        say(
            f"soak: {plan.load.duration_s:g}s, burn rates every {settings.evaluate_every_s:g}s "
            f"over policy {policy.name} in soak time (page windows: {_page_windows(policies)})"
        )
        announce = _Announcer(pager, scenario, run_id, report, say)
        announce("started", {"duration_s": plan.load.duration_s})
        try:
            outcome = execute_run(
                plan,
                say=say,
                live=errors if live else None,
                monitor=SoakMonitor(settings, pager),
                run_id=run_id,
            )
        except BaseException as exc:  # invalid input found late, a second Ctrl-C: say it ended
            announce(f"ended early ({type(exc).__name__})", {})
            raise
        verdict = outcome.verdict.status.value
        announce(
            f"ended: {verdict}", {"verdict": verdict, "reasons": list(outcome.verdict.reasons)[:5]}
        )
    print_report(console, outcome.result, str(outcome.result_path))
    return outcome.verdict.exit_code


@dataclass(frozen=True)
class _Announcer:
    """Change events on the service's PagerDuty timeline: context for whoever gets paged. Each
    names the run and links its report, so the start event already points where the end will."""

    pager: Pager
    scenario: str
    run_id: str
    report_link: str
    say: Callable[[str], None]

    def __call__(self, what: str, details: dict[str, object]) -> None:
        event = soak_change_event(
            self.scenario, self.run_id, f"soak {what}", dict(details), self.report_link
        )
        delivery = self.pager.send(event)
        if not delivery.ok:
            self.say(f"PagerDuty change event not delivered: {delivery.detail}")


def _page_windows(policies: dict[str, BurnPolicy]) -> str:
    seen = set()
    for policy in policies.values():
        for alert in policy.alerts:
            if alert.severity == "page":
                seen.add(f"{alert.long_s:g}s/{alert.short_s:g}s>{alert.burn:g}×")
    return ", ".join(sorted(seen)) or "none"
