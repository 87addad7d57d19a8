"""The history's tables as numbered migrations, and how a database says whose it is.

Version 0 is an empty database. Each ``Migration`` moves it one version up; the steps a database
lacks are applied together in one transaction, with its new version, so a database is at one
version or the next, never between (both SQLite and PostgreSQL roll back DDL). The statements
are plain SQL both engines read alike.

A database is loadgate's because it says so: SQLite's header carries ``APPLICATION_ID``
(``PRAGMA application_id``) and the version (``PRAGMA user_version``); in PostgreSQL the table
``loadgate_meta`` holds both. loadgate writes only to a database that is empty or its own at a
version it knows: a file or database of another application, or of a newer loadgate, is refused
(exit 2) and left exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from harness.errors import Problem

__all__ = [
    "APPLICATION",
    "APPLICATION_ID",
    "LATEST_VERSION",
    "MIGRATIONS",
    "Migration",
    "Owner",
    "Ownership",
    "corrupt_problem",
    "pending",
    "refusal",
]

APPLICATION = "loadgate"
APPLICATION_ID = 0x4C474854  # "LGHT" in an SQLite file's header: a loadgate history


@dataclass(frozen=True)
class Migration:
    version: int  # the version a database is at once this step is applied
    purpose: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "the runs, and each run's numbers: one row per series it measured",
        (
            # started_at is result.json's ISO 8601 text (UTC, to the millisecond, "Z"): it sorts
            # in time order as text, and comes back exactly as it was written.
            """CREATE TABLE loadgate_runs (
                run_id TEXT PRIMARY KEY,
                started_at TEXT NOT NULL,
                scenario TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                verdict TEXT NOT NULL,
                mode TEXT NOT NULL,
                commit_sha TEXT,
                branch TEXT,
                ci_url TEXT,
                run_dir TEXT,
                recorded_at TEXT NOT NULL
            )""",
            # subject: an endpoint ("GET /v1/…"), "all", or "slo:<name>"; only measured numbers
            # are kept (a series a run did not measure has no row, never a NULL or a NaN).
            """CREATE TABLE loadgate_values (
                run_id TEXT NOT NULL REFERENCES loadgate_runs (run_id) ON DELETE CASCADE,
                subject TEXT NOT NULL,
                metric TEXT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (run_id, subject, metric)
            )""",
        ),
    ),
    Migration(
        2,
        "indexes for what `history show` and the gate ask: a scenario's runs in time order",
        (
            "CREATE INDEX loadgate_runs_by_scenario ON loadgate_runs (scenario, started_at)",
            "CREATE INDEX loadgate_runs_by_time ON loadgate_runs (started_at)",
        ),
    ),
)
LATEST_VERSION = MIGRATIONS[-1].version


class Owner(Enum):
    NEW = "new"  # nothing in it yet: loadgate may make it its own
    LOADGATE = "loadgate"
    FOREIGN = "foreign"  # something else's: never written to


@dataclass(frozen=True)
class Ownership:
    owner: Owner
    version: int = 0  # of a loadgate history
    found: str = ""  # what a foreign database holds, for the message


def pending(ownership: Ownership, migrations: tuple[Migration, ...]) -> tuple[Migration, ...]:
    """The steps a new or loadgate database lacks, in order."""
    return tuple(m for m in migrations if m.version > ownership.version)


def refusal(location: str, ownership: Ownership, latest: int) -> Problem | None:
    """Why loadgate must not touch this database, or ``None`` when it may."""
    if ownership.owner is Owner.FOREIGN:
        return Problem(location, "(database)", f"is not a loadgate history: it holds "
                       f"{ownership.found}; loadgate leaves it as it is; allowed: a loadgate "
                       "history, or a new (empty) file or database for one")  # fmt: skip
    if ownership.version > latest:
        return Problem(location, "(schema)", f"version {ownership.version} is newer than this "
                       f"loadgate reads; allowed: versions up to {latest} — use a newer "
                       "loadgate, or another history")  # fmt: skip
    return None


def corrupt_problem(location: str, why: str) -> Problem:
    why = " ".join(why.replace("*** in database main ***", "").split())  # SQLite's, on one line
    return Problem(location, "(file)", f"is not a readable SQLite database ({why}); loadgate "
                   "leaves it as it is; allowed: a loadgate history, or a path where none exists "
                   "yet (it is created)")  # fmt: skip
