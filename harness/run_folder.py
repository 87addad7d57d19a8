"""A run's folder, ``reports/<run-id>/``: the name of each file in it, owned here, and the one way
every file there is written — atomically, so that a reader never sees half a file, even if the
harness dies mid-write.

Writers name their file from here (loadgate's plugin inside Locust too), and so does anything
that looks for them later: a page's links, a baseline read from a run, the soak's link to its
report. No other module spells a path of the run folder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = [
    "CLIENT_DIR",
    "CLIENT_RESULTS_GLOB",
    "JUNIT_XML",
    "LOCUST_REPORT",
    "LOCUST_STATS",
    "LOGS_DIR",
    "PROMETHEUS_CONFIG",
    "PROMETHEUS_DIR",
    "REPORT_FILES",
    "REPORT_HTML",
    "RESULT_JSON",
    "SUMMARY_MD",
    "WINDOW_FILE",
    "client_results_file",
    "log_file",
    "write_atomically",
]

RESULT_JSON = "result.json"  # the contract: docs/result-json.md
SUMMARY_MD = "summary.md"
JUNIT_XML = "junit.xml"
REPORT_HTML = "report.html"
LOCUST_REPORT = "locust_report.html"  # Locust's own report, written by Locust
LOCUST_STATS = "locust_stats"  # Locust's per-endpoint stats (--json-file; Locust adds ".json")

# For people, most readable first.
REPORT_FILES = (REPORT_HTML, SUMMARY_MD, JUNIT_XML, RESULT_JSON, LOCUST_REPORT)

# Written by loadgate's plugin inside Locust (harness/load/plugin.py), read by harness/load/results.py.
CLIENT_DIR = "client"
WINDOW_FILE = "window.json"  # by the process that controls the run (standalone or master)
CLIENT_RESULTS_GLOB = "client-*.json"  # one per process that generated load: client_results_file

LOGS_DIR = "logs"  # each child's stdout and stderr: log_file
PROMETHEUS_DIR = "prometheus"  # the private Prometheus's configuration (its data is a temp dir)
PROMETHEUS_CONFIG = "prometheus.yml"


def client_results_file(process: str | int) -> str:
    """One load-generating process's results in CLIENT_DIR, named by its pid or Locust node id."""
    return f"client-{process}.json"


def log_file(process: str) -> str:
    """A child's output in LOGS_DIR, named as the child was started: ``locust`` → ``locust.log``."""
    return f"{process}.log"


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, flush it to disk, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
