"""The run's last step, recording it in its history: on success the run is in the history and
result.json says so; when the history fails — here the PostgreSQL server ends the connection in
the middle of the append — the step says so on stderr and in result.json, and the run's verdict,
exit code and other reports are what they were."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, cast

import psycopg

from harness.history import open_history
from harness.report.history_sink import record_in_history
from harness.result_file import write_result
from harness.values.history import SeriesKey
from harness.values.result_doc import ResultDoc
from tests.history.conftest import duet_result


def a_finished_run(tmp_path: Path) -> tuple[Path, ResultDoc]:
    """A run folder as a run leaves it: result.json and its other reports, already written."""
    run_dir = tmp_path / "reports" / "20261201T000145Z-ci-bcd8"
    result = cast(ResultDoc, duet_result())
    write_result(run_dir, result)
    (run_dir / "summary.md").write_text("# ci: fail\n")
    return run_dir, result


def on_disk(run_dir: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((run_dir / "result.json").read_text())
    return document


def test_a_recorded_run_is_in_the_history_and_its_result_says_so(tmp_path: Path) -> None:
    run_dir, result = a_finished_run(tmp_path)
    location, said = str(tmp_path / "history.sqlite"), []

    noted = record_in_history(location, run_dir, result, said.append)

    assert said == [f"history: run recorded in {location}"]
    note = {"location": location, "recorded": True, "detail": ""}
    assert noted["history"] == note and on_disk(run_dir) == {**result, "history": note}
    with open_history(location) as history:
        (run,) = history.runs()
    assert (run.run_id, run.run_dir) == (result["run"]["id"], str(run_dir))
    assert run.values[SeriesKey("all", "p99_ms")] == result["client"]["total"]["p99_ms"]  # type: ignore[index]


def test_a_history_that_cannot_be_opened_is_reported_and_the_verdict_stands(tmp_path: Path) -> None:
    """Someone put a file where the history's folder should be, during the run."""
    run_dir, result = a_finished_run(tmp_path)
    (tmp_path / "taken").write_text("a file, not a folder\n")
    location, said = str(tmp_path / "taken" / "history.sqlite"), []

    noted = record_in_history(location, run_dir, result, said.append)

    assert len(said) == 1 and said[0].startswith(f"history: run not recorded in {location}: ")
    assert "its folder cannot be made" in said[0] and said[0].endswith("(the verdict stands)")
    assert (
        noted["history"]["recorded"] is False
        and "its folder cannot be made" in noted["history"]["detail"]
    )
    written = on_disk(run_dir)
    assert (written["verdict"], written["exit_code"]) == ("fail", 1)
    assert {k: v for k, v in written.items() if k != "history"} == result


def backend_waiting_on_a_lock(admin: psycopg.Connection[Any], database: str) -> int | None:
    row = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = 'loadgate' "
        "AND wait_event_type = 'Lock'",
        (database,),
    ).fetchone()
    return int(row[0]) if row else None


def test_a_postgres_server_going_away_mid_append_is_reported_and_the_verdict_stands(
    tmp_path: Path, postgres_url: str
) -> None:
    run_dir, result = a_finished_run(tmp_path)
    summary = (run_dir / "summary.md").read_bytes()
    database = postgres_url.rsplit("/", 1)[1]
    with open_history(postgres_url):  # the history exists, so the append is what waits
        pass
    said: list[str] = []
    returned: list[ResultDoc] = []

    with (
        psycopg.connect(postgres_url) as holder,
        psycopg.connect(postgres_url, autocommit=True) as admin,
    ):
        # Another session holds the runs table, so the append waits inside its transaction…
        holder.execute("LOCK TABLE loadgate_runs IN ACCESS EXCLUSIVE MODE")
        step = threading.Thread(
            target=lambda: returned.append(
                record_in_history(postgres_url, run_dir, result, said.append)
            )
        )
        step.start()
        deadline, pid = time.monotonic() + 30, None
        while pid is None and time.monotonic() < deadline:
            time.sleep(0.01)  # a poll's interval; what is awaited is the condition
            pid = backend_waiting_on_a_lock(admin, database)
        assert pid is not None, "the append never reached the lock"
        # …and the server ends its connection there, as a server shutting down would.
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        step.join(timeout=30)
        holder.rollback()

    assert not step.is_alive() and len(returned) == 1
    assert len(said) == 1 and said[0].startswith(f"history: run not recorded in {postgres_url}: ")
    assert "could not record run 20261201T000145Z-ci-bcd8" in said[0]
    assert "terminating connection" in said[0]
    written = on_disk(run_dir)
    assert written["history"] == returned[0]["history"]
    assert written["history"]["recorded"] is False
    assert {k: v for k, v in written.items() if k != "history"} == result
    assert (written["verdict"], written["exit_code"]) == ("fail", 1)
    assert (run_dir / "summary.md").read_bytes() == summary
    with open_history(postgres_url) as history:  # nothing half-written
        assert history.runs() == []
