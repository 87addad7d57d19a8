"""One ``loadgate run``: the stages (harness/stages/) composed, from a validated plan to a verdict.

    plan ─► start_stack ─► wait_for_stack ─► run_load ─► measure ─► [history] ─► judge ─► reports

Each stage is a function of what the stages before it produced; the driver records each output in
``RunProgress`` as the stage returns — the one place a run's knowledge grows. Every process started
here belongs to one ``ProcessGroup`` and is stopped when the run ends, however it ends.
``result.json`` is written in every case — pass, fail, inconclusive, invalid input found late,
Ctrl-C, a harness bug — with what every finished stage produced.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from harness.errors import InconclusiveError, InputError
from harness.gate.verdict import inconclusive, invalid_input, with_findings
from harness.history.provenance import detect_provenance
from harness.monitor import RunMonitor
from harness.progress import RunProgress
from harness.report.history_sink import record_in_history
from harness.report.sinks import make_run_folder, write_reports
from harness.run_folder import LOGS_DIR
from harness.stack.processes import ProcessGroup
from harness.stages import Say
from harness.stages.history import read_and_judge_history
from harness.stages.judge import judge
from harness.stages.measure import measure
from harness.stages.run_load import run_load
from harness.stages.start_stack import start_stack, wait_for_stack
from harness.values.plan import Plan
from harness.values.result_doc import ResultDoc
from harness.values.verdict import Verdict

__all__ = ["RunOutcome", "execute_run", "new_run_id"]

log = logging.getLogger(__name__)
NOT_JUDGED = inconclusive("not judged yet")  # the verdict of a document built before judging


@dataclass(frozen=True)
class RunOutcome:
    verdict: Verdict
    run_dir: Path
    result: ResultDoc
    result_path: Path


def new_run_id(name: str, now: float) -> str:
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{name}-{secrets.token_hex(2)}"


def execute_run(
    plan: Plan,
    say: Say = lambda _: None,
    live: Console | None = None,
    monitor: RunMonitor | None = None,
    run_id: str | None = None,
) -> RunOutcome:
    """Run the plan end to end; ``say`` receives one line per stage, for the person watching.

    While Locust runs, ``live`` (a terminal) shows a live view; without it, ``say`` gets a
    progress line every 15 s. A ``monitor`` (soak mode) watches the load and adds its findings.
    ``run_id`` is given by a caller that names the run before it starts (a soak's start event).
    """
    started_at = time.time()
    run_id = run_id or new_run_id(plan.name, started_at)
    run_dir = plan.out_dir / run_id
    make_run_folder(run_dir)
    progress = RunProgress(run_id, started_at, plan.target_url or "reference service")
    progress.provenance = detect_provenance(os.environ, Path.cwd())
    verdict = _run_to_a_verdict(plan, run_dir, progress, say, live, monitor)
    if monitor is not None:
        verdict = _end_monitor(plan, run_dir, progress, verdict, monitor)
    result = progress.result(plan, verdict, monitor)
    result_path = write_reports(run_dir, result)
    if plan.history is not None:  # last: the reports stand whatever happens to the history
        result = record_in_history(plan.history, run_dir, result, say)
    return RunOutcome(verdict, run_dir, result, result_path)


def _run_to_a_verdict(
    plan: Plan,
    run_dir: Path,
    progress: RunProgress,
    say: Say,
    live: Console | None,
    monitor: RunMonitor | None,
) -> Verdict:
    """The stages' verdict, or the reason they did not reach one: every way a run can end but
    invalid input becomes a verdict over what ``progress`` holds."""
    try:
        return _run_stages(plan, run_dir, progress, say, live, monitor)
    except InconclusiveError as exc:
        return inconclusive(str(exc))
    except KeyboardInterrupt:
        return inconclusive("interrupted before the run finished; results are partial")
    except InputError as exc:
        # Invalid input found only once there was data (a latency threshold off the service's
        # buckets): exit 2, but what was measured is reported first, with the problems as its
        # reasons, and a soak's open pages are resolved.
        if monitor is not None:
            monitor.finished(progress.window, progress.samples)
        write_reports(run_dir, progress.result(plan, invalid_input(exc), monitor))
        raise
    except Exception as exc:  # a harness bug must still leave the partial report behind
        log.exception("the run failed")
        return inconclusive(
            f"the harness failed ({type(exc).__name__}: {exc}); results are partial"
        )


def _run_stages(
    plan: Plan,
    run_dir: Path,
    progress: RunProgress,
    say: Say,
    live: Console | None,
    monitor: RunMonitor | None,
) -> Verdict:
    """The stages in order, each output recorded as soon as its stage returns."""
    # The TSDB is scratch space: the verdict and its numbers go to the report, the samples do not.
    with (
        tempfile.TemporaryDirectory(prefix="loadgate-tsdb-") as tsdb,
        ProcessGroup(run_dir / LOGS_DIR, run_dir.name) as group,
    ):
        stack = start_stack(plan, group, run_dir, Path(tsdb), say)
        progress.target = stack.target_url
        progress.baseline_target = stack.baseline_url
        first_scrape = wait_for_stack(plan, stack, say)
        load = run_load(plan, stack, group, run_dir, say, live, monitor, first_scrape)
        progress.load = load
        measurements, invalid = measure(plan, stack, load, say)
        progress.measurements = measurements
        if invalid is not None:  # an SLO file's mistake found in the data: reported, then exit 2
            raise invalid
        # This run as the history will keep it (its verdict not decided yet), against the earlier.
        so_far = progress.result(plan, NOT_JUDGED)
        history = read_and_judge_history(plan, so_far, run_dir, say)
        judgement = judge(plan, load, measurements, history)
        progress.judgement = judgement
        return judgement.verdict


def _end_monitor(
    plan: Plan, run_dir: Path, progress: RunProgress, verdict: Verdict, monitor: RunMonitor
) -> Verdict:
    """The verdict with the monitor's findings. Its ending (resolving pages, fitting trends) is
    bounded but can take a while: the report is written before it, and again after (by the
    caller), so a second Ctrl-C there loses nothing."""
    write_reports(run_dir, progress.result(plan, verdict, monitor))
    try:
        monitor.finished(progress.window, progress.samples)
        return with_findings(verdict, monitor.findings())
    except (Exception, KeyboardInterrupt) as exc:
        log.exception("the monitor's ending failed")
        return inconclusive(
            *verdict.reasons,
            f"the soak's ending was cut short ({type(exc).__name__}); results are partial",
        )
