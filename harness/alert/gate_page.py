"""``loadgate page RESULT_JSON``: page (or resolve) on a finished run's verdict, e.g. from CI.

One alert per gated scenario, dedup key ``loadgate/gate/<scenario name>``: a failing gate on main
opens it (``auto`` triggers on fail or inconclusive), the next passing run closes it (``auto``
resolves on pass or warn), and a failure in between updates the same alert instead of opening more.
With ``--state-file`` a pass resolves only an alert the file records as triggered (page_state.py).

Exit codes: 0 delivered (or dry run) · 2 invalid input (unreadable result, bad flags, no
``--page``/``--dry-run``) · 3 PagerDuty could not be reached after the bounded retries.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any, Literal
from urllib.parse import urlsplit

from harness.alert.cli_options import (
    PagingOptions,
    add_paging_arguments,
    pager_for,
    paging_options,
)
from harness.alert.events import Action, AlertEvent, Severity, fit_summary, gate_dedup_key
from harness.alert.page_state import AlertState, read_states, record_state
from harness.alert.pager import Pager
from harness.errors import (
    COMMAND_LINE,
    EXIT_INCONCLUSIVE,
    EXIT_PASS,
    InputError,
    Problem,
)
from harness.result_file import read_result
from harness.run_folder import REPORT_FILES
from harness.values.result_doc import ResultDoc
from harness.values.status import Status

__all__ = ["PageOptions", "add_page_parser", "gate_event", "page_options", "run_page"]

ActionChoice = Literal["auto", "trigger", "resolve"]
TRIGGERING = (Status.FAIL, Status.INCONCLUSIVE)
SEVERITY: dict[str, Severity] = {
    Status.FAIL: "critical",
    Status.INCONCLUSIVE: "error",
    Status.WARN: "warning",
    Status.PASS: "info",
}


def add_page_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``page`` subcommand to the CLI's subparsers."""
    page = commands.add_parser(
        "page",
        help="page PagerDuty on a finished run's verdict (e.g. a failing gate in CI)",
        description="Trigger a PagerDuty alert for a run that failed or was inconclusive, or "
        "resolve it when the run passed. One alert per scenario (dedup key "
        "loadgate/gate/<scenario>). Paging is explicit: pass --page, or --dry-run to print the "
        "event instead.",
        epilog="exit codes: 0 delivered (or dry run) · 2 invalid input · "
        "3 PagerDuty could not be reached",
    )
    page.add_argument("result", type=Path, metavar="RESULT_JSON", help="a run's result.json")
    page.add_argument(
        "--action",
        choices=("auto", "trigger", "resolve"),
        default="auto",
        help="auto (default): trigger on fail or inconclusive, resolve on pass or warn",
    )
    page.add_argument(
        "--report-url",
        metavar="URL",
        help="base URL where the run's report files are published (default: link the local files)",
    )
    page.add_argument(
        "--source", default="loadgate", help="payload.source: what is affected (default: loadgate)"
    )
    page.add_argument(
        "--state-file",
        type=Path,
        metavar="PATH",
        help="remember each alert's last event here; with --action auto a pass then resolves "
        "only an alert this file records as triggered (unknown alerts are resolved). "
        "Keep it between runs, e.g. in the CI cache",
    )
    add_paging_arguments(page)


@dataclass(frozen=True)
class PageOptions:
    """The ``loadgate page`` flags, as given."""

    result: Path
    action: ActionChoice = "auto"
    report_url: str | None = None
    source: str = "loadgate"
    state_file: Path | None = None
    paging: PagingOptions = field(default_factory=PagingOptions)


def page_options(args: argparse.Namespace) -> PageOptions:
    return PageOptions(
        result=args.result,
        action=args.action,
        report_url=args.report_url,
        source=args.source,
        state_file=args.state_file,
        paging=paging_options(args),
    )


