"""The files a run leaves in its folder, ``reports/<run-id>/``: one name each, owned here.

Writers name their file from here, and so does anything that looks for them later: a page's
links, a baseline read from a run, the soak's link to its report.
"""

from __future__ import annotations

__all__ = ["JUNIT_XML", "LOCUST_REPORT", "REPORT_FILES", "REPORT_HTML", "RESULT_JSON", "SUMMARY_MD"]

RESULT_JSON = "result.json"  # the contract: docs/result-json.md
SUMMARY_MD = "summary.md"
JUNIT_XML = "junit.xml"
REPORT_HTML = "report.html"
LOCUST_REPORT = "locust_report.html"  # Locust's own report, written by Locust

# For people, most readable first.
REPORT_FILES = (REPORT_HTML, SUMMARY_MD, JUNIT_XML, RESULT_JSON, LOCUST_REPORT)
