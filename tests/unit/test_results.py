"""HDR histograms from several Locust processes merge into exact whole-run percentiles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hdrh.histogram import HdrHistogram

from harness.load.results import read_client_results


def write_process(folder: Path, pid: int, latencies_ms: list[float], failures: int = 0) -> None:
    histogram = HdrHistogram(1, 3_600_000_000, 3)
    for ms in latencies_ms:
        histogram.record_value(round(ms * 1000))
    entry = {
        "name": "home",
        "method": "GET",
        "requests": len(latencies_ms),
        "failures": failures,
        "hdr_us": histogram.encode().decode("ascii"),
    }
    (folder / f"client-{pid}.json").write_text(json.dumps({"pid": pid, "endpoints": [entry]}))


def test_percentiles_come_from_the_merged_histogram_not_averaged_per_process(
    tmp_path: Path,
) -> None:
    (tmp_path / "window.json").write_text(json.dumps({"start": 100.0, "end": 160.0}))
    write_process(tmp_path, 1, [10.0] * 990, failures=3)
    write_process(tmp_path, 2, [200.0] * 10)

    results = read_client_results(tmp_path)

    assert results.processes == 2
    assert results.window is not None and results.window.seconds == 60.0
    assert results.client is not None
    [home] = results.client.endpoints
    assert (home.requests, home.failures) == (1000, 3)
    assert home.p50_ms == pytest.approx(10.0, rel=1e-3)  # 3 significant digits
    assert home.p999_ms == pytest.approx(200.0, rel=1e-3)  # the slow process shows in the tail
    assert results.client.total.requests == 1000


def test_no_results_and_no_window_are_reported_as_missing(tmp_path: Path) -> None:
    results = read_client_results(tmp_path)
    assert (results.window, results.client, results.processes) == (None, None, 0)


def test_a_window_that_closed_before_it_opened_is_no_window(tmp_path: Path) -> None:
    # The load stopped during the warm-up: the plugin's window start lies after its end.
    (tmp_path / "window.json").write_text(json.dumps({"start": 200.0, "end": 150.0}))
    assert read_client_results(tmp_path).window is None


def test_each_process_account_of_itself_is_summed_and_kept_per_process(tmp_path: Path) -> None:
    # What a worker (maybe on another machine) says of itself: its CPU, iterations, exceptions.
    from harness.load.window import WindowRecorder

    for pid, cpu, errors in ((1, 40.0, 2), (2, 97.0, 1)):
        recorder = WindowRecorder()
        recorder.start, recorder.end = 100.0, 160.0
        recorder.iterations = 50
        for _ in range(errors):
            recorder.user_error(RuntimeError("boom"))
        recorder.cpu_sample(129.5, 130.0, cpu)
        recorder.cpu_sample(89.5, 90.0, 100.0)  # the start-up, before the window: not counted
        recorder.cpu_sample(99.7, 100.2, 100.0)  # mostly before the window: not counted
        payload = recorder.as_json() | {"pid": pid}
        (tmp_path / f"client-{pid}.json").write_text(json.dumps(payload))

    reports = read_client_results(tmp_path).reports

    assert sorted(c.cpu_max for c in reports.cpu) == [40.0, 97.0]
    assert (reports.iterations, reports.user_errors) == (100, 3)
    assert reports.error_kinds == (("RuntimeError: boom", 3),)
