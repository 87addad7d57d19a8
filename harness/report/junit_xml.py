"""``junit.xml``: one test case per SLO and per gate criterion, for CI systems' test views.

A breached SLO or a failed criterion is a failure; no data is an error (it could not be
measured); a pass is a pass. The document is built with the standard library's ElementTree.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from harness.report.formats import num
from harness.run_folder import JUNIT_XML, write_atomically
from harness.values.result_doc import ResultDoc

__all__ = ["render_junit", "write_junit"]


def render_junit(result: ResultDoc) -> str:
    suite = ET.Element("testsuite", name=f"loadgate {result['run']['scenario']}")
    for slo in result["slos"]:
        _case(
            suite,
            "loadgate.slo",
            slo["name"],
            failure=f"SLI {num(slo['sli'], '.4%')} below objective {slo['objective']:.4%}"
            if slo["status"] == "breached"
            else None,
            error=(slo["detail"] or "no data") if slo["status"] == "no_data" else None,
        )
    for criterion in result["criteria"]:
        status, detail = criterion["status"], criterion["detail"]
        _case(
            suite,
            "loadgate.criterion",
            criterion["name"],
            failure=(detail or "failed") if status == "fail" else None,
            error=(detail or "no data") if status == "no_data" else None,
        )
    score = result["score"]
    if score:
        below = f"score {score['value']:g}% below the warning threshold {score['warning']:g}%"
        _case(suite, "loadgate.gate", "score", failure=below if score["status"] == "fail" else None)
    if result["verdict"] == "inconclusive" and suite.find("testcase/error") is None:
        # The run itself could not measure: say so, or CI would show all green.
        _case(suite, "loadgate.run", "measurement", error="; ".join(result["reasons"]))
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(len(suite.findall("testcase/failure"))))
    suite.set("errors", str(len(suite.findall("testcase/error"))))
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def _case(
    suite: ET.Element,
    classname: str,
    name: str,
    failure: str | None = None,
    error: str | None = None,
) -> None:
    """One test case: passed, failed (a breach, a failed criterion) or in error (no data)."""
    case = ET.SubElement(suite, "testcase", classname=classname, name=name)
    if failure is not None:
        ET.SubElement(case, "failure", message=failure)
    elif error is not None:
        ET.SubElement(case, "error", message=error)


def write_junit(run_dir: Path, result: ResultDoc) -> Path:
    path = run_dir / JUNIT_XML
    write_atomically(path, render_junit(result))
    return path
