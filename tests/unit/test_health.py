from __future__ import annotations

from harness.load.health import CpuSample, judge_generator
from harness.model import LoadWindow

WINDOW = LoadWindow(100.0, 160.0)


def test_cpu_only_counts_inside_the_window() -> None:
    # Locust's start-up (imports) burns a core before the window; that is not saturation.
    samples = [CpuSample(90.0, 1, 100.0), CpuSample(120.0, 1, 40.0)]
    health = judge_generator(samples, WINDOW, 0, max_cpu=90.0)
    assert health.cpu_max == 40.0 and health.problems == ()


def test_a_saturated_generator_is_a_problem() -> None:
    health = judge_generator([CpuSample(120.0, 1, 97.0)], WINDOW, 0, max_cpu=90.0)
    assert "saturated" in health.problems[0]


def test_exit_code_1_means_failed_requests_not_a_crash() -> None:
    assert judge_generator([], WINDOW, 1, max_cpu=90.0).problems == ()
    assert "crashed" in judge_generator([], WINDOW, 2, max_cpu=90.0).problems[0]
    assert "crashed" in judge_generator([], WINDOW, -9, max_cpu=90.0).problems[0]


def test_timeouts_and_interrupts_are_problems() -> None:
    assert (
        "did not finish"
        in judge_generator([], WINDOW, None, max_cpu=90, timed_out=True).problems[0]
    )
    assert "interrupted" in judge_generator([], WINDOW, 0, max_cpu=90, interrupted=True).problems[0]


def test_missing_results_of_a_process_are_a_problem() -> None:
    health = judge_generator([], WINDOW, 0, max_cpu=90.0, reported=(1, 2))
    assert "results of 1 of 2 load-generating processes are missing" in health.problems[0]
    assert judge_generator([], WINDOW, 0, max_cpu=90.0, reported=(2, 2)).problems == ()
