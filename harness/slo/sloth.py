"""Sloth ``prometheus/v1`` specs ─► the SLO model, so teams bring the SLOs they already have.

Sloth SLIs are ``events`` (``error_query`` over ``total_query``) or ``raw`` (``error_ratio_query``),
with ``{{.window}}`` placeholders; objectives are percentages; the SLO window is 30 days unless the
spec says otherwise. An SLO is named ``<service>-<name>``, as Sloth names its SLO ids.
"""

from __future__ import annotations

import re

from harness.durations import parse_duration
from harness.errors import Problem
from harness.fields import MISSING, FieldReader
from harness.slo.sloth_alerting import read_alerting, read_labels
from harness.values.slo import SLO, WINDOW_PLACEHOLDER, SLOQueries
from harness.yamlfile import YamlDocument

__all__ = ["SLOTH_VERSION", "parse_sloth"]

SLOTH_VERSION = "prometheus/v1"
NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9_]*$")
SPEC_KEYS = {"version", "service", "labels", "slo_period", "slo_plugins", "slos"}
SLO_KEYS = {"name", "objective", "description", "sli", "alerting", "labels", "plugins"}
# Sloth's SLO plugins rewrite the rules Sloth generates; loadgate does not run them, so rules made
# without them would silently differ from Sloth's. Refused, never dropped.
PLUGINS_REFUSED = (
    "is not supported: loadgate does not run Sloth's SLO plugins, and rules generated without "
    "them would differ from Sloth's; allowed: no {field} (generate these SLOs with Sloth, or "
    "write what the plugins do into the queries)"
)


def parse_sloth(document: YamlDocument) -> tuple[list[SLO], list[Problem]]:
    reader = FieldReader(document)
    version = reader.get(("version",))
    if version is not MISSING and version != SLOTH_VERSION:
        reader.problem(("version",), f"{version!r} is not supported; allowed: {SLOTH_VERSION}")
    service = reader.typed(("service",), str, "a service name")
    reader.unknown_keys((), SPEC_KEYS)
    _refuse_plugins(reader, ("slo_plugins",))
    labels = read_labels(reader, ("labels",))
    window_s = (
        reader.converted(("slo_period",), parse_duration, "30d")
        if reader.get(("slo_period",), None) is not None
        else 30 * 86400.0
    )
    entries = reader.typed(("slos",), list, "a list of SLOs")
    if (
        reader.problems
        or entries is MISSING
        or service is MISSING
        or window_s is MISSING
        or labels is MISSING
    ):
        return [], reader.problems
    slos = []
    for i in range(len(entries)):
        name = reader.typed(("slos", i, "name"), str, "a name such as requests-availability")
        if name is not MISSING and not NAME.match(name):
            reader.problem(
                ("slos", i, "name"),
                f"{name!r} is not allowed; allowed: letters, digits, '-' and '_'",
            )
            continue
        if name is MISSING:
            continue
        slo = _parse_one(reader, i, name, service, window_s, labels)
        if slo is not None:
            slos.append(slo)
    return slos, reader.problems


def _parse_one(
    reader: FieldReader,
    i: int,
    name: str,
    service: str,
    window_s: float,
    labels: dict[str, str],
) -> SLO | None:
    before = len(reader.problems)
    slo_name = f"{service}-{name}"
    reader.label = f"slo {slo_name!r} → "
    reader.unknown_keys(("slos", i), SLO_KEYS)
    _refuse_plugins(reader, ("slos", i, "plugins"))
    objective = reader.typed(
        ("slos", i, "objective"), (int, float), "a percentage above 0 and below 100"
    )
    if objective is not MISSING and not 0 < objective < 100:
        reader.problem(
            ("slos", i, "objective"), f"{objective} is out of range; allowed: above 0 and below 100"
        )
    events, raw = (
        reader.get(("slos", i, "sli", "events"), None),
        reader.get(("slos", i, "sli", "raw"), None),
    )
    queries: SLOQueries = {}
    # A field Sloth does not know would be a typo, silently unused (plugin: refused below).
    reader.unknown_keys(("slos", i, "sli"), {"events", "raw", "plugin"})
    reader.unknown_keys(("slos", i, "sli", "events"), {"error_query", "total_query"})
    reader.unknown_keys(("slos", i, "sli", "raw"), {"error_ratio_query"})
    if (events is None) == (raw is None):
        reader.problem(
            ("slos", i, "sli"), "needs exactly one of events or raw (plugins are not supported)"
        )
    elif events is not None:
        queries["bad_query"] = _query(reader, ("slos", i, "sli", "events", "error_query"))
        queries["total_query"] = _query(reader, ("slos", i, "sli", "events", "total_query"))
    else:
        queries["raw_query"] = _query(reader, ("slos", i, "sli", "raw", "error_ratio_query"))
        queries["raw_is_failure"] = True
    alerting = read_alerting(reader, ("slos", i, "alerting"))
    own_labels = read_labels(reader, ("slos", i, "labels"))
    reader.label = ""
    if (
        len(reader.problems) > before
        or objective is MISSING
        or own_labels is MISSING
        or alerting is MISSING
    ):
        return None
    alert_name, page_alert, ticket_alert = alerting
    return SLO(
        name=slo_name,
        service=service,
        source=reader.document.source,
        line=reader.document.line("slos", i, "name"),
        objective=round(objective / 100, 12),
        time_window_s=window_s,
        display_name=slo_name,
        description=str(reader.get(("slos", i, "description"), "")),
        labels={**labels, **own_labels},
        alert_name=alert_name,
        page_alert=page_alert,
        ticket_alert=ticket_alert,
        name_in_service=name,
        spec=SLOTH_VERSION,
        **queries,
    )


def _refuse_plugins(reader: FieldReader, path: tuple[str | int, ...]) -> None:
    """A plugin chain is an input error naming its plugins (``chain[].id``)."""
    given = reader.get(path, None)
    if given is None or given is MISSING:
        return
    chain = given.get("chain") if isinstance(given, dict) else None
    ids = (
        [p["id"] for p in chain if isinstance(p, dict) and "id" in p]
        if isinstance(chain, list)
        else []
    )
    what = f"the plugin chain {', '.join(map(str, ids))} " if ids else f"{given!r} "
    reader.problem(path, what + PLUGINS_REFUSED.format(field=path[-1]))


def _query(reader: FieldReader, path: tuple[str | int, ...]) -> str | None:
    """The query, stripped; ``None`` once a problem with it is recorded (the SLO is not built)."""
    query = reader.typed(path, str, "a PromQL query with {{.window}}")
    if query is MISSING:
        return None
    if not WINDOW_PLACEHOLDER.search(query):
        reader.problem(path, "the query must contain the {{.window}} placeholder")
        return None
    return query.strip()
