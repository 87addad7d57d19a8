"""Versioned migrations: an empty database (version 0) or an older history (version 1) is brought
to the newest version with its runs kept; a step that fails leaves the database at the version it
had; each engine marks the database as loadgate's."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import psycopg
import pytest

from harness.history import HistoryError, HistoryStore, open_history
from harness.history.postgres_store import open_postgres
from harness.history.schema import APPLICATION_ID, LATEST_VERSION, MIGRATIONS, Migration
from harness.history.sqlite_store import open_sqlite
from tests.history.conftest import make_run

Opener = Callable[[str, tuple[Migration, ...]], HistoryStore]


def opener(location: str) -> Opener:
    return open_postgres if location.startswith("postgresql://") else open_sqlite


def version_and_indexes(location: str) -> tuple[int, set[str]]:
    """The version the database says it is at, and the history's indexes it holds."""
    if location.startswith("postgresql://"):
        with psycopg.connect(location) as db:
            version = db.execute("SELECT value FROM loadgate_meta WHERE key = 'schema_version'")
            row = version.fetchone()
            names = db.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'loadgate_runs_by_%'"
            )
            return int(row[0]) if row else 0, {name for (name,) in names.fetchall()}
    with sqlite3.connect(location) as db:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        names = db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'loadgate_runs_by_%'")
        return int(version), {name for (name,) in names.fetchall()}


def test_a_new_database_is_created_at_the_newest_version(location: str) -> None:
    with open_history(location):
        pass
    assert version_and_indexes(location) == (
        LATEST_VERSION, {"loadgate_runs_by_scenario", "loadgate_runs_by_time"}
    )  # fmt: skip


def test_an_sqlite_history_carries_loadgate_s_application_id(tmp_path: str) -> None:
    location = f"{tmp_path}/h.sqlite"
    with open_history(location):
        pass
    with sqlite3.connect(location) as db:
        assert db.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_version_1_history_is_migrated_up_with_its_runs_kept(location: str) -> None:
    run = make_run(1)
    with opener(location)(location, MIGRATIONS[:1]) as old:
        old.append(run)
    assert version_and_indexes(location) == (1, set())

    with open_history(location) as history:
        assert history.runs() == [run]
        history.append(make_run(2))
    assert version_and_indexes(location)[0] == LATEST_VERSION


def test_a_step_that_fails_leaves_the_database_at_the_version_it_had(location: str) -> None:
    with open_history(location) as history:
        history.append(make_run(1))
    broken = Migration(LATEST_VERSION + 1, "a table, then a mistake",
                       ("CREATE TABLE loadgate_later (id INTEGER)", "CREATE TABLE oops ("))  # fmt: skip

    with pytest.raises(HistoryError, match="could not open the history"):
        opener(location)(location, (*MIGRATIONS, broken))

    assert version_and_indexes(location)[0] == LATEST_VERSION
    with open_history(location) as history:  # still whole, and usable
        assert [r.run_id for r in history.runs()] == [make_run(1).run_id]
    if location.startswith("postgresql://"):
        with psycopg.connect(location) as db:
            assert db.execute("SELECT to_regclass('loadgate_later')").fetchone() == (None,)
    else:
        with sqlite3.connect(location) as db:
            later = db.execute("SELECT name FROM sqlite_master WHERE name = 'loadgate_later'")
            assert later.fetchall() == []


def test_a_history_newer_than_this_loadgate_is_refused_not_migrated_down(location: str) -> None:
    later = Migration(LATEST_VERSION + 1, "something a later loadgate adds",
                      ("CREATE TABLE loadgate_later (id INTEGER)",))  # fmt: skip
    with opener(location)(location, (*MIGRATIONS, later)):
        pass

    with pytest.raises(Exception, match=f"version {LATEST_VERSION + 1} is newer") as refused:
        open_history(location)
    assert type(refused.value).__name__ == "InputError"
    assert version_and_indexes(location)[0] == LATEST_VERSION + 1
