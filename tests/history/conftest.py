"""The history's tests run against the real engines: SQLite files in a temporary folder, and the
real PostgreSQL server (``make`` starts one on 127.0.0.1:5432 where none answers), in a database
of each test's own, created for it and dropped after it.

``LOADGATE_TEST_POSTGRES`` names the server (default: postgresql://postgres@127.0.0.1:5432/postgres,
trust authentication on loopback); the tests only ever create and drop their own databases.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from harness.values.history import HistoryRun, SeriesKey
from tests.conftest import REPO

POSTGRES = os.environ.get("LOADGATE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
START = datetime(2026, 12, 1, tzinfo=UTC)
DUET_RESULT = REPO / "tests" / "testdata" / "history" / "duet-result.json"


def database_url(server: str, database: str) -> str:
    """``server``'s URL with another database in its path (its query, if any, kept)."""
    head, _, tail = server.partition("://")
    authority, _, rest = tail.partition("/")
    query = rest.partition("?")[2]
    return f"{head}://{authority}/{database}" + (f"?{query}" if query else "")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty database on the real server, for this test alone; dropped afterwards."""
    name = f"loadgate_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        pytest.fail(f"no PostgreSQL at {POSTGRES} ({exc}): `make system-deps` starts one")
    try:
        yield database_url(POSTGRES, name)
    finally:
        with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=5) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new history's location, in each engine."""
    if request.param == "sqlite":
        return str(tmp_path / "history" / "runs.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    return url


def make_run(index: int, writer: int = 0, **changes: Any) -> HistoryRun:
    """A run with a dozen numbers, all derived from its index, so a reader can check each."""
    values = {
        SeriesKey(subject, metric): round(index * 1.5 + writer + offset, 3)
        for offset, (subject, metric) in enumerate(
            (subject, metric)
            for subject in ("all", "GET /v1/recommendations/home", "slo:home-latency")
            for metric in (("sli", "burn_rate") if subject.startswith("slo:") else
                           ("p50_ms", "p95_ms", "p99_ms", "error_ratio", "throughput"))
        )
    }  # fmt: skip
    fields: dict[str, Any] = {
        "run_id": f"20261201T000000Z-ci-{writer}{index:03d}",
        "started_at": (START + timedelta(minutes=index, milliseconds=writer))
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z"),
        "scenario": "ci",
        "fingerprint": "0123456789abcdef",
        "verdict": "pass",
        "mode": "duet",
        "commit": f"{index:040x}",
        "branch": "main",
        "ci_url": f"https://github.com/acme/shop/actions/runs/{index}",
        "run_dir": f"reports/run-{index}",
        "values": values,
    }
    return HistoryRun(**(fields | changes))


def duet_result() -> dict[str, Any]:
    """A real result.json (a duet of the ci scenario, from a calibration on this machine)."""
    document: dict[str, Any] = json.loads(DUET_RESULT.read_text())
    return document
