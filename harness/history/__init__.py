"""The run history (issue #16): every run's summary kept, so a regression that creeps in a few
percent at a time shows as a trend and a change point (docs/history.md).

    result.json ─► record.history_run ─► HistoryRun ─► open_history(location).append
    open_history(location).runs(scenario=…, branch=…) ─► HistoryRun[] ─► history show, the gate

A location is a file path (SQLite, embedded, the default) or a ``postgresql://`` URL.
"""

from harness.history.backend import AlreadyRecordedError, HistoryError, HistoryStore
from harness.history.location import DEFAULT_HISTORY, redact
from harness.history.record import history_run
from harness.history.store import check_history, open_history

__all__ = [
    "DEFAULT_HISTORY",
    "AlreadyRecordedError",
    "HistoryError",
    "HistoryStore",
    "check_history",
    "history_run",
    "open_history",
    "redact",
]
