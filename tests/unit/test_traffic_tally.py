"""What a locustfile reports of its traffic (issue #14): each process's tally of sessions,
visitors and response checks, and the harness's merge of the processes' tallies per side."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.load import traffic_tally
from harness.load.results import read_client_results
from harness.load.traffic_tally import TrafficTally
from harness.values.traffic import CheckCount


def write_process(folder: Path, pid: int, tally: TrafficTally) -> None:
    payload = {"pid": pid, "endpoints": [], "traffic": tally.as_json()}
    (folder / f"client-{pid}.json").write_text(json.dumps(payload))


def test_visitors_are_a_union_over_processes_and_checks_a_sum(tmp_path: Path) -> None:
    (tmp_path / "window.json").write_text(json.dumps({"start": 100.0, "end": 145.0}))
    first, second = TrafficTally(), TrafficTally()
    for visitor in ("1", "2", "3", "1"):  # a returning visitor is one visitor
        first.session(visitor)
    for visitor in ("3", "4"):  # visitor 3 came to both processes: still one visitor
        second.session(visitor)
    first.check("/home", "full", passed=True)
    first.check("/home", "full", passed=False)
    second.check("/home", "full", passed=True)
    second.check("/home", "in_stock", passed=True)
    write_process(tmp_path, 1, first)
    write_process(tmp_path, 2, second)

    traffic = read_client_results(tmp_path).traffic

    assert (traffic.sessions, traffic.distinct_visitors, traffic.visitors_capped) == (6, 4, False)
    assert traffic.checks == (
        CheckCount("/home", "full", passed=2, failed=1),
        CheckCount("/home", "in_stock", passed=1, failed=0),
    )


def test_a_duet_keeps_each_side_s_traffic_apart(tmp_path: Path) -> None:
    tally = TrafficTally()
    tally.session("7", side="baseline")
    tally.session("7", side="candidate")
    tally.session("8", side="candidate")
    tally.check("/home", "full", passed=False, side="candidate")
    write_process(tmp_path, 1, tally)

    candidate = read_client_results(tmp_path, side="candidate").traffic
    baseline = read_client_results(tmp_path, side="baseline").traffic

    assert (candidate.sessions, candidate.distinct_visitors) == (2, 2)
    assert candidate.checks == (CheckCount("/home", "full", passed=0, failed=1),)
    assert (baseline.sessions, baseline.distinct_visitors, baseline.checks) == (1, 1, ())


def test_beyond_the_bound_visitors_are_a_lower_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(traffic_tally, "MAX_VISITORS", 3)
    tally = TrafficTally()
    for visitor in range(5):
        tally.session(str(visitor))
    write_process(tmp_path, 1, tally)

    traffic = read_client_results(tmp_path).traffic

    assert (traffic.sessions, traffic.distinct_visitors, traffic.visitors_capped) == (5, 3, True)


def test_results_from_a_plugin_before_14_have_no_traffic(tmp_path: Path) -> None:
    (tmp_path / "client-1.json").write_text(json.dumps({"pid": 1, "endpoints": []}))

    traffic = read_client_results(tmp_path).traffic

    assert (traffic.sessions, traffic.distinct_visitors, traffic.checks) == (0, 0, ())
