"""OpenSLO v1's rules for every document, whether or not an SLO uses it.

An SLI no SLO names, an alert condition without a severity, a policy with nine conditions are
wrong files even if loadgate would never read the wrong part: another tool reading the same files
would stumble on them. Each kind's ``spec`` is checked for the fields the spec defines (an unknown
one is a typo or a field of another version, never silently skipped), the fields it requires, and
their shapes. Messages read like every loadgate message: ``alert condition 'fast' →
spec.severity: is required``.

In Python rather than checked with the published JSON Schema: that schema contradicts
the spec it publishes (it requires ``target`` on every objective, so ``targetPercent`` alone
fails; it requires ``counter`` and ``total`` on every ratio, so ``raw`` fails; its alert policy
requires a ``duration`` in each condition, which the spec does not have; it does not require an
alert notification target's ``target``), and jsonschema's errors for its ``oneOf`` branches name
no field a user wrote. The rules below are the README's (the specification), cross-checked with
the Go SDK's validation. Where they disagree the README decides: ``condition.op`` and
``alertAfter`` are optional (the README's examples omit them; the SDK requires ``op``), and a
``displayName`` may be longer than 63 characters (the README sets no limit).
"""

from __future__ import annotations

from harness.errors import Problem
from harness.fields import FieldReader
from harness.slo.openslo_alerting import (
    ALERTING_CHECKS,
    ALERTING_KEYS,
    OPERATORS,
    Check,
    ref_or_inline,
)
from harness.slo.openslo_checks import (
    a_list,
    check_description,
    check_metadata,
    check_name,
    check_shorthand,
    check_string,
    exactly_one,
    mapping,
    present,
    shown,
)
from harness.slo.openslo_index import filed_name
from harness.yamlfile import YamlDocument

__all__ = ["LABELS", "check_document"]

Path_ = tuple[str | int, ...]
# How messages name each kind's objects (``slo 'home' → …``), as openslo.py names SLOs and SLIs.
LABELS = {
    "SLO": "slo",
    "SLI": "sli",
    "Service": "service",
    "DataSource": "data source",
    "AlertPolicy": "alert policy",
    "AlertCondition": "alert condition",
    "AlertNotificationTarget": "alert notification target",
}
TOP_KEYS = {"apiVersion", "kind", "metadata", "spec"}


def check_document(document: YamlDocument, kind: str) -> list[Problem]:
    """Every problem of one OpenSLO document whose envelope (apiVersion, kind, name) the index
    accepted; an empty list when it follows the spec."""
    reader = FieldReader(document, f"{LABELS[kind]} {filed_name(document)!r} → ")
    reader.unknown_keys((), TOP_KEYS)
    check_metadata(reader, ("metadata",), name_checked=True)
    spec_required = kind != "Service"  # a Service's spec holds only its optional description
    if mapping(reader, ("spec",), SPEC_KEYS[kind], required=spec_required) is not None:
        CHECKS[kind](reader, ("spec",))
    return reader.problems


def _service(reader: FieldReader, spec: Path_) -> None:
    check_description(reader, (*spec, "description"))


def _data_source(reader: FieldReader, spec: Path_) -> None:
    check_description(reader, (*spec, "description"))
    check_string(reader, (*spec, "type"), True, "the source's type, e.g. Prometheus")
    present(reader, (*spec, "connectionDetails"), "how to reach the source, e.g. url: http://…")


def _sli(reader: FieldReader, spec: Path_) -> None:
    check_description(reader, (*spec, "description"))
    pair = ("ratioMetric", "thresholdMetric")
    metric = exactly_one(reader, spec, reader.get(spec), pair, "the SLI's metric")
    if metric == "thresholdMetric":
        _metric(reader, (*spec, "thresholdMetric"))
    elif metric == "ratioMetric":
        _ratio(reader, (*spec, "ratioMetric"))


