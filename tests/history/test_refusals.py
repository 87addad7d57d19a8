"""A history loadgate must not use — a damaged file, another application's database, a newer
schema — is invalid input (exit 2) through the command line, named with what is wrong, and left
exactly as it was: not one byte changed, no file added beside it. A URL's password is never shown.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from harness.cli import main
from harness.history.postgres_store import open_postgres
from harness.history.schema import LATEST_VERSION, MIGRATIONS, Migration
from harness.history.sqlite_store import open_sqlite
from tests.conftest import free_port
from tests.history.conftest import duet_result, make_run

LATER = Migration(
    LATEST_VERSION + 1, "a later loadgate's", ("CREATE TABLE loadgate_later (i INTEGER)",)
)
PASSWORD = "s3cret-pw"


def a_result_json(folder: Path) -> Path:
    path = folder / "run" / "result.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(duet_result()))
    return path


def files_in(folder: Path) -> dict[str, str]:
    """Every file in the folder and the digest of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def text_file(path: Path) -> str:
    path.write_text("these are my notes, not a database\n" * 40)
    return "not a readable SQLite database (file is not a database)"


def damaged_history(path: Path) -> str:
    with open_sqlite(str(path)) as history:
        for index in range(30):
            history.append(make_run(index))
    data = bytearray(path.read_bytes())
    data[2 * 4096 : 2 * 4096 + 2000] = b"Z" * 2000  # the third page, overwritten
    path.write_bytes(bytes(data))
    return "not a readable SQLite database (Page 3"


def another_applications_database(path: Path) -> str:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
        db.execute("INSERT INTO orders (total) VALUES (12.5)")
    return "is not a loadgate history: it holds tables or indexes orders"


def another_application_id(path: Path) -> str:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA application_id = 305419896")  # 0x12345678, a file of another program
    return "is not a loadgate history: it holds application id 0x12345678"


def newer_history(path: Path) -> str:
    with open_sqlite(str(path), (*MIGRATIONS, LATER)) as history:
        history.append(make_run(1))
    return f"(schema): version {LATEST_VERSION + 1} is newer than this loadgate reads"


@pytest.mark.parametrize(
    "make", [text_file, damaged_history, another_applications_database, another_application_id,
             newer_history], ids=lambda make: make.__name__,
)  # fmt: skip
def test_an_sqlite_file_loadgate_must_not_use_is_exit_2_and_left_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], str]
) -> None:
    folder = tmp_path / "histories"
    folder.mkdir()
    path = folder / "history.sqlite"
    expected = make(path)
    before = files_in(folder)

    assert main(["history", "import", str(a_result_json(tmp_path)), "--history", str(path)]) == 2
    stderr = " ".join(capsys.readouterr().err.split())
    assert f"{path}: (" in stderr and expected in stderr

    # A run is refused before anything starts, with the other problems of its plan.
    missing = tmp_path / "missing.py"
    assert main(["run", "--locustfile", str(missing), "--history", str(path), "--no-live"]) == 2
    stderr = " ".join(capsys.readouterr().err.split())
    assert expected in stderr and "missing.py" in stderr
    assert files_in(folder) == before


def foreign_tables(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as db:
        tables = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                            "ORDER BY tablename").fetchall()  # fmt: skip
        return [*tables, *db.execute("SELECT * FROM orders").fetchall()]


def with_password(url: str) -> str:
    """The URL with a password (the test server trusts loopback, so any password connects)."""
    return url.replace("postgres@", f"postgres:{PASSWORD}@", 1)


def test_a_postgres_database_of_other_tables_is_exit_2_untouched_and_no_password_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    with psycopg.connect(postgres_url) as db:
        db.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total NUMERIC)")
        db.execute("INSERT INTO orders VALUES (1, 12.50)")
    before = foreign_tables(postgres_url)
    url = with_password(postgres_url)

    assert main(["history", "import", str(a_result_json(tmp_path)), "--history", url]) == 2

    stderr = " ".join(capsys.readouterr().err.split())
    assert (
        "is not a loadgate history: it holds tables of something else in schema public: orders"
        in stderr
    )
    assert "postgres:***@127.0.0.1" in stderr and PASSWORD not in stderr
    assert foreign_tables(postgres_url) == before  # no loadgate_meta, no loadgate_runs


def test_a_postgres_history_of_a_newer_loadgate_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    with open_postgres(postgres_url, (*MIGRATIONS, LATER)) as history:
        history.append(make_run(1))

    assert main(["history", "import", str(a_result_json(tmp_path)), "--history", postgres_url]) == 2

    assert f"version {LATEST_VERSION + 1} is newer" in capsys.readouterr().err
    with open_postgres(postgres_url, (*MIGRATIONS, LATER)) as history:
        assert [run.run_id for run in history.runs()] == [make_run(1).run_id]


def test_a_postgres_server_that_does_not_answer_is_exit_3_and_no_password_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"postgresql://loadgate:{PASSWORD}@127.0.0.1:{free_port()}/history"

    assert main(["history", "import", str(a_result_json(tmp_path)), "--history", url]) == 3

    stderr = " ".join(capsys.readouterr().err.split())
    assert "history failed" in stderr and "cannot connect" in stderr
    assert "loadgate:***@127.0.0.1" in stderr and PASSWORD not in stderr


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("mysql://db/history", "mysql:// is not a history loadgate can keep"),
        ("", "is empty"),
    ],
)
def test_a_location_of_the_wrong_form_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str, expected: str
) -> None:
    assert main(["history", "import", str(a_result_json(tmp_path)), "--history", given]) == 2
    stderr = capsys.readouterr().err
    assert "command line: --history: " in stderr and expected in stderr
