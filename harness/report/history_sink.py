"""The last sink of a run: its summary appended to the history (``--history``, or the scenario's
``history:``), after its reports are written.

A history that fails — a server gone, a disk full, a file someone replaced during the run — never
changes the run: its verdict, exit code and reports stand. The failure is said on stderr and noted
in result.json's ``history`` (``recorded: false`` and why; the file rewritten atomically), so CI
can see a run that was judged but not kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from harness.errors import InputError
from harness.history import history_run, open_history, redact
from harness.history.location import scrub
from harness.result_file import write_result
from harness.values.result_doc import HistoryNoteDoc, ResultDoc

__all__ = ["record_in_history"]

log = logging.getLogger(__name__)


def record_in_history(
    location: str, run_dir: Path, result: ResultDoc, say: Callable[[str], None]
) -> ResultDoc:
    """Append the finished run to the history at ``location``; the result as it now stands on
    disk, with its ``history`` note. Never raises for the history's sake."""
    shown = redact(location)
    try:
        with open_history(location) as history:
            history.append(history_run(result, str(run_dir)))
    except (Exception, KeyboardInterrupt) as exc:  # whatever it is, the run's verdict stands
        detail = scrub(_one_line(exc), location).removeprefix(f"{shown}: ")
        log.debug("the history failed: %s", detail)
        say(f"history: run not recorded in {shown}: {detail} (the verdict stands)")
        note: HistoryNoteDoc = {"location": shown, "recorded": False, "detail": detail}
    else:
        say(f"history: run recorded in {shown}")
        note = {"location": shown, "recorded": True, "detail": ""}
    noted: ResultDoc = {**result, "history": note}
    try:
        write_result(run_dir, noted)
    except OSError as exc:  # result.json stays as the run wrote it, whole
        say(f"history: result.json not updated with the history's note: {exc.strerror or exc}")
        return result
    return noted


def _one_line(error: BaseException) -> str:
    if isinstance(error, KeyboardInterrupt):
        return "interrupted while recording"
    if isinstance(error, InputError):
        return "; ".join(str(problem) for problem in error.problems)
    text = " ".join(str(error).split())
    return text or type(error).__name__
