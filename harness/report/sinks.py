"""Every file a run leaves for people and machines, from one result document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.report.html_report import write_html
from harness.report.junit_xml import write_junit
from harness.report.result_json import write_result
from harness.report.summary_md import write_summary

__all__ = ["write_reports"]


def write_reports(run_dir: Path, result: dict[str, Any]) -> Path:
    """result.json first (the contract), then summary.md, junit.xml and report.html; each
    atomically. Returns result.json's path."""
    path = write_result(run_dir, result)
    write_summary(run_dir, result)
    write_junit(run_dir, result)
    write_html(run_dir, result)
    return path
