"""``loadgate history show``: the run history as a table per scenario and traffic (a sparkline per
series), each change point on its own line naming its first run, creep as sentences; with
``--html`` an offline trend report, with ``--markdown`` the same for a CI step summary.

Exit codes: 0 shown; 2 invalid input — an unknown ``--metric``, a filter value the history has
never seen (named with those it has), a history file that does not exist (``show`` never creates
one), a location that is not a history, a corrupt, foreign or newer-schema history; 3 nothing could be shown — the history holds no run yet, the filters
together keep no series (each value exists, their combination does not), or the history could
not be read (a server gone). Nothing to show is never a silent exit 0: a script reading the
trend must not mistake "no data" for "no change".

It sits beside cli_validate.py, above the layers it uses: the history (below the reports) and
the report writers (report/history_text.py, report/html_history.py).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from harness.errors import COMMAND_LINE, EXIT_PASS, InconclusiveError, InputError, Problem
from harness.history.detection import HistoryDetector, default_detector, detect
from harness.history.import_command import add_history_location_argument
from harness.history.store import open_history
from harness.history.trends import METRICS, Filters, filter_problems, group_series, metric_problems
from harness.report.history_text import print_history, render_history_markdown
from harness.report.html_history import write_history_html
from harness.run_folder import write_atomically
from harness.values.history import HistoryRun

__all__ = ["ShowOptions", "add_history_show_arguments", "run_history_show", "show_history"]

DEFAULT_TOLERANCE_PCT = 10.0  # the gate's own default (gate.history.tolerance_pct)


@dataclass(frozen=True)
class ShowOptions:
    filters: Filters
    tolerance_pct: float = DEFAULT_TOLERANCE_PCT
    html: Path | None = None
    markdown: Path | None = None


def add_history_show_arguments(parser: argparse.ArgumentParser) -> None:
    add_history_location_argument(parser)  # the same default as `history import`
    filters = (
        ("--scenario", "NAME", "only this scenario's runs"),
        ("--branch", "NAME", "only runs on this branch, e.g. main"),
        (
            "--endpoint",
            "SUBJECT",
            "only this endpoint's series ('GET /path', 'all', or 'slo:NAME' for an SLO's)",
        ),
        ("--metric", "NAME", f"only this metric: {', '.join(METRICS)}"),
    )
    for flag, metavar, text in filters:
        parser.add_argument(
            flag,
            action="append",
            default=[],
            metavar=metavar,
            help=f"{text} (repeatable: any of them)",
        )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE_PCT,
        metavar="PCT",
        help="creep is a rise beyond this %% in steps each within it (default 10)",
    )
    parser.add_argument(
        "--html",
        type=Path,
        metavar="PATH",
        help="also write an offline trend report: a chart per series, change "
        "points marked, each point linked to its run",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        metavar="PATH",
        help="also write the tables and findings as markdown (for $GITHUB_STEP_SUMMARY)",
    )


def show_options(args: argparse.Namespace) -> ShowOptions:
    """The flags, checked before the history is opened; ``InputError`` lists every problem."""
    problems = metric_problems(args.metric)
    if not 0 < args.tolerance < 1000:
        problems.append(
            Problem(
                COMMAND_LINE,
                "--tolerance",
                f"{args.tolerance:g} is not allowed; allowed: a percentage above 0 and below 1000",
            )
        )
    if problems:
        raise InputError(problems)
    filters = Filters(
        frozenset(args.scenario),
        frozenset(args.branch),
        frozenset(args.endpoint),
        frozenset(args.metric),
    )
    return ShowOptions(filters, args.tolerance, args.html, args.markdown)


def run_history_show(
    args: argparse.Namespace, say: Callable[[str], None], console: Console | None = None
) -> int:
    """The command: tables to ``console`` (stdout), one line per file written to ``say``."""
    options = show_options(args)
    if "://" not in args.history and not Path(args.history).is_file():  # never create one here
        raise InputError([Problem(COMMAND_LINE, "--history", f"{args.history!r} is not a file; "
                                  "allowed: a history `loadgate run --history` wrote, or a "
                                  "postgresql:// URL")])  # fmt: skip
    # A history that cannot be reached raises its HistoryError (exit 3), a location that is not
    # a history InputError (exit 2): cli.main reports both.
    with open_history(args.history) as store:
        runs = store.runs()
    return show_history(runs, options, default_detector(), console or _console(), say)


def show_history(
    runs: Sequence[HistoryRun],
    options: ShowOptions,
    detector: HistoryDetector,
    console: Console,
    say: Callable[[str], None],
) -> int:
    """Everything after reading the history: select, group, detect, print, write."""
    if not runs:
        raise InconclusiveError(
            "the history holds no run yet: `loadgate run --history …` "
            "appends each run, `loadgate history import` earlier ones"
        )
    if problems := filter_problems(runs, options.filters):
        raise InputError(problems)
    groups = [g for g in group_series(runs, options.filters) if g.series]
    if not groups:
        raise InconclusiveError(
            "no series to show: every filter value is in the history, but "
            "no judged run has them all together"
        )
    groups = detect(groups, detector, options.tolerance_pct)
    print_history(console, groups, detector.min_runs)
    if (html := options.html) is not None:
        _write("--html", html, lambda: write_history_html(html, groups, detector.min_runs))
        say(f"trend report: {html}")
    if (markdown := options.markdown) is not None:
        text = render_history_markdown(groups, detector.min_runs)
        _write("--markdown", markdown, lambda: write_atomically(markdown, text))
        say(f"markdown: {markdown}")
    return EXIT_PASS


def _console() -> Console:
    """stdout; outside a terminal (CI logs) wide enough that endpoint names are not folded."""
    console = Console()
    return console if console.is_terminal else Console(width=140)


def _write(flag: str, path: Path, write: Callable[[], object]) -> None:
    """A file that cannot be written is the flag's problem (exit 2), not a traceback."""
    try:
        write()
    except OSError as exc:
        raise InputError(
            [Problem(COMMAND_LINE, flag, f"{str(path)!r} cannot be written: {exc.strerror or exc}")]
        ) from exc
