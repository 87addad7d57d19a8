"""Baselines: what a later run is compared with — per-window samples of a good run, its SLIs and
the fingerprint of the scenario that produced it. Versioned JSON, small and git-friendly.

``loadgate baseline save reports/<run-id> --name main`` writes ``baselines/main.json``;
``loadgate run … --baseline main`` (or a path) compares against it. A baseline of another scenario,
or a file that is not a baseline, is an input error (exit 2) — never a silent pass.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Mapping
from pathlib import Path

from harness.errors import InputError, Problem
from harness.result_file import read_result
from harness.run_folder import RESULT_JSON, write_atomically
from harness.values.baseline import Baseline
from harness.values.plan import Plan
from harness.values.result_doc import FingerprintDoc
from harness.values.samples import PerWindow, is_number
from harness.values.status import Status

__all__ = [
    "BASELINE_DIR",
    "fingerprint",
    "load_baseline",
    "resolve_baseline",
    "save_baseline",
]

SCHEMA = 1
BASELINE_DIR = Path("baselines")


def fingerprint(plan: Plan) -> FingerprintDoc:
    """What must match for two runs to be comparable: the traffic — not the machine, and not the
    service (a changed service is exactly what the comparison is for)."""
    load = plan.load
    locustfile = hashlib.sha256(plan.locustfile.read_bytes()).hexdigest()[:16]
    traffic: FingerprintDoc = {
        "name": plan.name,
        "locustfile_sha256": locustfile,
        "model": "open" if load.arrivals else "closed",
        "users": load.users,
        "arrival_rate": load.arrivals.peak_rate if load.arrivals else None,
        # For the record, not enforced: CI machines differ, and that is what samples absorb.
        "environment": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    # Locust options change the traffic too (--tags picks tasks). Stated only when given, so
    # baselines saved before the options existed still match runs without them.
    if plan.locust_args:
        traffic["locust_args"] = list(plan.locust_args)
    # So do the locustfile's parameters (session lengths, think times); the seed does not: two
    # seeds draw two samples of the same traffic, which is what a baseline's windows absorb.
    if load.parameters is not None:
        traffic["parameters"] = json.loads(load.parameters)
    return traffic


def resolve_baseline(reference: str) -> Path:
    """A path to a file, or a name under ``baselines/``."""
    path = Path(reference)
    return path if path.suffix == ".json" or path.exists() else BASELINE_DIR / f"{reference}.json"


def load_baseline(reference: str, scenario: Mapping[str, object]) -> Baseline:
    path = resolve_baseline(reference)
    where = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError([Problem(where, "--baseline", f"cannot be read ({exc.strerror}); allowed: a baseline "
                                  "name under baselines/ or a path to one (loadgate baseline save)")]) from None  # fmt: skip
    except ValueError as exc:
        raise InputError([Problem(where, "(file)", f"is not JSON: {exc}")]) from None
    if (
        not isinstance(document, dict)
        or document.get("schema") != SCHEMA
        or "samples" not in document
    ):
        raise InputError(
            [Problem(where, "schema", f"is not a loadgate baseline of schema {SCHEMA}")]
        )
    theirs = {k: v for k, v in document.get("scenario", {}).items() if k != "environment"}
    ours = {k: v for k, v in scenario.items() if k != "environment"}
    differing = sorted(k for k in set(theirs) | set(ours) if theirs.get(k) != ours.get(k))
    if differing:
        detail = ", ".join(f"{k}: {theirs.get(k)!r} there, {ours.get(k)!r} here" for k in differing)
        raise InputError([Problem(where, "scenario", f"the baseline comes from a different scenario ({detail}); "
                                  "allowed: a baseline saved from a run of this scenario")])  # fmt: skip
    return Baseline(str(document.get("name", path.stem)), where, document["scenario"],
                    per_window(document["samples"], where), str(document.get("run_id", "")))  # fmt: skip


def per_window(samples: object, where: str) -> PerWindow:
    """A baseline's samples as the gate uses them: endpoint → metric → values, where anything but a
    finite number (null, NaN, text) is a window without a value. Another shape is an input error:
    the comparison, and the reports that copy the baseline, must not fail half-way."""

    def wrong(field: str, value: object, allowed: str) -> InputError:
        shown = json.dumps(value)
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        return InputError([Problem(where, field, f"is {shown}; allowed: {allowed}")])

    if not isinstance(samples, dict):
        raise wrong("samples", samples, "an object of endpoint → metric → list of numbers or null")
    result: PerWindow = {}
    for endpoint, metrics in samples.items():
        if not isinstance(metrics, dict):
            raise wrong(f"samples → {endpoint}", metrics, "an object of metric → list")
        for metric, values in metrics.items():
            if not isinstance(values, list):
                raise wrong(f"samples → {endpoint} → {metric}", values, "a list of numbers or null")
        result[str(endpoint)] = {
            str(metric): [float(v) if is_number(v) else None for v in values]
            for metric, values in metrics.items()
        }
    return result


def save_baseline(run_dir: Path, name: str, folder: Path = BASELINE_DIR) -> Path:
    """Make a baseline of a finished run (its result.json must hold samples and a fingerprint)."""
    result_path = run_dir / RESULT_JSON
    result = read_result(result_path)
    samples, traffic = result.get("samples"), result.get("fingerprint")
    if not samples or not traffic:
        raise InputError([Problem(str(result_path), "samples", "the run has no per-window samples to keep; "
                                  "allowed: a run whose load window lasted at least a few windows")])  # fmt: skip
    if result["verdict"] not in (Status.PASS, Status.WARN):
        raise InputError([Problem(str(result_path), "verdict", f"{result['verdict']!r}: a baseline must be a "
                                  "run that passed; allowed: pass, warn")])  # fmt: skip
    document = {
        "schema": SCHEMA,
        "name": name,
        "run_id": result["run"]["id"],
        "created_from": str(run_dir),
        "scenario": traffic,
        "samples": samples,
        "slos": [
            {"name": s["name"], "sli": s["sli"], "objective": s["objective"]}
            for s in result["slos"]
        ],
    }
    target = folder / f"{name}.json"
    write_atomically(target, json.dumps(document, indent=1, sort_keys=True) + "\n")
    return target
