from __future__ import annotations

import socket

from harness.load.health import CpuSample, judge_generator
from harness.load.results import ProcessReports, ReportedCpu
from harness.values.run_result import LoadWindow

WINDOW = LoadWindow(100.0, 160.0)


def test_cpu_only_counts_inside_the_window() -> None:
    # Locust's start-up (imports) burns a core before the window; that is not saturation.
    samples = [CpuSample(89.5, 90.0, 1, 100.0), CpuSample(119.5, 120.0, 1, 40.0)]
    health = judge_generator(samples, WINDOW, 0, max_cpu=90.0)
    assert health.cpu_max == 40.0 and health.problems == ()


def test_readings_straddling_the_edges_count_only_when_mostly_inside() -> None:
    # With no warm-up the window opens as Locust finishes starting: the reading that covers
    # [start - 0.4, start + 0.1] is mostly start-up (CI saw 94 % there, 12 % after); the one over
    # [end - 0.4, end + 0.1] is mostly load and counts.
    start_up = CpuSample(99.6, 100.1, 1, 94.0)
    load = CpuSample(100.1, 100.6, 1, 12.0)
    health = judge_generator([start_up, load], WINDOW, 0, max_cpu=90.0)
    assert health.cpu_max == 12.0 and health.problems == ()
    last = CpuSample(159.6, 160.1, 1, 95.0)
    assert "saturated" in judge_generator([load, last], WINDOW, 0, max_cpu=90.0).problems[0]
    shutdown = CpuSample(159.9, 160.4, 1, 95.0)  # the HTML report being written
    assert judge_generator([load, shutdown], WINDOW, 0, max_cpu=90.0).problems == ()


def test_without_a_window_no_reading_is_saturation() -> None:
    # Locust that exits before its window has only start-up readings: the missing window is the
    # reason, and the only one.
    health = judge_generator([CpuSample(99.5, 100.0, 1, 100.0)], None, 1, max_cpu=90.0)
    assert health.problems == () and health.cpu_max == 0.0


def test_a_saturated_generator_is_a_problem() -> None:
    health = judge_generator([CpuSample(119.5, 120.0, 1, 97.0)], WINDOW, 0, max_cpu=90.0)
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


def test_a_worker_that_measured_itself_saturated_makes_the_run_inconclusive_by_name() -> None:
    # The harness cannot sample a worker on another machine; the worker's own report counts.
    reports = ProcessReports(cpu=(ReportedCpu(4242, "loadbox-7", 97.0),))
    health = judge_generator(
        [CpuSample(119.5, 120.0, 1, 10.0)], WINDOW, 0, max_cpu=90.0, reports=reports
    )
    assert "worker on loadbox-7 (pid 4242) used 97%" in health.problems[0]
    assert [(p.process, p.cpu_max) for p in health.processes] == [
        ("worker on loadbox-7 (pid 4242)", 97.0),
        ("pid 1", 10.0),
    ]


def test_a_local_worker_sampled_twice_is_one_process() -> None:
    reports = ProcessReports(cpu=(ReportedCpu(7, socket.gethostname(), 30.0),))
    health = judge_generator(
        [CpuSample(119.5, 120.0, 7, 35.0)], WINDOW, 0, max_cpu=90.0, reports=reports
    )
    assert [(p.process, p.cpu_max) for p in health.processes] == [("pid 7", 35.0)]


def test_iterations_that_raised_past_one_percent_are_a_problem_below_it_a_warning() -> None:
    kinds = (("Exception: No tasks defined on ForwardedForUser", 326),)
    many = ProcessReports(iterations=674, user_errors=326, error_kinds=kinds)
    health = judge_generator([], WINDOW, 1, max_cpu=90.0, reports=many)
    assert health.problems == (
        "the locustfile's users raised an exception in 326 of 1000 iterations (32.6%, limit 1%): "
        "that load did not happen. Raised: Exception: No tasks defined on ForwardedForUser (326×)",
    )
    assert (health.iterations, health.user_errors) == (1000, 326)

    few = ProcessReports(iterations=995, user_errors=5, error_kinds=(("KeyError: 'id'", 5),))
    health = judge_generator([], WINDOW, 1, max_cpu=90.0, reports=few)
    assert health.problems == ()
    assert "raised an exception in 5 of 1000 iterations (0.5%" in health.warnings[0]


def test_folded_request_names_are_a_warning_that_says_how_to_group() -> None:
    reports = ProcessReports(folded_names=("/items/17", "/items/4"))
    health = judge_generator([], WINDOW, 0, max_cpu=90.0, reports=reports)
    assert health.problems == ()
    assert "'/items/17', '/items/4'" in health.warnings[0] and "name=" in health.warnings[0]


def test_a_worker_elsewhere_that_reported_no_cpu_is_a_problem_one_here_is_sampled_anyway() -> None:
    remote = ProcessReports(cpu=(ReportedCpu(9, "loadbox-7", None),))
    health = judge_generator([], WINDOW, 0, max_cpu=90.0, reports=remote)
    assert "the CPU of worker on loadbox-7 (pid 9) was not measured" in health.problems[0]

    here = ProcessReports(cpu=(ReportedCpu(7, socket.gethostname(), None),))
    health = judge_generator(
        [CpuSample(119.5, 120.0, 7, 35.0)], WINDOW, 0, max_cpu=90.0, reports=here
    )
    assert health.problems == ()
