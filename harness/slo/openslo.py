"""OpenSLO v1 documents ─► the SLO model.

Kinds read: ``SLO``, ``SLI``, ``Service``, ``DataSource``, ``AlertPolicy``, ``AlertCondition`` and
``AlertNotificationTarget``. Indicators are inline (``indicator``) or referenced (``indicatorRef``),
with a ``ratioMetric`` (good/bad over total, or a raw ratio) or a ``thresholdMetric`` over a latency
histogram (objective ``op: lte`` and ``value``: "the share of requests faster than value"; on a
ratio objective ``op`` and ``value`` are ignored, as the spec applies them to thresholds only).
Budgeting is by Occurrences over a rolling window. References resolve across all loaded files.
The indicator's queries are read by openslo_queries.py; every document, used or not, has been
checked against OpenSLO v1's rules by openslo_schema.py (the loader drops a problem reported
twice). What is read here is what loadgate adds to the spec: one objective, Occurrences only.
"""

from __future__ import annotations

from harness.durations import parse_slo_window
from harness.errors import Problem
from harness.fields import MISSING, FieldReader, Missing
from harness.slo.openslo_checks import shown
from harness.slo.openslo_index import OpenSLOIndex, filed_name, unknown_reference
from harness.slo.openslo_queries import events_query, metric_queries
from harness.values.slo import SLO
from harness.yamlfile import YamlDocument

__all__ = ["parse_slo"]

RATIO_ALLOWED = "a ratio above 0 and below 1 (e.g. 0.999)"
Path_ = tuple[str | int, ...]


def parse_slo(document: YamlDocument, index: OpenSLOIndex) -> tuple[SLO | None, list[Problem]]:
    """One ``kind: SLO`` document (already filed in ``index``) ─► an SLO, or the problems found."""
    name = filed_name(document)
    reader = FieldReader(document, f"slo {name!r} → ")
    service = reader.typed(("spec", "service"), str, "the name of a Service")
    if service is not MISSING and index.named["Service"] and service not in index.named["Service"]:
        reader.problem(("spec", "service"), unknown_reference("Service", service, index))
    window_s = _rolling_window(reader)
    budgeting = reader.get(("spec", "budgetingMethod"), "Occurrences")
    if budgeting != "Occurrences":
        reader.problem(
            ("spec", "budgetingMethod"), f"{budgeting!r} is not supported; allowed: Occurrences"
        )
    indicator_reader, base = _indicator(reader, index)
    objective, threshold = _objective(reader, _is_threshold_metric(indicator_reader, base))
    queries = (
        metric_queries(indicator_reader, base, threshold, index) if indicator_reader else MISSING
    )
    if indicator_reader is not None and queries is not MISSING:
        events = events_query(reader, indicator_reader, base, queries)
        queries = MISSING if events is MISSING else {**queries, "events_query": events}
    policies = _alert_policies(reader, index)
    problems = reader.problems + (
        indicator_reader.problems if indicator_reader is not reader and indicator_reader else []
    )
    if (
        problems
        or service is MISSING
        or objective is MISSING
        or queries is MISSING
        or window_s is MISSING
    ):
        return None, problems
    return SLO(
        name=name,
        service=service,
        source=document.source,
        line=document.line("metadata", "name"),
        objective=objective,
        time_window_s=window_s,
        display_name=str(reader.get(("metadata", "displayName"), name)),
        description=str(reader.get(("spec", "description"), "")),
        alert_policies=policies,
        **queries,
    ), []


def _indicator(reader: FieldReader, index: OpenSLOIndex) -> tuple[FieldReader | None, Path_]:
    """The reader and path holding the indicator's spec: inline in this SLO, or an SLI document."""
    inline, ref = (
        reader.get(("spec", "indicator"), None),
        reader.get(("spec", "indicatorRef"), None),
    )
    if (inline is None) == (ref is None):
        reader.problem(
            ("spec",), "needs exactly one of indicator (inline) or indicatorRef (an SLI's name)"
        )
        return None, ()
    if inline is not None:
        return reader, ("spec", "indicator", "spec")
    sli = index.named["SLI"].get(ref) if isinstance(ref, str) else None
    if sli is None:
        reader.problem(("spec", "indicatorRef"), unknown_reference("SLI", ref, index))
        return None, ()
    return FieldReader(sli, f"sli {ref!r} → "), ("spec",)


def _is_threshold_metric(indicator: FieldReader | None, base: Path_) -> bool:
    """Whether the indicator is a thresholdMetric. Peeks with a reader of its own: a spec of the
    wrong shape is reported once, when its metric is read."""
    if indicator is None:
        return False
    return FieldReader(indicator.document).get((*base, "thresholdMetric"), None) not in (
        None,
        MISSING,
    )


