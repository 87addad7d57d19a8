"""The history in an SQLite file: embedded, the default (``--history PATH``).

Two loadgate processes may append at once (two CI jobs on one runner, an import beside a run):
the file is in WAL mode, and a writer waits up to ``BUSY_TIMEOUT_S`` for the other's transaction
instead of failing — each append takes the write lock when it begins (``BEGIN IMMEDIATE``), so
no writer ever has to give up half-way. WAL needs the file on a local disk (not NFS).

A file that is not a loadgate history is refused before anything is written to it: the first
look only reads (a new file is only created where nothing exists), and WAL mode, which rewrites
the header, is switched on only in a history loadgate made.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from harness.errors import InputError, Problem
from harness.history.backend import Cursor, HistoryError, HistoryStore
from harness.history.schema import (
    APPLICATION_ID,
    MIGRATIONS,
    Migration,
    Owner,
    Ownership,
    corrupt_problem,
    pending,
    refusal,
)

__all__ = ["BUSY_TIMEOUT_S", "SQLiteHistory", "inspect_sqlite", "open_sqlite"]

BUSY_TIMEOUT_S = 30.0  # how long a writer waits for another's transaction before failing
_CORRUPT = ("SQLITE_NOTADB", "SQLITE_CORRUPT")  # error names (and their extended codes' prefix)
_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")  # another connection holds the file: ask again


class SQLiteHistory(HistoryStore):
    def __init__(self, location: str, connection: sqlite3.Connection) -> None:
        super().__init__(location)
        self._connection = connection

    def close(self) -> None:
        self._connection.close()

    def _transaction(self, write: bool) -> AbstractContextManager[Cursor]:
        return _transaction(self._connection, write)

    def _is_duplicate(self, error: Exception) -> bool:
        return getattr(error, "sqlite_errorname", "") == "SQLITE_CONSTRAINT_PRIMARYKEY"

    def _failures(self) -> tuple[type[Exception], ...]:
        return (sqlite3.Error,)


def open_sqlite(location: str, migrations: tuple[Migration, ...] = MIGRATIONS) -> SQLiteHistory:
    """Open (or create) the history file at ``location``, migrated to the newest schema."""
    path = Path(location)
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError([Problem(location, "(file)", f"its folder cannot be made "
                              f"({exc.strerror}); allowed: a path this user can write")]) from None  # fmt: skip
    connection = _connect(path, location, "rwc")
    try:
        with _transaction(connection, write=False):  # one snapshot: not half another's migration
            ownership = _inspect(connection, location)
        problem = refusal(location, ownership, migrations[-1].version)
        if problem is not None:
            raise InputError([problem])
        _use_wal(connection, location)
        if pending(ownership, migrations):
            _migrate(connection, location, migrations)
    except sqlite3.Error as exc:  # from the migration: a lock held too long, a full disk
        connection.close()
        raise _classified(exc, location, "could not open the history") from None
    except BaseException:
        connection.close()
        raise
    return SQLiteHistory(location, connection)


def inspect_sqlite(location: str, latest: int = MIGRATIONS[-1].version) -> None:
    """Refuse (``InputError``) a file loadgate must not use, without writing anything; a missing
    file is fine (it would be created)."""
    path = Path(location)
    if not path.exists():
        return
    # Read-write, though it only reads: a read-only connection to a WAL file would leave its
    # -wal and -shm files behind, which it may not remove.
    connection = _connect(path, location, "rw")
    try:
        with _transaction(connection, write=False):
            problem = refusal(location, _inspect(connection, location), latest)
    except sqlite3.Error as exc:
        raise _classified(exc, location, "could not read it") from None
    finally:
        connection.close()
    if problem is not None:
        raise InputError([problem])


def _connect(path: Path, location: str, mode: str) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    try:
        # isolation_level=None: transactions are begun and ended here, explicitly.
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error as exc:
        raise InputError([Problem(location, "(file)", f"cannot be opened ({exc}); allowed: a "
                          "path to a file this user can read and write")]) from None  # fmt: skip


def _inspect(connection: sqlite3.Connection, location: str) -> Ownership:
    """Whose the database is, read from its header and its list of tables — inside a transaction,
    so that all three are read from one state of the file."""
    application = _one(connection, location, "PRAGMA application_id")
    version = _one(connection, location, "PRAGMA user_version")
    names = [row[0] for row in _run(connection, location, "SELECT name FROM sqlite_master "
             "WHERE name NOT LIKE 'sqlite_%' ORDER BY name")]  # fmt: skip
    if application == APPLICATION_ID:
        damage = _run(connection, location, "PRAGMA quick_check")
        if damage != [("ok",)]:
            raise InputError([corrupt_problem(location, "; ".join(str(r[0]) for r in damage[:3]))])
        return Ownership(Owner.LOADGATE, int(version))
    if application == 0 and version == 0 and not names:
        return Ownership(Owner.NEW)
    found = [f"application id {application:#x}"] if application else []
    if names:
        found.append(f"tables or indexes {', '.join(names[:5])}{' …' if len(names) > 5 else ''}")
    else:
        found.append(f"user_version {version}")
    return Ownership(Owner.FOREIGN, found=" and ".join(found))


def _use_wal(connection: sqlite3.Connection, location: str) -> None:
    """Switch the file to WAL mode (it stays so), before anything is written to it.

    The switch needs the file to itself for a moment; when another connection is reading it,
    SQLite declines without waiting and says which mode the file is still in — so it is asked
    again until the busy timeout. Writing on in the old mode is no option: there, two writers can
    refuse each other a lock at once, and one would fail instead of waiting. While the other
    connection is itself switching, SQLite says "database is locked" at once (its busy handler
    is not asked): that too is asked again (a race `make test` met, two writers at once)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while _journal_mode_wal(connection, location) != [("wal",)]:
        if time.monotonic() > deadline:
            raise HistoryError(f"{location}: could not switch it to WAL mode: another process "
                               f"kept it busy for {BUSY_TIMEOUT_S:g}s")  # fmt: skip
        time.sleep(0.05)


