"""The history in PostgreSQL, for teams (``--history postgresql://user@host/db``).

psycopg 3 (its binary wheel carries libpq) is the driver. The history's tables live in the
connection's current schema (``search_path``; ``public`` unless the URL says otherwise, e.g.
``?options=-csearch_path%3Dloadgate``): that schema must be empty — loadgate then makes it its
own — or already hold a loadgate history, marked by the table ``loadgate_meta``. A schema with
tables of anything else is refused and left as it is.

Every statement is bounded (``STATEMENT_TIMEOUT_MS``), so a lock held elsewhere or a server that
stopped answering fails the append instead of holding the run; a server that goes away is a
``HistoryError``, never the run's verdict. Messages never carry the URL's password.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import psycopg
import psycopg.errors

from harness.errors import COMMAND_LINE, InputError, Problem
from harness.history.backend import Cursor, HistoryError, HistoryStore
from harness.history.location import redact, scrub
from harness.history.schema import (
    APPLICATION,
    MIGRATIONS,
    Migration,
    Owner,
    Ownership,
    pending,
    refusal,
)

__all__ = ["PostgresHistory", "inspect_postgres", "open_postgres"]

CONNECT_TIMEOUT_S = 10
STATEMENT_TIMEOUT_MS = 60_000
# Two processes migrating a new database at once take turns on this advisory lock ("LGHT").
MIGRATION_LOCK = 0x4C474854
_TABLES = """SELECT c.relname FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    ORDER BY c.relname"""


class PostgresHistory(HistoryStore):
    placeholder = "%s"

    def __init__(self, location: str, connection: psycopg.Connection[tuple[object, ...]]) -> None:
        super().__init__(location)
        self._connection = connection

    def close(self) -> None:
        self._connection.close()

    def _transaction(self, write: bool) -> AbstractContextManager[Cursor]:
        return _transaction(self._connection)

    def _is_duplicate(self, error: Exception) -> bool:
        return isinstance(error, psycopg.errors.UniqueViolation)

    def _failures(self) -> tuple[type[Exception], ...]:
        return (psycopg.Error,)

    def _describe(self, error: Exception) -> str:
        return _describe(error)


def open_postgres(location: str, migrations: tuple[Migration, ...] = MIGRATIONS) -> PostgresHistory:
    """Connect, check whose the schema is, and migrate it to the newest version if it needs it."""
    connection = _connect(location)
    try:
        with connection.transaction():
            ownership = _inspect(connection, location)
        problem = refusal(redact(location), ownership, migrations[-1].version)
        if problem is not None:
            raise InputError([problem])
        if pending(ownership, migrations):
            _migrate(connection, location, migrations)
    except psycopg.Error as exc:
        connection.close()
        raise _failed(location, "could not open the history", exc) from None
    except BaseException:
        connection.close()
        raise
    return PostgresHistory(location, connection)


def inspect_postgres(location: str, latest: int = MIGRATIONS[-1].version) -> None:
    """Refuse (``InputError``) a database loadgate must not use, without writing anything."""
    with _connect(location) as connection:
        try:
            with connection.transaction():
                ownership = _inspect(connection, location)
        except psycopg.Error as exc:
            raise _failed(location, "could not read the database", exc) from None
    problem = refusal(redact(location), ownership, latest)
    if problem is not None:
        raise InputError([problem])


def _connect(location: str) -> psycopg.Connection[tuple[object, ...]]:
    try:
        connection = psycopg.connect(location, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                     application_name="loadgate")  # fmt: skip
        connection.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS:d}")
    except psycopg.ProgrammingError as exc:  # the URL itself: an unknown option, a bad port
        raise InputError([Problem(COMMAND_LINE, "--history", f"{redact(location)!r}: "
                          f"{scrub(str(exc), location)}; allowed: a postgresql:// URL libpq "
                          "reads")]) from None  # fmt: skip
    except psycopg.Error as exc:
        raise _failed(location, "cannot connect", exc) from None
    return connection


def _inspect(connection: psycopg.Connection[tuple[object, ...]], location: str) -> Ownership:
    schema = connection.execute("SELECT current_schema()").fetchone()
    if schema is None or schema[0] is None:
        raise InputError([Problem(redact(location), "(database)", "has no schema to keep a history "
                          "in (its search_path names none that exists); allowed: a database with "
                          "a schema this user may create tables in")])  # fmt: skip
    names = [str(row[0]) for row in connection.execute(_TABLES).fetchall()]
    if "loadgate_meta" in names:
        rows = connection.execute("SELECT key, value FROM loadgate_meta").fetchall()
        meta = {str(key): str(value) for key, value in rows}
        if meta.get("application") == APPLICATION:
            return Ownership(Owner.LOADGATE, int(meta.get("schema_version", "0")))
    if not names:
        return Ownership(Owner.NEW)
    shown = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
    return Ownership(
        Owner.FOREIGN, found=f"tables of something else in schema {schema[0]}: {shown}"
    )


def _migrate(
    connection: psycopg.Connection[tuple[object, ...]],
    location: str,
    migrations: tuple[Migration, ...],
) -> None:
    latest = migrations[-1].version
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        # Looked at again under the lock: another process may have migrated it meanwhile.
        ownership = _inspect(connection, location)
        problem = refusal(redact(location), ownership, latest)
        if problem is not None:
            raise InputError([problem])
        for step in pending(ownership, migrations):
            for statement in step.statements:
                connection.execute(statement)
        connection.execute(
            "CREATE TABLE IF NOT EXISTS loadgate_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
        )
        connection.execute(
            "INSERT INTO loadgate_meta (key, value) VALUES ('application', %s), "
            "('schema_version', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            (APPLICATION, str(latest)),
        )


@contextmanager
def _transaction(connection: psycopg.Connection[tuple[object, ...]]) -> Iterator[Cursor]:
    with connection.transaction(), connection.cursor() as cursor:
        yield cursor


def _failed(location: str, what: str, error: Exception) -> HistoryError:
    cause = scrub(_describe(error) or type(error).__name__, location)
    return HistoryError(f"{redact(location)}: {what}: {cause}")


def _describe(error: Exception) -> str:
    """The server's own sentence when it sent one (without the query it was answering), else the
    driver's message (a connection that failed), on one line."""
    diagnosis = getattr(error, "diag", None)
    primary = getattr(diagnosis, "message_primary", None) if diagnosis is not None else None
    return " ".join(str(primary or error).split())
