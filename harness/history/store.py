"""Opening a history by its location: a file path is SQLite, a ``postgresql://`` URL PostgreSQL.

    with open_history("reports/history.sqlite") as history:
        history.append(run)
        runs = history.runs(scenario="ci", branch="main")

``open_history`` creates a missing history and migrates an older one (harness/history/schema.py);
it raises ``InputError`` (exit 2) for a location loadgate must not use — a damaged file, another
application's database, a newer schema, a malformed location — having written nothing, and
``HistoryError`` when the history cannot be reached (a server down). ``check_history`` asks the
same questions without creating or changing anything: the plan's look before a run starts.
"""

from __future__ import annotations

from harness.errors import COMMAND_LINE, InputError
from harness.history.backend import AlreadyRecordedError, HistoryError, HistoryStore
from harness.history.location import is_postgres_url, location_problems
from harness.history.sqlite_store import inspect_sqlite, open_sqlite

__all__ = ["AlreadyRecordedError", "HistoryError", "HistoryStore", "check_history", "open_history"]


def open_history(location: str) -> HistoryStore:
    """The history at ``location``, open, at the newest schema; a context manager."""
    _check_form(location)
    if is_postgres_url(location):
        # Imported here: a run that keeps no PostgreSQL history never loads the driver.
        from harness.history.postgres_store import open_postgres

        return open_postgres(location)
    return open_sqlite(location)


def check_history(location: str) -> None:
    """``InputError`` if loadgate must not use the history at ``location``; ``HistoryError`` if it
    cannot be reached now. Reads only: a missing file or an empty database is fine."""
    _check_form(location)
    if is_postgres_url(location):
        from harness.history.postgres_store import inspect_postgres

        inspect_postgres(location)
    else:
        inspect_sqlite(location)


def _check_form(location: str) -> None:
    problems = location_problems(location, COMMAND_LINE, "--history")
    if problems:
        raise InputError(problems)
