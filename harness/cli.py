"""The ``loadgate`` command line. Exit codes (the same for every command):

0 pass · 1 gate failed · 2 invalid input · 3 inconclusive (could not measure)
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from rich.console import Console
from rich.markup import escape

from harness import __version__
from harness.alert.gate_page import add_page_parser, page_options, run_page
from harness.baseline_file import BASELINE_DIR, save_baseline
from harness.calibrate.options import add_calibrate_arguments, calibrate_options
from harness.cli_history import add_history_show_arguments, run_history_show
from harness.cli_validate import validate_paths
from harness.dashboards.command import add_dashboards_parser, run_dashboards
from harness.deploy.command import add_deploy_parser, run_deploy
from harness.errors import EXIT_INVALID_INPUT, EXIT_PASS, InputError, LoadgateError
from harness.history import HistoryError
from harness.history.import_command import add_history_import_parser, run_history_import
from harness.plan import (
    LOCUST_ARGS_HELP,
    add_load_arguments,
    add_remote_arguments,
    build_plan,
    run_options,
    split_locust_args,
)
from harness.report.console import print_report
from harness.slo.generate import write_rules
from harness.slo.loader import load_slo_files, slo_notes
from harness.slo.policy import DEFAULT_POLICY, load_policy
from harness.soak.command import add_soak_arguments, run_soak, soak_options

__all__ = ["main"]

EPILOG = "exit codes: 0 pass · 1 gate failed · 2 invalid input · 3 inconclusive (could not measure)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loadgate",
        description="Load-test a recommendation service and judge it against its SLOs.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"loadgate {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the harness does")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run a load test and gate it on SLOs",
        usage="loadgate run [flags] [scenario] [-- LOCUST_OPTION ...]",
        description="Run load against a service, then judge the SLOs over the load window. "
        "Flags override the scenario file. Without --target the reference service is started. "
        + LOCUST_ARGS_HELP,
        epilog=EPILOG,
    )
    add_load_arguments(run)
    add_remote_arguments(run)
    run.add_argument(
        "--baseline", help="compare with this baseline: a name under baselines/, or a path"
    )

    soak = commands.add_parser(
        "soak",
        help="run load for hours, alerting, paging and looking for leaks like production",
        usage="loadgate soak [flags] [scenario] [-- LOCUST_OPTION ...]",
        description="Run the scenario's load for --duration; every interval, judge each SLO's "
        "burn rate over the policy's windows in soak time, page on alerts (--page/--dry-run), "
        "and look for leaks and drift. Ctrl-C stops it with a partial report. Takes what run "
        "takes: a scenario file, flags alone, or both (flags override the file). "
        + LOCUST_ARGS_HELP,
        epilog=EPILOG,
    )
    add_load_arguments(soak)
    add_remote_arguments(soak)
    add_soak_arguments(soak)

    validate = commands.add_parser(
        "validate",
        help="check SLO and scenario files (a scenario's locustfile is loaded in a subprocess) "
        "without starting anything",
        epilog=EPILOG,
    )
    validate.add_argument("paths", nargs="+", type=Path, help="SLO or scenario YAML files")

    baseline = commands.add_parser(
        "baseline", help="keep a run as the baseline later runs compare with"
    )
    baseline_commands = baseline.add_subparsers(
        dest="baseline_command", required=True, metavar="ACTION"
    )
    save = baseline_commands.add_parser(
        "save", help="save a finished run as a named baseline", epilog=EPILOG
    )
    save.add_argument("run_dir", type=Path, help="the run's folder, e.g. reports/<run-id>")
    save.add_argument("--name", required=True, help="the baseline's name, e.g. main")
    save.add_argument(
        "--dir", type=Path, default=BASELINE_DIR, help="where baselines live (default: baselines)"
    )

    rules = commands.add_parser(
        "rules",
        help="generate Prometheus rules, promtool tests and an Alertmanager config from SLO files",
        description="Write recording rules (SLI per window), multi-window multi-burn-rate alerts, "
        "absent() alerts, a promtool test file for the alerts, and an Alertmanager config routing "
        "page and ticket alerts to PagerDuty.",
        epilog=EPILOG,
    )
    rules.add_argument("paths", nargs="+", type=Path, help="OpenSLO or Sloth SLO files")
    rules.add_argument("--out", type=Path, required=True, help="folder to write the files into")
    rules.add_argument(
        "--policy",
        type=Path,
        default=DEFAULT_POLICY,
        help="burn-rate policy file (default: slo/policies/google-30d.yaml)",
    )
    rules.add_argument(
        "--routing-key-file",
        default="/etc/alertmanager/pagerduty-routing-key",
        help="path Alertmanager reads the PagerDuty routing key from (the key itself is never written)",
    )
    rules.add_argument(
        "--pagerduty-url", help="Events API URL for Alertmanager (default: PagerDuty's)"
    )
    calibrate = commands.add_parser(
        "calibrate",
        help="measure the gate's own false-alarm rate and power: A/A and known-slowdown trials",
        description="Run the scenario's gate again and again on the reference service: with "
        "nothing changed (the false-fail and false-warn rates) and with a known proportional "
        "slowdown on the candidate (the detection curve). Writes calibration.json and report.html.",
    )
    add_calibrate_arguments(calibrate)
    add_page_parser(commands)
    history = commands.add_parser(
        "history",
        help="the history of runs: record finished runs, show their trends (docs/history.md)",
        description="A history keeps every run's summary (run and soak record into it with "
        "--history): import finished runs into one, or show its trends.",
    )
    history_actions = history.add_subparsers(
        dest="history_command", required=True, metavar="ACTION"
    )
    add_history_import_parser(history_actions)
    show = history_actions.add_parser(
        "show",
        help="the history's trends: tables with sparklines, change points, creep; --html, --markdown",
        description="Show the run history: a table per scenario and traffic with a sparkline per "
        "series, each change point on a line naming its first run, creep as sentences.",
        epilog="exit codes: 0 shown · 2 invalid input (a flag, the history) · "
        "3 nothing to show, or the history could not be reached",
    )
    add_history_show_arguments(show)
    add_deploy_parser(commands)
    add_dashboards_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    own, locust_args = split_locust_args(list(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(own)
    if locust_args is not None and args.command not in ("run", "soak"):
        parser.error(f"`--` passes options to Locust: only with run and soak, not {args.command}")
    args.locust_args = locust_args
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    _stop_on_sigterm()
    console = Console()
    if not console.is_terminal:  # CI logs: wide enough that endpoint names are not folded
        console = Console(width=140)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)  # messages are grep-able lines
    try:
        if args.command == "validate":
            return _validate(args.paths, console, errors)
        if args.command == "page":
            return _page(args, console, errors)
        if args.command == "rules":
            return _rules(args, console)
        if args.command == "baseline":
            path = save_baseline(args.run_dir, args.name, args.dir)
            console.print(f"[green]saved[/] baseline {args.name!r}: {path}", highlight=False)
            return EXIT_PASS
        if args.command == "calibrate":
            from harness.calibrate.command import run_calibrate  # it runs the whole pipeline

            return run_calibrate(
                calibrate_options(args),
                lambda line: errors.print(f"[dim]loadgate[/] {escape(line)}"),
            )
        if args.command == "soak":
            return run_soak(soak_options(args), os.environ, console, errors, _live(args, errors))
        if args.command == "history" and args.history_command == "show":
            return run_history_show(args, lambda line: errors.print(line, markup=False), console)
        if args.command == "history":
            return run_history_import(args, lambda line: errors.print(line, markup=False))
        if args.command == "dashboards":
            return run_dashboards(
                args,
                lambda line: console.print(line, markup=False, highlight=False, soft_wrap=True),
            )
        if args.command == "deploy":
            return run_deploy(
                args,
                lambda line: console.print(line, markup=False, highlight=False, soft_wrap=True),
            )
        return _run(args, console, errors)
    except InputError as exc:
        errors.print(f"[bold red]invalid input[/] ({len(exc.problems)} problem(s)):")
        for problem in exc.problems:
            errors.print(f"  {problem}", markup=False)
        return EXIT_INVALID_INPUT
    except HistoryError as exc:  # a history command's history failed (a run's never reaches here)
        errors.print(f"[bold magenta]history failed[/]: {escape(str(exc))}")
        return exc.exit_code
    except LoadgateError as exc:
        errors.print(f"[bold magenta]inconclusive[/]: {exc}")
        return exc.exit_code


def _run(args: argparse.Namespace, console: Console, errors: Console) -> int:
    from harness.run import execute_run  # the pipeline's imports are only needed to run

    plan = build_plan(run_options(args))
    outcome = execute_run(
        plan,
        say=lambda line: errors.print(f"[dim]loadgate[/] {escape(line)}"),
        live=errors if _live(args, errors) else None,
    )
    print_report(console, outcome.result, str(outcome.result_path))
    return outcome.verdict.exit_code


def _live(args: argparse.Namespace, errors: Console) -> bool:
    """The live view goes where the progress lines go (stderr), and only to a real terminal."""
    return errors.is_terminal and not errors.is_dumb_terminal and not args.no_live


def _validate(paths: list[Path], console: Console, errors: Console) -> int:
    summary, notes = validate_paths(paths)  # raises InputError listing every problem
    console.print(f"[green]valid[/]: {summary}")
    for note in notes:
        console.print(note, markup=False, highlight=False, soft_wrap=True)
    return EXIT_PASS


def _page(args: argparse.Namespace, console: Console, errors: Console) -> int:
    return run_page(
        page_options(args),
        os.environ,
        print_line=lambda line: console.print(line, markup=False, highlight=False, soft_wrap=True),
        say=lambda line: errors.print(f"loadgate: {line}", markup=False),
    )


def _rules(args: argparse.Namespace, console: Console) -> int:
    slos = load_slo_files(args.paths)
    policy = load_policy(args.policy)
    files = write_rules(slos, policy, args.out, args.routing_key_file, args.pagerduty_url)
    console.print(f"[green]wrote[/] rules for {len(slos)} SLO(s), policy {policy.name}:")
    for path in (files.recording, files.alerts, files.tests, files.alertmanager):
        console.print(f"  {path}", highlight=False)
    for note in slo_notes(slos, repr(policy.name)):
        console.print(note, markup=False, highlight=False, soft_wrap=True)
    console.print(
        "check them with: promtool check rules … && promtool test rules " + str(files.tests)
    )
    return EXIT_PASS


def _stop_on_sigterm() -> None:
    # A CI runner cancelling the job sends SIGTERM: unwind like Ctrl-C so every child is stopped
    # and the partial result is written.
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


if __name__ == "__main__":
    sys.exit(main())
