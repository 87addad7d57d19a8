"""The history store's interface, and what both engines share: the SQL that appends a run and
reads runs back, and the errors a store raises while it is in use.

    LoadgateError
     └── HistoryError    (3)  the history failed at run time: server gone, disk full, lock held
          └── AlreadyRecordedError  that run id is in the history already (`history import` skips it)

A database that must not be used at all (corrupt, another application's, a newer schema) is an
``InputError`` (exit 2), raised when it is opened (harness/history/store.py).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol

from harness.errors import EXIT_INCONCLUSIVE, LoadgateError
from harness.history.location import redact, scrub
from harness.values.history import HistoryRun, SeriesKey

__all__ = ["AlreadyRecordedError", "Cursor", "HistoryError", "HistoryStore"]

FILTERS = ("scenario", "branch", "fingerprint")  # the columns runs() selects by
# The statements, with ``?`` for each value (no value is ever formatted into them); ``{where}``
# is filled with conditions on FILTERS' columns alone.
RUN_COLUMNS = (
    "run_id, started_at, scenario, fingerprint, verdict, mode, commit_sha, branch, ci_url, run_dir"
)
INSERT_RUN = (
    f"INSERT INTO loadgate_runs ({RUN_COLUMNS}, recorded_at) "  # noqa: S608 - fixed names
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_VALUE = "INSERT INTO loadgate_values (run_id, subject, metric, value) VALUES (?, ?, ?, ?)"
SELECT_RUNS = (
    f"SELECT {RUN_COLUMNS} FROM loadgate_runs r WHERE {{where}} ORDER BY r.started_at, r.run_id"  # noqa: S608 - fixed names
)
SELECT_VALUES = (
    "SELECT v.run_id, v.subject, v.metric, v.value FROM loadgate_values v "
    "JOIN loadgate_runs r ON r.run_id = v.run_id WHERE {where}"
)


class HistoryError(LoadgateError):
    """The history could not be read or written while in use. The message names the location
    (its password redacted) and the cause; a run's own verdict never depends on it."""

    exit_code = EXIT_INCONCLUSIVE


class AlreadyRecordedError(HistoryError):
    def __init__(self, location: str, run_id: str) -> None:
        self.run_id = run_id
        super().__init__(f"{location}: run {run_id} is in the history already")


class Cursor(Protocol):
    """What the store needs of a DB-API cursor (sqlite3's and psycopg's both fit)."""

    def execute(self, query: Any, params: Sequence[Any], /) -> Any: ...
    def executemany(self, query: Any, params_seq: Iterable[Sequence[Any]], /) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class HistoryStore(ABC):
    """An open history: ``append`` a run, read ``runs`` back oldest first. A context manager:
    leaving the block closes the connection. Opened by ``open_history`` (store.py)."""

    placeholder = "?"  # the engine's parameter marker

    def __init__(self, location: str) -> None:
        self._given = location  # with its password: only for scrubbing messages
        self.location = redact(location)

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _transaction(self, write: bool) -> AbstractContextManager[Cursor]:
        """A cursor inside one transaction: committed when the block ends, rolled back if it
        raises. ``write``: the transaction will write (SQLite takes its write lock up front)."""

    @abstractmethod
    def _is_duplicate(self, error: Exception) -> bool:
        """Whether ``error`` is the primary key refusing a run id that is there already."""

    @abstractmethod
    def _failures(self) -> tuple[type[Exception], ...]:
        """The engine's errors that mean the history failed while in use."""

    def append(self, run: HistoryRun) -> None:
        """Record one run and its numbers, in one transaction: all of it or nothing."""
        recorded_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        try:
            with self._transaction(write=True) as cursor:
                cursor.execute(self._sql(INSERT_RUN), (*_run_row(run), recorded_at))
                cursor.executemany(self._sql(INSERT_VALUE), list(_value_rows(run)))
        except self._failures() as exc:
            if self._is_duplicate(exc):
                raise AlreadyRecordedError(self.location, run.run_id) from None
            raise self._failed(f"could not record run {run.run_id}", exc) from None

    def runs(
        self, scenario: str | None = None, branch: str | None = None, fingerprint: str | None = None
    ) -> list[HistoryRun]:
        """The runs that match every filter given, oldest first (by started_at, then run id)."""
        wanted = {c: v for c, v in zip(FILTERS, (scenario, branch, fingerprint), strict=True) if v}
        where = " AND ".join(f"r.{column} = ?" for column in wanted) or "TRUE"
        params = list(wanted.values())
        try:
            with self._transaction(write=False) as cursor:
                cursor.execute(self._sql(SELECT_RUNS.format(where=where)), params)
                rows = cursor.fetchall()
                cursor.execute(self._sql(SELECT_VALUES.format(where=where)), params)
                numbers = cursor.fetchall()
        except self._failures() as exc:
            raise self._failed("could not read the runs", exc) from None
        values: dict[str, dict[SeriesKey, float]] = {row[0]: {} for row in rows}
        for run_id, subject, metric, value in numbers:
            if run_id in values:  # a run appended between the two reads is not in this answer
                values[run_id][SeriesKey(subject, metric)] = float(value)
        return [_history_run(row, values[row[0]]) for row in rows]

    def _sql(self, statement: str) -> str:
        """A statement written with ``?`` markers, in the engine's own."""
        return statement.replace("?", self.placeholder)

    def _describe(self, error: Exception) -> str:
        """The engine's error in one line."""
        return " ".join(str(error).split())

    def _failed(self, what: str, error: Exception) -> HistoryError:
        cause = scrub(self._describe(error) or type(error).__name__, self._given)
        return HistoryError(f"{self.location}: {what}: {cause}")


def _run_row(run: HistoryRun) -> tuple[str | None, ...]:
    return (run.run_id, run.started_at, run.scenario, run.fingerprint, run.verdict, run.mode,
            run.commit, run.branch, run.ci_url, run.run_dir)  # fmt: skip


def _value_rows(run: HistoryRun) -> Iterator[tuple[str, str, str, float]]:
    # Only numbers: NaN or ±Inf is "not measured", which the history says by having no row.
    for key, value in sorted(run.values.items()):
        if math.isfinite(value):
            yield run.run_id, key.subject, key.metric, float(value)


def _history_run(row: Sequence[Any], values: dict[SeriesKey, float]) -> HistoryRun:
    run_id, started_at, scenario, fingerprint, verdict, mode, commit, branch, ci_url, run_dir = row
    return HistoryRun(run_id=run_id, started_at=started_at, scenario=scenario,
                      fingerprint=fingerprint, verdict=verdict, mode=mode, commit=commit,
                      branch=branch, ci_url=ci_url, run_dir=run_dir, values=values)  # fmt: skip
