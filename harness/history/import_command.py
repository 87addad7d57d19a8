"""``loadgate history import RESULT_JSON…``: record finished runs in a history — runs made before
there was one, or without ``--history``.

Every file is read and checked first (``read_result``): one that is not a result.json is invalid
input (exit 2) naming the file and what is wrong, and nothing is imported. Then each run is
appended in the order given; a run whose id the history holds already is skipped and said so, so
importing ``reports/*/result.json`` again adds only the new runs. The commit, branch and CI run
come from the file's ``provenance`` (files written before it lack them: left unknown, never
taken from the checkout the import runs in).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from harness.errors import EXIT_PASS, InputError, Problem
from harness.history.backend import AlreadyRecordedError
from harness.history.location import DEFAULT_HISTORY, HISTORY_HELP
from harness.history.record import history_run
from harness.history.store import open_history
from harness.result_file import read_result
from harness.run_folder import RESULT_JSON
from harness.values.result_doc import ResultDoc

__all__ = ["add_history_import_parser", "run_history_import"]


def add_history_import_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import`` to the ``history`` command's actions."""
    parser = actions.add_parser(
        "import",
        help="record finished runs (their result.json files) in a history",
        description="Record finished runs in a history: each result.json given (or a run "
        "folder holding one). A run already in the history is skipped. A file that is not a "
        "result.json is refused (exit 2) before anything is recorded.",
        epilog="exit codes: 0 recorded (or skipped) · 2 invalid input (a file, the history) · "
        "3 the history failed (unreachable, disk full)",
    )
    parser.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="RESULT_JSON",
        help="result.json files or run folders",
    )
    add_history_location_argument(parser)


def add_history_location_argument(parser: argparse.ArgumentParser) -> None:
    """``--history`` for the history commands, which read or write one without a run."""
    parser.add_argument(
        "--history",
        metavar="PATH|URL",
        default=DEFAULT_HISTORY,
        help=f"{HISTORY_HELP} (default: {DEFAULT_HISTORY})",
    )


def run_history_import(args: argparse.Namespace, say: Callable[[str], None]) -> int:
    runs = _read_all(args.files)
    recorded = skipped = 0
    with open_history(args.history) as history:
        for path, result in runs:
            run = history_run(result, str(path.parent))
            try:
                history.append(run)
            except AlreadyRecordedError:
                skipped += 1
                say(f"skipped {run.run_id} ({path}): already in the history")
                continue
            recorded += 1
            say(f"recorded {run.run_id} ({path})")
        say(f"{recorded} run(s) recorded, {skipped} skipped, in {history.location}")
    return EXIT_PASS


def _read_all(paths: list[Path]) -> list[tuple[Path, ResultDoc]]:
    """Every file read and checked; ``InputError`` listing each one that is not a result.json."""
    problems: list[Problem] = []
    runs: list[tuple[Path, ResultDoc]] = []
    for given in paths:
        path = given / RESULT_JSON if given.is_dir() else given
        try:
            runs.append((path, read_result(path)))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return runs
