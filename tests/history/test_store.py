"""The history store in both engines: what goes in comes out, oldest first, filtered; a run is
recorded once; two writers at once lose no row."""

from __future__ import annotations

import math
import multiprocessing
from dataclasses import replace
from multiprocessing.synchronize import Barrier

import pytest

from harness.history import AlreadyRecordedError, HistoryError, open_history
from harness.values.history import SeriesKey
from tests.history.conftest import make_run


def test_a_run_comes_back_as_it_was_appended(location: str) -> None:
    run = make_run(7)
    with open_history(location) as history:
        history.append(run)
    with open_history(location) as history:  # and from a new connection, after a close
        assert history.runs() == [run]


def test_runs_come_oldest_first_whatever_the_order_they_were_appended_in(location: str) -> None:
    with open_history(location) as history:
        for index in (3, 1, 2):
            history.append(make_run(index))
        assert [run.run_id for run in history.runs()] == [make_run(i).run_id for i in (1, 2, 3)]


def test_runs_are_filtered_by_scenario_branch_and_fingerprint_together(location: str) -> None:
    runs = [
        make_run(1),
        make_run(2, branch="feature"),
        make_run(3, scenario="smoke"),
        make_run(4, fingerprint="fedcba9876543210"),
        make_run(5, branch=None, commit=None, ci_url=None),
    ]
    with open_history(location) as history:
        for run in runs:
            history.append(run)
        assert history.runs(branch="main") == [runs[0], runs[2], runs[3]]
        assert history.runs(scenario="ci", branch="main") == [runs[0], runs[3]]
        assert history.runs(scenario="ci", fingerprint="0123456789abcdef") == [
            runs[0], runs[1], runs[4]
        ]  # fmt: skip
        assert history.runs(scenario="nothing-like-it") == []
        assert len(history.runs()) == 5


def test_a_run_id_is_recorded_once_and_the_first_record_stays(location: str) -> None:
    first = make_run(1)
    with open_history(location) as history:
        history.append(first)
        with pytest.raises(AlreadyRecordedError, match=first.run_id):
            history.append(replace(first, verdict="fail"))
        assert history.runs() == [first]


def test_a_number_that_is_not_finite_is_not_measured_and_has_no_row(location: str) -> None:
    p99 = SeriesKey("all", "p99_ms")
    run = make_run(1, values={p99: 4.0, SeriesKey("all", "p50_ms"): math.nan,
                              SeriesKey("all", "throughput"): math.inf})  # fmt: skip
    with open_history(location) as history:
        history.append(run)
        assert dict(history.runs()[0].values) == {p99: 4.0}


def test_a_history_in_use_that_fails_is_a_history_error_naming_it(tmp_path: str) -> None:
    """A connection closed under the store (as a server that went away would leave it)."""
    location = f"{tmp_path}/h.sqlite"
    history = open_history(location)
    history.close()
    with pytest.raises(HistoryError, match=r"h\.sqlite: could not record run"):
        history.append(make_run(1))


WRITERS, RUNS_EACH = 2, 40


def _append_many(location: str, writer: int, start: Barrier) -> None:
    """One writer: a new connection for each run, as each `loadgate run` opens its own."""
    start.wait(timeout=240)  # spawned processes start slowly on a busy machine
    for index in range(RUNS_EACH):
        with open_history(location) as history:
            history.append(make_run(index, writer))


def test_two_writers_at_once_lose_no_row(location: str) -> None:
    """Two processes append to one new history at the same moment (so they also race to create
    it): every run and every number of both is there afterwards."""
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(WRITERS)
    writers = [
        spawn.Process(target=_append_many, args=(location, w, start)) for w in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=240)
    assert [writer.exitcode for writer in writers] == [0] * WRITERS

    with open_history(location) as history:
        found = {run.run_id: run for run in history.runs()}
    expected = [make_run(i, w) for w in range(WRITERS) for i in range(RUNS_EACH)]
    assert len(found) == len(expected)
    assert all(found[run.run_id] == run for run in expected)