def _ratio(reader: FieldReader, path: Path_) -> None:
    ratio = mapping(reader, path, {"counter", "good", "bad", "total", "rawType", "raw"})
    if ratio is None:
        return
    counter = ratio.get("counter")
    if counter is not None and not isinstance(counter, bool):
        reader.problem((*path, "counter"), f"{shown(counter)} is not allowed; allowed: true, false")
    kind = exactly_one(
        reader, path, ratio, ("total", "raw"), "good or bad over total, or a raw ratio"
    )
    if kind == "raw":
        extra = [key for key in ("good", "bad") if key in ratio]
        if extra:
            reader.problem(
                path, f"has raw and {' and '.join(extra)}; allowed: raw alone, with rawType"
            )
        raw_type = present(reader, (*path, "rawType"), "success or failure, what raw is a ratio of")
        if raw_type is not None and raw_type not in ("success", "failure"):
            reader.problem(
                (*path, "rawType"), f"{shown(raw_type)} is not allowed; allowed: success, failure"
            )
        _metric(reader, (*path, "raw"))
    elif kind == "total":
        if "rawType" in ratio:
            reader.problem(
                (*path, "rawType"), "is only for raw; allowed: no rawType beside good or bad"
            )
        counted = exactly_one(
            reader, path, ratio, ("good", "bad"), "the events counted against total"
        )
        for key in ("total", counted):
            if key is not None:
                _metric(reader, (*path, key))


def _metric(reader: FieldReader, path: Path_) -> None:
    """A metric: its ``metricSource``, with the source's own ``spec`` (a query, for Prometheus)."""
    if mapping(reader, path, {"metricSource"}) is None:
        return
    source = mapping(reader, (*path, "metricSource"), {"metricSourceRef", "type", "spec"})
    if source is None:
        return
    check_name(reader, (*path, "metricSource", "metricSourceRef"), required=False)
    check_string(reader, (*path, "metricSource", "type"), False, "a source type, e.g. Prometheus")
    if source.get("type") is None and source.get("metricSourceRef") is None:
        reader.problem(
            (*path, "metricSource"),
            "has neither type nor metricSourceRef; allowed: type (e.g. Prometheus), or "
            "metricSourceRef naming a DataSource whose type it takes",
        )
    query_spec = mapping(reader, (*path, "metricSource", "spec"), None)
    if query_spec == {}:
        reader.problem(
            (*path, "metricSource", "spec"),
            "{} is not allowed; allowed: the source's query, e.g. query: sum(up)",
        )


def _slo(reader: FieldReader, spec: Path_) -> None:
    check_description(reader, (*spec, "description"))
    # A Service's name in spirit, but the spec asks only for a string, and loadgate takes any:
    # it becomes a label value, where every character is allowed.
    check_string(reader, (*spec, "service"), True, "the name of the service the SLO is about")
    pair = ("indicator", "indicatorRef")
    which = exactly_one(reader, spec, reader.get(spec), pair, "the SLO's SLI")
    if which == "indicatorRef":
        check_name(reader, (*spec, "indicatorRef"))
    elif which == "indicator" and mapping(reader, (*spec, "indicator"), {"metadata", "spec"}):
        check_metadata(reader, (*spec, "indicator", "metadata"))
        if mapping(reader, (*spec, "indicator", "spec"), SPEC_KEYS["SLI"]) is not None:
            _sli(reader, (*spec, "indicator", "spec"))
    _time_window(reader, (*spec, "timeWindow"))
    method = present(reader, (*spec, "budgetingMethod"), ", ".join(BUDGETING))
    if method is not None and method not in BUDGETING:
        reader.problem(
            (*spec, "budgetingMethod"),
            f"{shown(method)} is not allowed; allowed: {', '.join(BUDGETING)}",
        )
    objectives = a_list(reader, (*spec, "objectives"), "a list of objectives", required=True)
    if objectives is not None:
        if not objectives:
            reader.problem((*spec, "objectives"), "has none; allowed: at least one objective")
        for i in range(len(objectives)):
            _objective(reader, (*spec, "objectives", i), method)
    policies = a_list(reader, (*spec, "alertPolicies"), "a list of alert policies", required=False)
    for i in range(len(policies or [])):
        ref_or_inline(reader, (*spec, "alertPolicies", i), "alertPolicyRef", "AlertPolicy")


