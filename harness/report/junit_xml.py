"""``junit.xml``: one test case per SLO and per gate criterion, for CI systems' test views.

A breached SLO or a failed criterion is a failure; no data is an error (it could not be
measured); a pass is a pass. The document is built with the standard library's ElementTree.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from harness.report.atomic import write_atomically

__all__ = ["render_junit", "write_junit"]


def render_junit(result: dict[str, Any]) -> str:
    suite = ET.Element("testsuite", name=f"loadgate {result['run']['scenario']}")
    failures = errors = 0
    for slo in result["slos"]:
        case = ET.SubElement(suite, "testcase", classname="loadgate.slo", name=slo["name"])
        if slo["status"] == "breached":
            failures += 1
            ET.SubElement(
                case,
                "failure",
                message=f"SLI {slo['sli']:.4%} below objective {slo['objective']:.4%}",
            )
        elif slo["status"] == "no_data":
            errors += 1
            ET.SubElement(case, "error", message=slo.get("detail") or "no data")
    for criterion in result["criteria"]:
        case = ET.SubElement(
            suite, "testcase", classname="loadgate.criterion", name=criterion["name"]
        )
        if criterion["status"] == "fail":
            failures += 1
            ET.SubElement(case, "failure", message=criterion.get("detail") or "failed")
        elif criterion["status"] == "no_data":
            errors += 1
            ET.SubElement(case, "error", message=criterion.get("detail") or "no data")
    score = result.get("score")
    if score:
        case = ET.SubElement(suite, "testcase", classname="loadgate.gate", name="score")
        if score["status"] == "fail":
            failures += 1
            ET.SubElement(
                case,
                "failure",
                message=f"score {score['value']:g}% below the warning threshold {score['warning']:g}%",
            )
    if result["verdict"] == "inconclusive" and not errors:
        # The run itself could not measure: say so, or CI would show all green.
        case = ET.SubElement(suite, "testcase", classname="loadgate.run", name="measurement")
        ET.SubElement(case, "error", message="; ".join(result["reasons"]))
        errors += 1
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(run_dir: Path, result: dict[str, Any]) -> Path:
    path = run_dir / "junit.xml"
    write_atomically(path, render_junit(result))
    return path