def _journal_mode_wal(connection: sqlite3.Connection, location: str) -> list[tuple[Any, ...]]:
    """The mode the file is in after asking for WAL; none while another connection holds it."""
    try:
        return list(connection.execute("PRAGMA journal_mode=WAL").fetchall())
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorname", "") in _BUSY:
            return []
        raise _classified(exc, location, "could not read it") from None


def _migrate(
    connection: sqlite3.Connection, location: str, migrations: tuple[Migration, ...]
) -> None:
    """The pending steps and the new version, in one transaction taken with the write lock, so
    two processes opening a new history at once migrate it once."""
    with _transaction(connection, write=True) as cursor:
        # Looked at again under the lock: another process may have migrated it meanwhile.
        ownership = _inspect(connection, location)
        problem = refusal(location, ownership, migrations[-1].version)
        if problem is not None:
            raise InputError([problem])
        for step in pending(ownership, migrations):
            for statement in step.statements:
                cursor.execute(statement, ())
        cursor.execute(f"PRAGMA application_id = {APPLICATION_ID:d}", ())
        cursor.execute(f"PRAGMA user_version = {migrations[-1].version:d}", ())


@contextmanager
def _transaction(connection: sqlite3.Connection, write: bool) -> Iterator[Cursor]:
    connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield connection.cursor()
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _one(connection: sqlite3.Connection, location: str, query: str) -> int:
    rows = _run(connection, location, query)
    return int(rows[0][0]) if rows else 0


def _run(connection: sqlite3.Connection, location: str, query: str) -> list[tuple[Any, ...]]:
    """A statement's rows; a damaged file is the user's input (exit 2), anything else (a lock
    held past the timeout, a full disk) a failure of the history in use."""
    try:
        return list(connection.execute(query).fetchall())
    except sqlite3.Error as exc:
        raise _classified(exc, location, "could not read it") from None


def _classified(error: sqlite3.Error, location: str, what: str) -> InputError | HistoryError:
    if getattr(error, "sqlite_errorname", "").startswith(_CORRUPT):
        return InputError([corrupt_problem(location, str(error))])
    return HistoryError(f"{location}: {what}: {error}")