def run_page(
    options: PageOptions,
    environ: Mapping[str, str],
    print_line: Callable[[str], None],
    say: Callable[[str], None],
    **client_kwargs: Any,
) -> int:
    """Run ``loadgate page``; InputError (every problem of the invocation at once) for invalid
    input, else an exit code."""
    problems = _flag_problems(options)
    result: ResultDoc | None = None
    states: dict[str, AlertState] = {}
    pager: Pager | None = None
    try:
        result = read_result(options.result)
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        states = read_states(options.state_file) if options.state_file else {}
    except InputError as exc:
        problems.extend(exc.problems)
    if options.paging.mode != "off":  # (off: refused above, whatever the key)
        try:  # a dry run checks the key too; a bad one is refused before anything is sent
            pager = pager_for(options.paging, environ, print_line, **client_kwargs)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems or result is None or pager is None:
        if pager is not None:
            pager.close()
        raise InputError(problems)
    state_file = options.state_file
    event = gate_event(
        result, options.action, options.result, options.report_url, options.source, environ
    )
    already_resolved = states.get(event.dedup_key) == "resolved"
    if options.action == "auto" and event.action == "resolve" and already_resolved:
        pager.close()
        say(f"not resolving {event.dedup_key}: {state_file} records no trigger since its resolve")
        return EXIT_PASS
    with pager:
        record = state_file if options.paging.mode == "page" else None
        run_id = result["run"]["id"]
        if record and event.action == "trigger":  # before sending: it may arrive despite an error
            record_state(record, event.dedup_key, "triggered", run_id)
        delivery = pager.send(event)
        if record and event.action == "resolve" and delivery.ok:
            record_state(record, event.dedup_key, "resolved", run_id)
    if not delivery.ok:
        say(
            f"the {delivery.kind} for {delivery.dedup_key} was not delivered (PagerDuty "
            f"unreachable, or it refused the event — check the key and URL): {delivery.detail}"
        )
        return EXIT_INCONCLUSIVE
    if options.paging.mode == "page":
        say(f"sent {delivery.kind} {delivery.dedup_key}: {delivery.detail}")
    return EXIT_PASS


def _flag_problems(options: PageOptions) -> list[Problem]:
    problems = []
    if options.paging.mode == "off":
        problems.append(
            Problem(
                COMMAND_LINE,
                "--page/--dry-run",
                "paging must be explicit: pass --page to send the event to PagerDuty, "
                "or --dry-run to print it without sending",
            )
        )
    if options.report_url and urlsplit(options.report_url).scheme not in ("http", "https"):
        problems.append(
            Problem(COMMAND_LINE, "--report-url", f"{options.report_url!r}: allowed an http(s) URL")
        )
    if not options.source.strip():
        problems.append(Problem(COMMAND_LINE, "--source", "empty; allowed: a non-empty name"))
    return problems


def gate_event(
    result: ResultDoc,
    action: ActionChoice,
    result_path: Path,
    report_url: str | None,
    source: str,
    environ: Mapping[str, str],
) -> AlertEvent:
    """The trigger or resolve for one run's verdict."""
    verdict = result["verdict"]
    scenario = result["run"]["scenario"]
    chosen: Action = (
        action if action != "auto" else "trigger" if verdict in TRIGGERING else "resolve"
    )
    reasons = result["reasons"]
    headline = f"loadgate {verdict.upper()}: {scenario}"
    return AlertEvent(
        action=chosen,
        dedup_key=gate_dedup_key(scenario_name(scenario)),
        summary=fit_summary(f"{headline} — {reasons[0]}" if reasons else headline),
        source=source,
        severity=SEVERITY[verdict],
        custom_details=_details(result, reasons, result_path),
        links=_links(result_path, report_url, environ),
        component=scenario_name(scenario),
        class_="load gate",
    )


def scenario_name(scenario: str) -> str:
    """``scenarios/ci.yaml`` → ``ci``; a name given without a file stays as it is."""
    path = PurePath(scenario)
    return path.stem if path.suffix in (".yaml", ".yml") else scenario


def _details(result: ResultDoc, reasons: list[str], path: Path) -> dict[str, object]:
    run = result["run"]
    details: dict[str, object] = {
        "verdict": result["verdict"],
        "exit_code": result["exit_code"],
        "reasons": reasons,
        "scenario": run["scenario"],
        "run_id": run["id"],
        "target": run["target"],
        "load_window": run["load_window"],
        "slos": [
            {
                "name": slo["name"],
                "status": slo["status"],
                "sli": slo["sli"],
                "objective": slo["objective"],
                "burn_rate": slo["burn_rate"],
            }
            for slo in result["slos"]
        ],
        "result_file": str(path),
    }
    failed = [
        {"name": c["name"], "status": c["status"], "observed": c["observed"],
         "threshold": c["threshold"]}
        for c in result["criteria"]
        if c["status"] != Status.PASS
    ]  # fmt: skip
    if failed:
        details["criteria_not_passed"] = failed
    if problems := result["generator"]["problems"]:
        details["generator_problems"] = problems
    return details


def _links(path: Path, report_url: str | None, environ: Mapping[str, str]) -> list[dict[str, str]]:
    run_dir = path.parent
    links = [
        {
            "href": f"{report_url.rstrip('/')}/{name}"
            if report_url
            else (run_dir / name).resolve().as_uri(),
            "text": name,
        }
        for name in REPORT_FILES
        if (run_dir / name).is_file()
    ]
    # GitHub Actions: link the workflow run that produced the verdict.
    server, repository, run_id = (
        environ.get(name) for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    if server and repository and run_id:
        links.append({"href": f"{server}/{repository}/actions/runs/{run_id}", "text": "CI run"})
    return links
