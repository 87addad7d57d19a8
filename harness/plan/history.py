"""Where a run is recorded: ``--history PATH|URL``, else the scenario's ``history:`` key (a
relative path there is read from the scenario's folder), else nowhere.

Checked with the rest of the plan, before anything starts: a location of the wrong form, or a
history loadgate must not write to (a damaged file, another application's database, a newer
schema), is invalid input (exit 2) with the others. Nothing is created or changed by the check. A
history that cannot be reached now (a PostgreSQL server down) is not: whether it can be reached
at the end is the run's last step's business, and its failure never changes the run's verdict.
"""

from __future__ import annotations

from pathlib import Path

from harness.errors import COMMAND_LINE, InputError, Problem
from harness.fields import MISSING, FieldReader
from harness.history import HistoryError, check_history
from harness.history.location import is_url, location_problems
from harness.plan.options import RunOptions

__all__ = ["read_history"]

ALLOWED = "a file path (SQLite) or a postgresql:// URL"


def read_history(
    options: RunOptions, scenario: FieldReader | None, base: Path, problems: list[Problem]
) -> str | None:
    """The run's history location, or ``None``; what is wrong with it goes to ``problems``."""
    if options.history is not None:
        location, source, field = options.history, COMMAND_LINE, "--history"
    else:
        given = scenario.typed(("history",), str, ALLOWED, None) if scenario else None
        if given is None or given is MISSING or scenario is None:
            return None
        location, source, field = _from_scenario(given, base), scenario.document.source, "history"
    found = location_problems(location, source, field)
    if not found:
        try:
            check_history(location)
        except InputError as exc:  # each problem already names the history and what is wrong
            found = list(exc.problems)
        except HistoryError:
            pass  # tried again when the run is recorded; a failure then is reported, not fatal
    problems.extend(found)
    return None if found else location


def _from_scenario(given: str, base: Path) -> str:
    if is_url(given) or Path(given).is_absolute():
        return given
    return str(base / given)
