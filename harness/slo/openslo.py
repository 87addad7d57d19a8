"""OpenSLO v1 documents ─► the SLO model.

Kinds read: ``SLO``, ``SLI``, ``Service``, ``DataSource``, ``AlertPolicy``, ``AlertCondition`` and
``AlertNotificationTarget``. Indicators are inline (``indicator``) or referenced (``indicatorRef``),
with a ``ratioMetric`` (good/bad over total, or a raw ratio) or a ``thresholdMetric`` over a latency
histogram (objective ``op: lte`` and ``value``: "the share of requests faster than value"; on a
ratio objective ``op`` and ``value`` are ignored, as the spec applies them to thresholds only).
Budgeting is by Occurrences over a rolling window. References resolve across all loaded files.
A raw ratio may name the query counting its events in a ``loadgate/events-query`` annotation (the
spec allows no ``total`` beside ``raw``; annotations are its place for what a tool adds).
"""

from __future__ import annotations

from harness.durations import parse_slo_window
from harness.errors import Problem
from harness.fields import MISSING, FieldReader, Missing
from harness.slo.latency import histogram_queries, threshold_in_query
from harness.slo.openslo_index import OpenSLOIndex, filed_name, unknown_reference
from harness.values.slo import EVENTS_ANNOTATION, SLO, WINDOW_PLACEHOLDER, SLOQueries
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
        _metric_queries(indicator_reader, base, threshold, index) if indicator_reader else MISSING
    )
    if indicator_reader is not None and queries is not MISSING:
        events = _events_query(reader, indicator_reader, base, queries)
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


def _metric_queries(
    reader: FieldReader, base: Path_, threshold: float | None, index: OpenSLOIndex
) -> SLOQueries | Missing:
    ratio, limit = (
        reader.get((*base, "ratioMetric"), None),
        reader.get((*base, "thresholdMetric"), None),
    )
    if (ratio is None) == (limit is None):
        reader.problem(base, "needs exactly one of ratioMetric or thresholdMetric")
        return MISSING
    if limit is not None:
        if threshold is None:
            reader.problem(
                base, "a thresholdMetric needs an objective with op (lt or lte) and value"
            )
            return MISSING
        selector = _query(reader, (*base, "thresholdMetric"), index, needs_window=False)
        built = histogram_queries(selector, threshold) if selector is not MISSING else None
        if built is None:
            if selector is not MISSING:
                reader.problem(
                    (*base, "thresholdMetric"),
                    f"{selector!r} is not allowed; allowed: a "
                    'histogram selector such as http_server_request_duration_seconds{route="/"}',
                )
            return MISSING
        good, total, histogram = built
        return {"good_query": good, "total_query": total, "latency": histogram}
    path = (*base, "ratioMetric")
    reader.unknown_keys(path, {"counter", "good", "bad", "total", "rawType", "raw"})
    ratio = ratio if isinstance(ratio, dict) else {}  # not a mapping: needs good or bad, below
    if "raw" in ratio:
        raw_type = reader.get((*path, "rawType"), "success")
        if raw_type not in ("success", "failure"):
            reader.problem(
                (*path, "rawType"), f"{raw_type!r} is not allowed; allowed: success, failure"
            )
        raw = _query(reader, (*path, "raw"), index)
        if raw is MISSING:
            return MISSING
        return {"raw_query": raw, "raw_is_failure": raw_type == "failure"}
    if ("good" in ratio) == ("bad" in ratio):
        reader.problem(path, "needs exactly one of good or bad, beside total (or rawType and raw)")
        return MISSING
    role = "good" if "good" in ratio else "bad"
    counted = _query(reader, (*path, role), index)
    total_query = _query(reader, (*path, "total"), index)
    if counted is MISSING or total_query is MISSING:
        return MISSING
    if role == "good":
        latency = threshold_in_query(counted)
        return {"good_query": counted, "total_query": total_query, "latency": latency}
    return {"bad_query": counted, "total_query": total_query, "latency": None}


def _events_query(
    slo: FieldReader, indicator: FieldReader, base: Path_, queries: SLOQueries
) -> str | Missing | None:
    """A raw ratio's own event count: the annotation on its SLI (or inline indicator) or its SLO."""
    annotation = ("metadata", "annotations", EVENTS_ANNOTATION)
    given = [
        (reader, path)
        for reader, path in ((indicator, (*base[:-1], *annotation)), (slo, annotation))
        if reader.get(path, None) not in (None, MISSING)  # MISSING: not a mapping, reported
    ]
    if not given:
        return None
    reader, path = given[0]
    if len(given) > 1:
        slo.problem(annotation, "is also given on the SLI; allowed: one of the two")
        return MISSING
    if "raw_query" not in queries:
        reader.problem(
            path,
            "only a raw ratio (rawType and raw) takes it; allowed: no annotation, the total "
            "query already counts the events",
        )
        return MISSING
    return _query_text(reader, path)


def _query(
    reader: FieldReader, path: Path_, index: OpenSLOIndex, needs_window: bool = True
) -> str | Missing:
    ref = reader.get((*path, "metricSource", "metricSourceRef"), None)
    if ref is not None and ref not in index.named["DataSource"]:
        reader.problem(
            (*path, "metricSource", "metricSourceRef"), unknown_reference("DataSource", ref, index)
        )
    source_type = reader.get((*path, "metricSource", "type"), "Prometheus")
    if source_type != "Prometheus":
        reader.problem(
            (*path, "metricSource", "type"),
            f"{source_type!r} is not supported; allowed: Prometheus",
        )
        return MISSING
    return _query_text(reader, (*path, "metricSource", "spec", "query"), needs_window)


def _query_text(reader: FieldReader, path: Path_, needs_window: bool = True) -> str | Missing:
    query = reader.typed(path, str, "a PromQL query")
    if query is MISSING:
        return MISSING
    if needs_window and not WINDOW_PLACEHOLDER.search(query):
        reader.problem(
            path,
            "the query must contain the {{window}} placeholder, e.g. "
            "sum(increase(http_requests_total[{{window}}]))",
        )
        return MISSING
    return query.strip()


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
    if threshold_metric and reader.get((*path, "op"), None) is not None:
        op = reader.get((*path, "op"))
        if op not in ("lt", "lte"):
            reader.problem(
                (*path, "op"),
                f"{op!r} is not allowed; allowed: lt, lte (requests faster than value)",
            )
        value = reader.typed((*path, "value"), (int, float), "a latency in seconds, e.g. 0.25")
        threshold = float(value) if value is not MISSING and value > 0 else None
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


def _rolling_window(reader: FieldReader) -> float | Missing:
    windows = reader.get(("spec", "timeWindow"), None)
    if windows is None:
        return 28 * 86400.0
    if not isinstance(windows, list) or len(windows) != 1:
        reader.problem(
            ("spec", "timeWindow"), "allowed: a list with one rolling window, e.g. - duration: 28d"
        )
        return MISSING
    if reader.get(("spec", "timeWindow", 0, "isRolling"), True) is not True:
        reader.problem(
            ("spec", "timeWindow", 0, "isRolling"),
            "calendar windows are not supported; allowed: true",
        )
    return reader.converted(("spec", "timeWindow", 0, "duration"), parse_slo_window)


def _alert_policies(reader: FieldReader, index: OpenSLOIndex) -> tuple[str, ...]:
    names = []
    entries = reader.typed(("spec", "alertPolicies"), list, "a list of alert policies", [])
    for i, entry in enumerate(entries if entries is not MISSING else []):
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
