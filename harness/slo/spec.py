"""OpenSLO v1 documents ─► the SLO model, with every problem reported at once.

The subset read here: ``kind: SLO`` with an inline ``indicator`` holding a ``ratioMetric``
(good/total or bad/total) whose metric sources are Prometheus queries carrying ``{{window}}``;
``timeWindow``, ``budgetingMethod: Occurrences`` and one objective with ``target`` or
``targetPercent``. ``kind: Service`` documents are accepted and carry nothing the gate needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.durations import parse_duration
from harness.errors import InputError, Problem
from harness.slo.model import SLO, WINDOW_PLACEHOLDER
from harness.validation import MISSING, FieldReader
from harness.yamlfile import YamlDocument, load_yaml_documents

__all__ = ["load_slo_files", "parse_slo_document"]

API_VERSION = "openslo/v1"
KINDS = {"SLO", "Service"}
NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
RATIO_ALLOWED = "a ratio above 0 and below 1 (e.g. 0.999)"


def load_slo_files(paths: Iterable[Path]) -> tuple[SLO, ...]:
    """Every SLO in ``paths``; raises ``InputError`` listing all problems in all files."""
    slos: list[SLO] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            documents = load_yaml_documents(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if not documents:
            problems.append(
                Problem(str(path), "(file)", "holds no YAML document; expected OpenSLO v1")
            )
        for document in documents:
            slo, found = parse_slo_document(document)
            problems.extend(found)
            if slo is None:
                continue
            if slo.name in seen:
                problems.append(
                    Problem(
                        slo.source,
                        "metadata.name",
                        f"SLO name {slo.name!r} is already defined in {seen[slo.name]}; names must be unique",
                        document.line("metadata", "name"),
                    )
                )
            seen[slo.name] = slo.source
            slos.append(slo)
    if problems:
        raise InputError(problems)
    return tuple(slos)


def parse_slo_document(document: YamlDocument) -> tuple[SLO | None, list[Problem]]:
    """One document: an SLO (or None for other kinds) and the problems found in it."""
    reader = FieldReader(document)
    if not isinstance(document.data, dict):
        reader.problem((), "expected a mapping with apiVersion, kind, metadata and spec")
        return None, reader.problems
    version = reader.get(("apiVersion",))
    if version is not MISSING and version != API_VERSION:
        reader.problem(("apiVersion",), f"{version!r} is not supported; allowed: {API_VERSION}")
    kind = reader.get(("kind",))
    if kind is not MISSING and kind not in KINDS:
        reader.problem(("kind",), f"{kind!r} is not supported; allowed: {', '.join(sorted(KINDS))}")
    if kind != "SLO" or reader.problems:
        return None, reader.problems

    name = reader.typed(("metadata", "name"), str, "a DNS label such as home-availability")
    if name is not MISSING and not NAME.match(name):
        reader.problem(
            ("metadata", "name"),
            f"{name!r} is not allowed; allowed: lowercase "
            "letters, digits and '-', 1 to 63 characters",
        )
        name = MISSING
    reader.label = f"slo {name!r} → " if name is not MISSING else ""
    service = reader.typed(("spec", "service"), str, "the name of a service")
    window_s = _time_window(reader)
    objective = _objective(reader)
    queries = _ratio_queries(reader)
    budgeting = reader.get(("spec", "budgetingMethod"), "Occurrences")
    if budgeting != "Occurrences":
        reader.problem(
            ("spec", "budgetingMethod"), f"{budgeting!r} is not supported; allowed: Occurrences"
        )
    if reader.problems or MISSING in (name, service, objective, queries):
        return None, reader.problems
    good, bad, total = queries
    return (
        SLO(
            name=name,
            service=service,
            source=document.source,
            objective=objective,
            total_query=total,
            good_query=good,
            bad_query=bad,
            time_window_s=window_s if window_s is not MISSING else 28 * 86400,
            display_name=str(reader.get(("metadata", "displayName"), name)),
            description=str(reader.get(("spec", "description"), "")),
        ),
        reader.problems,
    )


def _objective(reader: FieldReader) -> Any:
    objectives = reader.typed(("spec", "objectives"), list, "a list with one objective")
    if objectives is MISSING:
        return MISSING
    if len(objectives) != 1:
        reader.problem(
            ("spec", "objectives"), f"has {len(objectives)} objectives; allowed: exactly one"
        )
        return MISSING
    path: tuple[str | int, ...] = ("spec", "objectives", 0)
    entry = objectives[0]
    if isinstance(entry, dict) and "targetPercent" in entry and "target" not in entry:
        percent = reader.typed(
            (*path, "targetPercent"), (int, float), "a percentage above 0 and below 100"
        )
        if percent is not MISSING and not 0 < percent < 100:
            reader.problem(
                (*path, "targetPercent"),
                f"{percent} is out of range; allowed: above 0 and below 100",
            )
            return MISSING
        return percent / 100 if percent is not MISSING else MISSING
    target = reader.typed((*path, "target"), (int, float), RATIO_ALLOWED)
    if target is not MISSING and not 0 < target < 1:
        reader.problem((*path, "target"), f"{target} is out of range; allowed: {RATIO_ALLOWED}")
        return MISSING
    return float(target) if target is not MISSING else MISSING


def _time_window(reader: FieldReader) -> Any:
    windows = reader.get(("spec", "timeWindow"), [])
    if not windows:
        return MISSING
    return reader.converted(("spec", "timeWindow", 0, "duration"), parse_duration)


def _ratio_queries(reader: FieldReader) -> Any:
    base: tuple[str | int, ...] = ("spec", "indicator", "spec", "ratioMetric")
    ratio = reader.get(base)
    if ratio is MISSING:
        return MISSING
    if not isinstance(ratio, dict):
        reader.problem(base, "expected a mapping with good or bad, and total")
        return MISSING
    reader.unknown_keys(base, {"counter", "good", "bad", "total", "rawType", "raw"})
    has_good, has_bad = "good" in ratio, "bad" in ratio
    if has_good == has_bad:
        reader.problem(base, "needs exactly one of good or bad, beside total")
        return MISSING
    good = _query(reader, (*base, "good")) if has_good else None
    bad = _query(reader, (*base, "bad")) if has_bad else None
    total = _query(reader, (*base, "total"))
    if MISSING in (good, bad, total):
        return MISSING
    return good, bad, total


def _query(reader: FieldReader, path: tuple[str | int, ...]) -> Any:
    source_type = reader.get((*path, "metricSource", "type"), "Prometheus")
    if source_type != "Prometheus":
        reader.problem(
            (*path, "metricSource", "type"),
            f"{source_type!r} is not supported; allowed: Prometheus",
        )
        return MISSING
    query_path = (*path, "metricSource", "spec", "query")
    query = reader.typed(query_path, str, "a PromQL query with a {{window}} placeholder")
    if query is MISSING:
        return MISSING
    if not WINDOW_PLACEHOLDER.search(query):
        reader.problem(
            query_path,
            "the query must contain the {{window}} placeholder, e.g. "
            "sum(increase(http_requests_total[{{window}}]))",
        )
        return MISSING
    return query.strip()