BUDGETING = ("Occurrences", "Timeslices", "RatioTimeslices")
OBJECTIVE_KEYS = {
    "displayName",
    "op",
    "value",
    "target",
    "targetPercent",
    "timeSliceTarget",
    "timeSliceWindow",
}


def _time_window(reader: FieldReader, path: Path_) -> None:
    """Exactly one window; a calendar (startTime, timeZone) exactly when it is not rolling. The
    duration's own form is read by openslo.py, which also takes loadgate's forms (1d12h)."""
    windows = reader.get(path, None)
    if windows is None:
        return
    if not isinstance(windows, list) or len(windows) != 1:
        reader.problem(
            path, f"{shown(windows)} is not allowed; allowed: a list of exactly one window"
        )
        return
    window = mapping(reader, (*path, 0), {"duration", "isRolling", "calendar"})
    if window is None:
        return
    present(reader, (*path, 0, "duration"), "the window's length, e.g. 28d or 4w")
    rolling = window.get("isRolling")
    if rolling is not None and not isinstance(rolling, bool):
        reader.problem(
            (*path, 0, "isRolling"), f"{shown(rolling)} is not allowed; allowed: true, false"
        )
    if rolling is True and window.get("calendar") is not None:
        reader.problem(
            (*path, 0, "calendar"),
            "is set on a rolling window; allowed: no calendar when isRolling is true",
        )
    if rolling is False and window.get("calendar") is None:
        reader.problem(
            (*path, 0, "calendar"), "is required when isRolling is false (startTime and timeZone)"
        )
    if (
        mapping(reader, (*path, 0, "calendar"), {"startTime", "timeZone"}, required=False)
        is not None
    ):
        check_string(
            reader, (*path, 0, "calendar", "startTime"), True, "a time such as 2020-01-21 12:30:00"
        )
        check_string(
            reader,
            (*path, 0, "calendar", "timeZone"),
            True,
            "an IANA time zone such as America/New_York",
        )


def _objective(reader: FieldReader, path: Path_, method: object) -> None:
    objective = mapping(reader, path, OBJECTIVE_KEYS)
    if objective is None:
        return
    exactly_one(
        reader, path, objective, ("target", "targetPercent"), "the objective's share of good events"
    )
    op = objective.get("op")
    if op is not None and op not in OPERATORS:
        reader.problem(
            (*path, "op"), f"{shown(op)} is not allowed; allowed: {', '.join(OPERATORS)}"
        )
    for key in ("value", "timeSliceTarget"):
        number = objective.get(key)
        if number is not None and (isinstance(number, bool) or not isinstance(number, int | float)):
            reader.problem((*path, key), f"{shown(number)} is not allowed; allowed: a number")
    check_string(reader, (*path, "displayName"), False, "a non-empty text")
    window = objective.get("timeSliceWindow")
    if not isinstance(window, int | float) or isinstance(window, bool):
        check_shorthand(
            reader,
            (*path, "timeSliceWindow"),
            required=method == "Timeslices" or method == "RatioTimeslices",
        )
    if method == "Timeslices":
        present(reader, (*path, "timeSliceTarget"), "the share of good time slices, e.g. 0.95")


SPEC_KEYS = {
    "SLO": {
        "description",
        "service",
        "indicator",
        "indicatorRef",
        "timeWindow",
        "budgetingMethod",
        "objectives",
        "alertPolicies",
    },
    "SLI": {"description", "thresholdMetric", "ratioMetric"},
    "Service": {"description"},
    "DataSource": {"description", "type", "connectionDetails"},
    **ALERTING_KEYS,
}
CHECKS: dict[str, Check] = {
    "SLO": _slo,
    "SLI": _sli,
    "Service": _service,
    "DataSource": _data_source,
    **ALERTING_CHECKS,
}
