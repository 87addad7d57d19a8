"""A run as the history keeps it: its ``HistoryRun``, read from its result.json document.

Per endpoint, and for every request together (``all``, from ``client.total``), the whole run's
client numbers over the load window: p50, p95 and p99 (ms), the error ratio (failures ÷ requests)
and the throughput (requests ÷ the window's seconds). Per SLO (``slo:<name>``) its SLI and burn
rate. A number the run did not measure (no client results, no window, an SLO without data, an
endpoint without requests) is left out, never written as zero. In a duet the numbers are the
candidate's, as result.json's own are.

The traffic's fingerprint is kept as a digest: the SHA-256 of its canonical JSON (sorted keys, no
spaces), without ``environment`` — which, as for baselines, is for the record and never compared
— cut to 16 hex digits. Runs with one digest had the same traffic, so their numbers form a series.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import PurePath

from harness.values.criteria import ALL_ENDPOINTS
from harness.values.history import ENDPOINT_METRICS, SLO_PREFIX, HistoryRun, SeriesKey
from harness.values.run_result import PERCENTILE_KEYS
from harness.values.samples import endpoint_key

__all__ = ["FINGERPRINT_HEX", "fingerprint_digest", "history_run"]

FINGERPRINT_HEX = 16
# The history's percentiles (p50, p95, p99), as the result names them.
PERCENTILES = tuple(metric for metric in ENDPOINT_METRICS if metric in PERCENTILE_KEYS)
NOT_COMPARED = ("environment",)  # the fingerprint's fields that do not make traffic differ


def history_run(result: Mapping[str, object], run_dir: str | None) -> HistoryRun:
    """The run's summary for the history. ``result`` is a result.json document (checked by
    ``read_result`` when read from a file); ``run_dir`` is where its reports are."""
    run = _mapping(result.get("run"))
    run_id, started_at, verdict = run.get("id"), run.get("started_at"), result.get("verdict")
    if not (isinstance(run_id, str) and isinstance(started_at, str) and isinstance(verdict, str)):
        raise ValueError("not a result document: run.id, run.started_at and verdict are required")
    provenance = _mapping(result.get("provenance"))
    return HistoryRun(
        run_id=run_id,
        started_at=started_at,
        scenario=_scenario_name(result, run),
        fingerprint=fingerprint_digest(result.get("fingerprint")),
        verdict=verdict,
        mode=_mode(result),
        commit=_text(provenance.get("commit")),
        branch=_text(provenance.get("branch")),
        ci_url=_text(provenance.get("ci_url")),
        run_dir=run_dir,
        values={**_client_values(result, run), **_slo_values(result)},
    )


def fingerprint_digest(fingerprint: object) -> str:
    """The digest of a result's ``fingerprint``; ``""`` for a result without one."""
    if not isinstance(fingerprint, Mapping):
        return ""
    compared = {key: value for key, value in fingerprint.items() if key not in NOT_COMPARED}
    canonical = json.dumps(compared, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:FINGERPRINT_HEX]


def _client_values(
    result: Mapping[str, object], run: Mapping[str, object]
) -> dict[SeriesKey, float]:
    client = _mapping(result.get("client"))
    seconds = _mapping(run.get("load_window")).get("seconds")
    endpoints = client.get("endpoints")
    subjects = [(ALL_ENDPOINTS, _mapping(client.get("total")))] if client.get("total") else []
    for endpoint in endpoints if isinstance(endpoints, list) else []:
        endpoint = _mapping(endpoint)
        method, name = endpoint.get("method"), endpoint.get("name")
        if isinstance(method, str) and isinstance(name, str):
            subjects.append((endpoint_key(method, name), endpoint))
    values: dict[SeriesKey, float] = {}
    for subject, numbers in subjects:
        for metric in PERCENTILES:
            _put(values, subject, metric, numbers.get(metric))
        requests = _number(numbers.get("requests"))
        if requests:  # an endpoint without requests has no error ratio, and no throughput to say
            _put(values, subject, "error_ratio", _ratio(numbers.get("failures"), requests))
            _put(values, subject, "throughput", _ratio(requests, seconds))
    return values


def _slo_values(result: Mapping[str, object]) -> dict[SeriesKey, float]:
    values: dict[SeriesKey, float] = {}
    slos = result.get("slos")
    for slo in slos if isinstance(slos, list) else []:
        slo = _mapping(slo)
        name = slo.get("name")
        if isinstance(name, str):
            for metric in ("sli", "burn_rate"):
                _put(values, f"{SLO_PREFIX}{name}", metric, slo.get(metric))
    return values


def _put(values: dict[SeriesKey, float], subject: str, metric: str, value: object) -> None:
    number = _number(value)
    if number is not None:
        values[SeriesKey(subject, metric)] = number


def _ratio(numerator: object, denominator: object) -> float | None:
    top, bottom = _number(numerator), _number(denominator)
    return top / bottom if top is not None and bottom else None


def _number(value: object) -> float | None:
    """A finite number as a float; anything else (null, NaN, text, a bool) is not measured."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _scenario_name(result: Mapping[str, object], run: Mapping[str, object]) -> str:
    """The plan's name (the fingerprint's, which is the scenario's ``name`` or its file's stem);
    for a result without a fingerprint, the stem of ``run.scenario``."""
    name = _mapping(result.get("fingerprint")).get("name")
    if isinstance(name, str) and name:
        return name
    scenario = str(run.get("scenario") or "")
    path = PurePath(scenario)
    return path.stem if path.suffix in (".yaml", ".yml") else scenario


def _mode(result: Mapping[str, object]) -> str:
    mode = result.get("mode")
    if isinstance(mode, str):
        return mode
    # Results written before `mode` existed were alone or against a saved baseline.
    return "baseline" if result.get("baseline") else "single"


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
