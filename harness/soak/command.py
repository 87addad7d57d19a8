"""``loadgate soak``: a run that lasts hours, watched like production — burn-rate alerts every
interval, pages on their transitions, leaks and drift at the end.

    plan (--duration) ─► SoakMonitor (policy in soak time, pager) ─► execute_run(monitor=…)
    change event "started" ─► … ─► change event "ended: VERDICT" ─► report (partial if cut short)
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from harness.alert.cli_options import add_paging_arguments, pager_from_args
from harness.alert.pager import Pager
from harness.durations import parse_duration
from harness.errors import COMMAND_LINE, InputError, Problem
from harness.model import Plan
from harness.report.console import print_report
from harness.report.files import REPORT_HTML
from harness.slo.policy import DEFAULT_POLICY, BurnPolicy, load_policy, shortest_window_s
from harness.soak.burn_checks import soak_policies
from harness.soak.monitor import SoakMonitor, SoakSettings
from harness.soak.paging import soak_change_event
from harness.stack.prometheus import SERVICE_JOB

__all__ = ["add_soak_arguments", "evaluation_interval", "run_soak"]

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


def evaluation_interval(shortest_s: float, given: str | None) -> float:
    """Half the shortest window, so no alert can start and clear between two looks."""
    if given is not None:
        try:
            seconds = parse_duration(given)
        except ValueError:
            seconds = -1.0
        if not MIN_INTERVAL_S / 2 <= seconds <= 3600:
            raise InputError(
                [Problem(COMMAND_LINE, "--evaluate-every", f"{given!r}: allowed 1s to 1h, e.g. 5s")]
            )
        return seconds
    return min(MAX_INTERVAL_S, max(MIN_INTERVAL_S, shortest_s / 2))


def run_soak(
    plan: Plan,
    args: argparse.Namespace,
    console: Console,
    errors: Console,
    live: bool,
) -> int:
    from harness.run import execute_run, new_run_id  # only needed to run

    def say(line: str) -> None:
        errors.print(f"[dim]loadgate[/] {escape(line)}")

    policy = load_policy(args.policy)
    policies = soak_policies(policy, plan.slos, plan.load.duration_s)
    shortest = shortest_window_s(policies.values()) or 60.0
    scenario = plan.name
    # Named before the run starts, so the start event already says which run it is.
    run_id = new_run_id(plan.name, time.time())
    report = str(plan.out_dir.resolve() / run_id / REPORT_HTML)
    settings = SoakSettings(
        slos=plan.slos,
        policies=policies,
        evaluate_every_s=evaluation_interval(shortest, args.evaluate_every),
        abort_on_page=args.abort_on_page,
        service_job=SERVICE_JOB,
        scenario=scenario,
        warmup_s=plan.load.warmup_s,
        report_dir=str(plan.out_dir.resolve()),
    )
    # The dry run's JSON goes out as it is: no markup, no highlighting.
    with pager_from_args(
        args, os.environ, lambda line: errors.print(line, markup=False, highlight=False)
    ) as pager:
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