def _objective(reader: FieldReader, threshold_metric: bool) -> tuple[float | Missing, float | None]:
    """The objective's target, and for a thresholdMetric the latency its op and value name.

    OpenSLO gives op and value a meaning for threshold metrics only, and its examples write them
    on ratio objectives too: there they are ignored, neither read as a threshold nor refused."""
    objectives = reader.typed(("spec", "objectives"), list, "a list with one objective")
    if objectives is MISSING:
        return MISSING, None
    if len(objectives) != 1:
        reader.problem(
            ("spec", "objectives"), f"has {len(objectives)} objectives; allowed: exactly one"
        )
        return MISSING, None
    path: Path_ = ("spec", "objectives", 0)
    threshold = None
    if threshold_metric:
        threshold = _threshold(reader, path)
    if (
        reader.get((*path, "targetPercent"), None) is not None
        and reader.get((*path, "target"), None) is None
    ):
        percent = reader.typed(
            (*path, "targetPercent"), (int, float), "a percentage above 0 and below 100"
        )
        if percent is MISSING or not 0 < percent < 100:
            if percent is not MISSING:
                reader.problem(
                    (*path, "targetPercent"),
                    f"{percent} is out of range; allowed: above 0 and below 100",
                )
            return MISSING, threshold
        return round(percent / 100, 12), threshold  # 99.9 / 100 is 0.9990000000000001 in binary
    target = reader.typed((*path, "target"), (int, float), RATIO_ALLOWED)
    if target is not MISSING and not 0 < target < 1:
        reader.problem((*path, "target"), f"{target} is out of range; allowed: {RATIO_ALLOWED}")
        return MISSING, threshold
    return (float(target) if target is not MISSING else MISSING), threshold


def _threshold(reader: FieldReader, path: Path_) -> float | None:
    """A thresholdMetric's latency: its objective's ``value`` in seconds, under ``op`` lt or lte
    ("the share of requests faster than value"); None once a problem with them is recorded."""
    op = reader.get((*path, "op"), None)
    if op is None:
        reader.problem(
            (*path, "op"),
            "is required for a thresholdMetric; allowed: lt or lte, with value a latency in "
            "seconds (the SLI is the share of requests faster than value)",
        )
    elif op not in ("lt", "lte"):
        reader.problem(
            (*path, "op"), f"{op!r} is not allowed; allowed: lt, lte (requests faster than value)"
        )
    allowed = "a latency in seconds above 0, e.g. 0.25"
    if reader.get((*path, "value"), None) is None:
        reader.problem((*path, "value"), f"is required for a thresholdMetric; allowed: {allowed}")
        return None
    value = reader.typed((*path, "value"), (int, float), allowed)
    if value is MISSING:  # of the wrong type: reported, the value shown
        return None
    if value <= 0:
        reader.problem((*path, "value"), f"{value} is out of range; allowed: {allowed}")
        return None
    return float(value) if op in ("lt", "lte") else None


def _rolling_window(reader: FieldReader) -> float | Missing:
    windows = reader.get(("spec", "timeWindow"), None)
    if windows is None:
        return 28 * 86400.0
    if not isinstance(windows, list) or len(windows) != 1:
        what = (
            f"has {len(windows)} windows"
            if isinstance(windows, list)
            else f"{shown(windows)} is not allowed"
        )
        reader.problem(
            ("spec", "timeWindow"),
            f"{what}; allowed: a list with one rolling window, e.g. - duration: 28d",
        )
        return MISSING
    rolling_path = ("spec", "timeWindow", 0, "isRolling")
    rolling = reader.get(rolling_path, True)
    if rolling is not True:
        written = reader.document.text(*rolling_path) or shown(rolling)
        reader.problem(
            rolling_path,
            f"{written} is not supported: calendar windows are not; allowed: true (a rolling "
            "window)",
        )
    return reader.converted(("spec", "timeWindow", 0, "duration"), parse_slo_window)


def _alert_policies(reader: FieldReader, index: OpenSLOIndex) -> tuple[str, ...]:
    """The names of the SLO's alert policies: each a name, ``alertPolicyRef`` (naming a policy
    that must exist) or a policy inline, named by its metadata (openslo_schema.py checks it)."""
    names = []
    entries = reader.typed(("spec", "alertPolicies"), list, "a list of alert policies", [])
    for i, entry in enumerate(entries if entries is not MISSING else []):
        inline = isinstance(entry, dict) and entry.get("kind") == "AlertPolicy"
        metadata = entry.get("metadata") if isinstance(entry, dict) else None
        if inline:  # (a name missing is reported by openslo_schema.py)
            if isinstance(metadata, dict) and isinstance(metadata.get("name"), str):
                names.append(metadata["name"])
            continue
        ref = (
            entry
            if isinstance(entry, str)
            else entry.get("alertPolicyRef")
            if isinstance(entry, dict)
            else None
        )
        if not isinstance(ref, str) or ref not in index.named["AlertPolicy"]:
            reader.problem(
                ("spec", "alertPolicies", i), unknown_reference("AlertPolicy", ref, index)
            )
            continue
        names.append(ref)
    return tuple(names)
