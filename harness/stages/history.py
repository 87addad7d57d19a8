"""Before judging: the run history read, and this run judged against it (harness/gate/history.py).

    measure ─► Measurements ─► (this run as the history will keep it + the earlier runs)
        ─► judge_history ─► HistoryJudgement ─► judge

Only with a history (``--history PATH|URL`` or the scenario's key) and ``gate.history`` on. This
run is summarised from the result document as it stands before the verdict — the same summary
the store appends after the reports (harness/history/record.py), so the gate judges exactly the
numbers the history will keep. A corrupt, foreign or newer-schema history is invalid input
(``InputError``, exit 2, after the reports of what was measured); a history that cannot be read
(a server gone) leaves the criterion without data: the run is inconclusive, never a silent pass.
"""

from __future__ import annotations

from pathlib import Path

from harness.gate.history import HistoryJudgement, judge_history, unreadable_history
from harness.history.detection import HistoryDetector, default_detector
from harness.history.record import history_run
from harness.history.store import HistoryError, open_history
from harness.stages import Say
from harness.values.plan import Plan
from harness.values.result_doc import ResultDoc

__all__ = ["read_and_judge_history"]


def read_and_judge_history(
    plan: Plan,
    result: ResultDoc,
    run_dir: Path,
    say: Say,
    detector: HistoryDetector | None = None,
) -> HistoryJudgement | None:
    """``result``: this run's document so far (its verdict not decided yet); ``None`` without a
    history or with ``gate.history: off``."""
    if plan.history is None or plan.history_gate is None:
        return None
    gate = plan.history_gate
    this_run = history_run(result, str(run_dir))
    say(f"reading the run history ({gate.branch or 'every branch'}) to judge this run against")
    try:
        with open_history(plan.history) as store:
            earlier = store.runs(
                scenario=this_run.scenario, branch=gate.branch, fingerprint=this_run.fingerprint
            )
    except HistoryError as exc:  # its message names the store with any password redacted
        return unreadable_history(str(exc), gate)
    return judge_history(this_run, earlier, gate, detector or default_detector())
