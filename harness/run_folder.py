"""A run's folder, ``reports/<run-id>/``: the name of each file in it, owned here, and the one way
every file there is written — atomically, so that a reader never sees half a file, even if the
harness dies mid-write.

Writers name their file from here, and so does anything that looks for them later: a page's
links, a baseline read from a run, the soak's link to its report.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = [
    "CLIENT_DIR",
    "JUNIT_XML",
    "LOCUST_REPORT",
    "LOGS_DIR",
    "REPORT_FILES",
    "REPORT_HTML",
    "RESULT_JSON",
    "SUMMARY_MD",
    "write_atomically",
]

RESULT_JSON = "result.json"  # the contract: docs/result-json.md
SUMMARY_MD = "summary.md"
JUNIT_XML = "junit.xml"
REPORT_HTML = "report.html"
LOCUST_REPORT = "locust_report.html"  # Locust's own report, written by Locust

# For people, most readable first.
REPORT_FILES = (REPORT_HTML, SUMMARY_MD, JUNIT_XML, RESULT_JSON, LOCUST_REPORT)
CLIENT_DIR = "client"  # each Locust process's exact results (harness/load/results.py reads them)
LOGS_DIR = "logs"


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
