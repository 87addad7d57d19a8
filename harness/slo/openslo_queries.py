"""An OpenSLO indicator's queries ─► the SLO's queries, each reading the window it is given.

A ``ratioMetric`` gives good/bad over total, or a raw ratio (``rawType`` and ``raw``); a
``thresholdMetric`` gives a latency histogram's selector, turned into good and total queries.
Queries carry ``{{window}}``; one written without it, as OpenSLO's own examples are, is read
over the window by promql_window.py's rules (``counter: true`` decides for a bare counter) and
the SLO keeps a note of what was rewritten, for its detail in result.json and the terminal. A
ratio's two queries must be read alike: by one rule over one duration, both rates or both counts.
A raw ratio may name the query counting its events in a ``loadgate/events-query`` annotation
(OpenSLO allows no ``total`` beside ``raw``; annotations are its place for what a tool adds).
"""

from __future__ import annotations

from harness.fields import MISSING, FieldReader, Missing
from harness.slo.latency import histogram_queries, threshold_in_query
from harness.slo.openslo_index import OpenSLOIndex, unknown_reference
from harness.slo.promql_window import WINDOW, WindowRewrite, over_window, ratio_problem
from harness.values.slo import EVENTS_ANNOTATION, WINDOW_PLACEHOLDER, SLOQueries

__all__ = ["events_query", "metric_queries"]

Path_ = tuple[str | int, ...]


def metric_queries(
    reader: FieldReader, base: Path_, threshold: float | None, index: OpenSLOIndex
) -> SLOQueries | Missing:
    """The queries of the indicator spec at ``base`` (an SLI's ``spec``, or an inline one's)."""
    ratio, limit = (
        reader.get((*base, "ratioMetric"), None),
        reader.get((*base, "thresholdMetric"), None),
    )
    if (ratio is None) == (limit is None):
        reader.problem(base, "needs exactly one of ratioMetric or thresholdMetric")
        return MISSING
    notes: list[str] = []
    if limit is not None:
        if threshold is None:  # the objective's op or value is wrong: reported where it is
            return MISSING
        selector = _query(reader, (*base, "thresholdMetric"), index, notes, counter=False)
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
    counter = ratio.get("counter") is True
    if "raw" in ratio:
        raw_type = reader.get((*path, "rawType"), "success")
        if raw_type not in ("success", "failure"):
            reader.problem(
                (*path, "rawType"), f"{raw_type!r} is not allowed; allowed: success, failure"
            )
        raw = _query(reader, (*path, "raw"), index, notes, counter=None)
        if raw is MISSING:
            return MISSING
        return {"raw_query": raw, "raw_is_failure": raw_type == "failure", "rewritten": (*notes,)}
    if ("good" in ratio) == ("bad" in ratio):
        reader.problem(path, "needs exactly one of good or bad, beside total (or rawType and raw)")
        return MISSING
    role = "good" if "good" in ratio else "bad"
    rewrites: dict[str, WindowRewrite | None] = {}
    counted = _query(reader, (*path, role), index, notes, counter, rewrites)
    total_query = _query(reader, (*path, "total"), index, notes, counter, rewrites)
    if counted is MISSING or total_query is MISSING:
        return MISSING
    # Each query was rewritten alone: the two must have been read alike (promql_window.py).
    mixed = ratio_problem({role: counted, "total": total_query}, rewrites)
    if mixed is not None:
        reader.problem((*path, "total", "metricSource", "spec", "query"), mixed)
        return MISSING
    if role == "good":
        latency = threshold_in_query(counted)
        return {
            "good_query": counted,
            "total_query": total_query,
            "latency": latency,
            "rewritten": (*notes,),
        }
    return {
        "bad_query": counted,
        "total_query": total_query,
        "latency": None,
        "rewritten": (*notes,),
    }


def events_query(
    slo: FieldReader, indicator: FieldReader, base: Path_, queries: SLOQueries
) -> str | Missing | None:
    """A raw ratio's own event count: the annotation on its SLI (or inline indicator) or its SLO.

    loadgate's own field, so it is written for loadgate: it must carry ``{{window}}``."""
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
    query = reader.typed(path, str, "a PromQL query")
    if query is MISSING:
        return MISSING
    if not WINDOW_PLACEHOLDER.search(query):
        reader.problem(
            path,
            f"the query must contain the {WINDOW} placeholder, e.g. "
            f"sum(increase(http_requests_total[{WINDOW}]))",
        )
        return MISSING
    return query.strip()


def _query(
    reader: FieldReader,
    path: Path_,
    index: OpenSLOIndex,
    notes: list[str],
    counter: bool | None,
    rewrites: dict[str, WindowRewrite | None] | None = None,
) -> str | Missing:
    """The Prometheus query of the metric at ``path``; one without ``{{window}}`` rewritten to
    read the window (a note in ``notes`` says how; the rewrite, or None when none was needed, in
    ``rewrites`` under the metric's role), or refused. A thresholdMetric's histogram selector
    (``counter`` False) is taken as it is: latency.py builds its queries."""
    source = (*path, "metricSource")
    ref = reader.get((*source, "metricSourceRef"), None)
    if ref is not None and ref not in index.named["DataSource"]:
        reader.problem((*source, "metricSourceRef"), unknown_reference("DataSource", ref, index))
    # OpenSLO: without a type of its own, the metric's type is its DataSource's.
    data_source = index.named["DataSource"].get(ref) if isinstance(ref, str) else None
    inherited = FieldReader(data_source).get(("spec", "type"), None) if data_source else None
    source_type = reader.get((*source, "type"), inherited or "Prometheus")
    if source_type != "Prometheus":
        where = "" if reader.get((*source, "type"), None) else f" (the type of DataSource {ref!r})"
        reader.problem(
            (*source, "type"), f"{source_type!r}{where} is not supported; allowed: Prometheus"
        )
        return MISSING
    query_path = (*source, "spec", "query")
    query = reader.typed(query_path, str, "a PromQL query")
    if query is MISSING or path[-1] == "thresholdMetric" or WINDOW_PLACEHOLDER.search(query):
        if rewrites is not None:
            rewrites[str(path[-1])] = None
        return query if query is MISSING else query.strip()
    try:
        rewrite = over_window(query.strip(), counter)
    except ValueError as exc:
        reader.problem(query_path, f"{query.strip()!r} has no {WINDOW} placeholder, and {exc}")
        return MISSING
    notes.append(f"{path[-1]} query has no {WINDOW}: {rewrite.how}; evaluated as {rewrite.query}")
    if rewrites is not None:
        rewrites[str(path[-1])] = rewrite
    return rewrite.query
