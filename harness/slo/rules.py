"""SLOs ─► Prometheus rules: SLI recording rules per window, multi-window multi-burn-rate alerts,
and an ``absent()`` alert per SLI metric. Pure: the model in, rule documents (dicts) out.

Naming follows Sloth's conventions so dashboards built for Sloth work: ``slo:sli_error:ratio_rate<W>``.
"""

from __future__ import annotations

import re
from typing import TypedDict

from harness.slo.policy import BurnAlert, BurnPolicy, prom_duration
from harness.values.slo import SLO, render_query

__all__ = [
    "AlertGroup",
    "AlertRule",
    "RecordingRule",
    "RuleGroup",
    "absent_selector",
    "alert_name",
    "alert_rules",
    "recording_rules",
    "slo_labels",
]

# Prometheus rule files, as written: a group of rules, each a recording rule or an alert.
AlertRule = TypedDict(
    "AlertRule",
    {
        "alert": str,
        "expr": str,
        "for": str,
        "labels": dict[str, str],
        "annotations": dict[str, str],
    },
    total=False,
)


class RecordingRule(TypedDict):
    record: str
    expr: str
    labels: dict[str, str]


class RuleGroup(TypedDict):
    name: str
    rules: list[AlertRule] | list[RecordingRule]


class AlertGroup(TypedDict):
    name: str
    rules: list[AlertRule]


SLO_LABEL, SERVICE_LABEL = "loadgate_slo", "loadgate_service"
_SELECTOR_BEFORE_RANGE = re.compile(
    r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?\s*\[\s*\{\{\s*\.?window\s*\}\}\s*\]"
)


def slo_labels(slo: SLO) -> dict[str, str]:
    return {**slo.labels, SLO_LABEL: slo.name, SERVICE_LABEL: slo.service}


def error_ratio_expr(slo: SLO, window: str) -> str:
    """PromQL for the share of bad events over ``window``."""

    def fill(query: str) -> str:
        return render_query(query, window)

    if slo.raw_query is not None:
        raw = fill(slo.raw_query)
        return f"({raw})" if slo.raw_is_failure else f"1 - ({raw})"
    assert slo.total_query is not None
    if slo.bad_query is not None:
        return f"({fill(slo.bad_query)})\n/\n({fill(slo.total_query)})"
    assert slo.good_query is not None
    return f"1 - (\n  ({fill(slo.good_query)})\n  /\n  ({fill(slo.total_query)})\n)"


def recording_rules(slo: SLO, policy: BurnPolicy) -> RuleGroup:
    labels = slo_labels(slo)
    rules: list[RecordingRule] = [
        {
            "record": f"slo:sli_error:ratio_rate{prom_duration(w)}",
            "expr": error_ratio_expr(slo, prom_duration(w)),
            "labels": labels,
        }
        for w in policy.windows()
    ]
    rules.append(
        {"record": "slo:objective:ratio", "expr": f"vector({slo.objective:g})", "labels": labels}
    )
    rules.append(
        {
            "record": "slo:error_budget:ratio",
            "expr": f"vector(1 - {slo.objective:g})",
            "labels": labels,
        }
    )
    return {"name": f"loadgate-slo-sli-recordings-{slo.name}", "rules": rules}


def alert_name(slo: SLO, suffix: str) -> str:
    # An OpenSLO name may hold dots (checkout.availability): no alert name may.
    base = slo.alert_name or "".join(
        part.capitalize() for part in re.split(r"[-_.]", slo.name) if part
    )
    return f"{base}{suffix}"


def burn_condition(slo: SLO, alert: BurnAlert) -> str:
    matcher = f'{{{SLO_LABEL}="{slo.name}"}}'
    threshold = f"({alert.burn:g} * {1 - slo.objective:.10g})"
    long_w, short_w = prom_duration(alert.long_s), prom_duration(alert.short_s)
    return (
        f"(\n  slo:sli_error:ratio_rate{long_w}{matcher} > {threshold}\n"
        f"  and\n  slo:sli_error:ratio_rate{short_w}{matcher} > {threshold}\n)"
    )


def alert_rules(slo: SLO, policy: BurnPolicy) -> AlertGroup:
    rules: list[AlertRule] = []
    for severity in ("page", "ticket"):
        pairs = [a for a in policy.alerts if a.severity == severity]
        if not pairs:
            continue
        windows = ", ".join(
            f"{prom_duration(a.long_s)}/{prom_duration(a.short_s)} at {a.burn:.4g}×" for a in pairs
        )
        rules.append(
            {
                "alert": alert_name(slo, f"BurnRate{severity.capitalize()}"),
                "expr": "\nor\n".join(burn_condition(slo, a) for a in pairs),
                "labels": {"severity": severity, SLO_LABEL: slo.name, SERVICE_LABEL: slo.service},
                "annotations": {
                    "summary": f"SLO {slo.name} of {slo.service} is burning its error budget too fast",
                    "description": (
                        f"The error ratio of {slo.name} exceeds the burn-rate threshold in both windows of "
                        f"a pair ({windows}; objective {slo.objective:.4%})."
                    ),
                },
            }
        )
    selector = absent_selector(slo)
    if selector:
        rules.append(
            {
                "alert": alert_name(slo, "SLIMissing"),
                "expr": f"absent({selector})",
                "for": prom_duration(policy.absent_for_s),
                "labels": {"severity": "ticket", SLO_LABEL: slo.name, SERVICE_LABEL: slo.service},
                "annotations": {
                    "summary": f"The SLI of {slo.name} has no data",
                    "description": f"{selector} has no series: the SLO cannot be judged and burn alerts cannot fire.",
                },
            }
        )
    return {"name": f"loadgate-slo-alerts-{slo.name}", "rules": rules}


def absent_selector(slo: SLO) -> str | None:
    """The metric selector the SLI's total (or raw) query reads, e.g. ``http_requests_total{job="x"}``."""
    query = slo.total_query or slo.raw_query or ""
    match = _SELECTOR_BEFORE_RANGE.search(query)
    if match is None:
        return None
    return f"{match.group(1)}{match.group(2) or ''}"
