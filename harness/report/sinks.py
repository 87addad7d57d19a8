"""Every file a run leaves for people and machines, from one result document, in the run's folder."""

from __future__ import annotations

import errno
from pathlib import Path

from harness.errors import COMMAND_LINE, InconclusiveError, InputError, Problem
from harness.report.html_report import write_html
from harness.report.junit_xml import write_junit
from harness.report.summary_md import write_summary
from harness.result_file import write_result
from harness.values.result_doc import ResultDoc

__all__ = ["make_run_folder", "write_reports"]

# A folder that cannot take a file right now: the run could not leave its verdict (exit 3). Any
# other reason (permissions, a read-only file system, a file in the way) is the --out given (exit 2).
_OUT_OF_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO})


def make_run_folder(run_dir: Path) -> None:
    """Make the run's folder under ``--out``, before anything starts; if it cannot be made, say
    why in one line."""
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if exc.errno in _OUT_OF_SPACE:
            raise InconclusiveError(
                f"could not make the run's folder {run_dir}: {exc.strerror}"
            ) from None
        raise InputError([Problem(COMMAND_LINE, "--out", f"{run_dir.parent}: the run's folder cannot be made "
                                  f"there ({exc.strerror}); allowed: a folder this user can write to")]) from None  # fmt: skip


def write_reports(run_dir: Path, result: ResultDoc) -> Path:
    """result.json first (the contract), then summary.md, junit.xml and report.html; each
    atomically, so each is whole or absent. Returns result.json's path.

    A full disk (or any write error) is an ``InconclusiveError`` naming the folder and the cause:
    the exit code, not a file that may be missing, then tells CI the run has no verdict."""
    try:
        path = write_result(run_dir, result)
        write_summary(run_dir, result)
        write_junit(run_dir, result)
        write_html(run_dir, result)
    except OSError as exc:
        raise InconclusiveError(
            f"could not write the reports in {run_dir}: {exc.strerror or exc}"
        ) from None
    return path
