"""Golden files: spec in ─► model out, and model ─► rules out, for OpenSLO and Sloth inputs.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/unit/test_slo_golden.py``
and review the diff like code.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from harness.slo.generate import write_rules
from harness.slo.loader import load_slo_files
from harness.slo.policy import DEFAULT_POLICY, load_policy
from tests.conftest import REPO

INPUTS = sorted((REPO / "tests/testdata/slo").glob("*.yaml"))
GOLDEN = REPO / "tests/testdata/golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def check_golden(path: Path, actual: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual)
    assert path.exists(), f"no golden file {path}; run with UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_text(), f"{path.name} differs from its golden file"


@pytest.mark.parametrize("spec", INPUTS, ids=[p.stem for p in INPUTS])
def test_spec_in_model_out(spec: Path) -> None:
    slos = load_slo_files([spec])
    model = [
        dataclasses.asdict(slo) | {"source": str(Path(slo.source).relative_to(REPO))}
        for slo in slos
    ]

    check_golden(
        GOLDEN / f"{spec.stem}.model.json", json.dumps(model, indent=2, sort_keys=True) + "\n"
    )


@pytest.mark.parametrize("spec", INPUTS, ids=[p.stem for p in INPUTS])
def test_model_in_rules_out(spec: Path, tmp_path: Path) -> None:
    files = write_rules(
        load_slo_files([spec]), load_policy(DEFAULT_POLICY), tmp_path, "/etc/loadgate/pd-key"
    )

    for generated in (files.recording, files.alerts, files.tests, files.alertmanager):
        check_golden(GOLDEN / spec.stem / generated.name, generated.read_text())


def test_sloth_import_keeps_names_objectives_labels_and_alert_names() -> None:
    availability, latency = load_slo_files([REPO / "tests/testdata/slo/sloth.yaml"])

    assert availability.name == "myservice-requests-availability"
    assert availability.objective == pytest.approx(0.999)
    assert availability.time_window_s == 30 * 86400
    assert availability.labels == {"owner": "myteam", "tier": "2", "category": "availability"}
    assert availability.alert_name == "MyServiceHighErrorRate"
    assert availability.bad_query is not None and "{{.window}}" in availability.bad_query
    assert availability.total_is_rate
    assert latency.raw_query is not None and latency.raw_is_failure
