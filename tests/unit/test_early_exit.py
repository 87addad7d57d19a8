"""Why Locust ended without a window: only when it ended on its own, in one line with the last
lines of its log."""

from __future__ import annotations

from dataclasses import replace

from harness.load.health import CpuSampler
from harness.load.runner import LocustRun, early_exit
from harness.values.run_result import LoadWindow

TRACEBACK = "\n".join(
    ["[…] INFO/locust.main: Starting Locust 2.47.0", "", *[f"  line {i}" for i in range(10)],
     "ZeroDivisionError: division by zero"]
)  # fmt: skip
CRASHED = LocustRun(1, False, False, CpuSampler(0), TRACEBACK, ran_s=1.5)


def test_an_exit_without_a_window_gives_the_exit_code_and_the_last_lines_of_the_log() -> None:
    assert early_exit(CRASHED, window=None) == (
        "the load generator exited (exit code 1) without a measured window; the last "
        "lines of logs/locust.log: line 3 | line 4 | line 5 | line 6 | line 7 | line 8 | "
        "line 9 | ZeroDivisionError: division by zero"
    )


def test_nothing_to_explain_with_a_window_or_when_the_harness_stopped_it() -> None:
    assert early_exit(CRASHED, LoadWindow(1.0, 2.0)) is None
    assert early_exit(replace(CRASHED, interrupted=True), None) is None
    assert early_exit(replace(CRASHED, timed_out=True), None) is None
    assert early_exit(replace(CRASHED, stopped_early="a page fired"), None) is None


def test_a_silent_exit_says_it_wrote_nothing() -> None:
    reason = early_exit(replace(CRASHED, log_tail=""), None)
    assert reason is not None and reason.endswith("logs/locust.log: (none: it wrote nothing)")
