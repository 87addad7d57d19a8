"""SLOs ─► Prometheus rules: SLI recording rules per window, multi-window multi-burn-rate alerts,
and an ``absent()`` alert per SLI metric. Pure: the model in, rule documents (dicts) out.

The rules are the ones Sloth generates for the same SLO — names, labels, expressions — so Sloth's
dashboards and tools work on them; loadgate adds its own beside them (``sloth_conventions``).
"""

from __future__ import annotations

import re
from typing import TypedDict

from harness.slo.policy import BurnAlert, BurnPolicy
from harness.slo.sloth_conventions import (
    LOADGATE_LABELS,
    SEVERITY_LABEL,
    WINDOW_LABEL,
    go_float,
    id_labels,
    label_filter,
    objective_percent,
    sli_error_record,
    sloth_id,
    window_name,
)
from harness.values.slo import SLO, AlertSettings, render_query
from harness.values.soak_doc import AlertSeverity

__all__ = [
    "AlertGroup",
    "AlertRule",
    "RecordingRule",
    "RuleGroup",
    "absent_selector",
    "alert_name",
    "alert_rules",
    "burn_alert_name",
    "error_ratio_expr",
    "period_source_window",
    "recording_rules",
    "sli_labels",
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
    rules: list[RecordingRule]


class AlertGroup(TypedDict):
    name: str
    rules: list[AlertRule]


SEVERITIES: tuple[AlertSeverity, ...] = ("page", "ticket")
SLO_LABEL, SERVICE_LABEL = LOADGATE_LABELS
_SELECTOR_BEFORE_RANGE = re.compile(
    r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?\s*\[\s*\{\{\s*\.?window\s*\}\}\s*\]"
)


def slo_labels(slo: SLO) -> dict[str, str]:
    """Every rule's labels, sorted as Sloth writes them: its three ids, the spec's labels, and
    loadgate's two (which the generated Alertmanager config reads)."""
    labels = {**id_labels(slo), **slo.labels, SLO_LABEL: slo.name, SERVICE_LABEL: slo.service}
    return dict(sorted(labels.items()))


def sli_labels(slo: SLO, window_s: float) -> dict[str, str]:
    """The labels of the SLI recorded over one window: ``sloth_window`` names the window."""
    return dict(sorted({**slo_labels(slo), WINDOW_LABEL: window_name(window_s)}.items()))


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


def period_source_window(policy: BurnPolicy) -> float:
    """The window Sloth derives the whole-period SLI and the current burn rate from: the short
    window of the fastest page alert (5m), else the shortest window the policy reads."""
    pages = [a for a in policy.alerts if a.severity == "page"]
    return pages[0].short_s if pages else min(policy.windows())


def recording_rules(slo: SLO, policy: BurnPolicy) -> RuleGroup:
    """The SLI over every window the alerts read, and over the SLO's whole window."""
    rules: list[RecordingRule] = [
        {
            "record": sli_error_record(w),
            "expr": error_ratio_expr(slo, window_name(w)),
            "labels": sli_labels(slo, w),
        }
        for w in policy.windows()
    ]
    period = window_name(slo.time_window_s)
    if all(rule["record"] != sli_error_record(slo.time_window_s) for rule in rules):
        # Averaged from the short window's samples, as Sloth does: a 30-day range over the raw
        # counters would cost Prometheus far more.
        source = sli_error_record(period_source_window(policy))
        selector = f"{source}{label_filter(id_labels(slo))}[{period}]"
        rules.append(
            {
                "record": sli_error_record(slo.time_window_s),
                "expr": f"sum_over_time({selector})\n/ ignoring ({WINDOW_LABEL})\n"
                f"count_over_time({selector})",
                # Sloth writes sloth_window alone (the rest is inherited); the ids, same values,
                # keep promtool's duplicate-rules lint quiet on files of several SLOs.
                "labels": {**id_labels(slo), WINDOW_LABEL: period},
            }
        )
    return {"name": f"sloth-slo-sli-recordings-{sloth_id(slo)}", "rules": rules}


def burn_alert_name(slo: SLO, severity: AlertSeverity) -> str:
    """Sloth names both burn alerts ``alerting.name`` (``sloth_severity`` tells them apart);
    without one, loadgate's names: ``<Name>BurnRatePage`` and ``<Name>BurnRateTicket``."""
    return slo.alert_name or alert_name(slo, f"BurnRate{severity.capitalize()}")


def alert_name(slo: SLO, suffix: str) -> str:
    """``<Name><suffix>``: a Sloth spec's ``alerting.name`` (checked to be a metric name), or the
    SLO's name in CamelCase. An OpenSLO name may hold dots (checkout.availability) and start with
    a digit (2fa-login), and no alert name may: the parts are joined, and a leading digit gets the
    prefix ``SLO`` (``SLO2faLoginBurnRatePage``) — refusing would refuse a name OpenSLO allows."""
    base = slo.alert_name or "".join(
        part.capitalize() for part in re.split(r"[-_.]", slo.name) if part
    )
    if not slo.alert_name and base[:1].isdigit():
        base = f"SLO{base}"
    return f"{base}{suffix}"


def burn_condition(slo: SLO, alert: BurnAlert) -> str:
    """One pair: both windows above ``burn × budget``, written as Sloth writes it (short first)."""
    budget = go_float((100 - objective_percent(slo)) / 100)  # Sloth's float: 0.000999…9432
    where = label_filter(id_labels(slo))
    short, long = sli_error_record(alert.short_s), sli_error_record(alert.long_s)
    threshold = f"({go_float(alert.burn)} * {budget})"
    return (
        f"(\n    ({short}{where} > {threshold})\n"
        f"    and ignoring ({WINDOW_LABEL})\n"
        f"    ({long}{where} > {threshold})\n)"
    )


def settings(slo: SLO, severity: AlertSeverity) -> AlertSettings:
    return slo.page_alert if severity == "page" else slo.ticket_alert


def alert_rules(slo: SLO, policy: BurnPolicy) -> AlertGroup:
    rules = [
        _burn_rule(slo, severity, pairs)
        for severity in SEVERITIES
        if not settings(slo, severity).disabled
        and (pairs := [a for a in policy.alerts if a.severity == severity])
    ]
    absent = _absent_rule(slo, policy)
    if rules and absent:  # it guards the burn alerts: with none, there is nothing to guard
        rules.append(absent)
    return {"name": f"sloth-slo-alerts-{sloth_id(slo)}", "rules": rules}


def _burn_rule(slo: SLO, severity: AlertSeverity, pairs: list[BurnAlert]) -> AlertRule:
    windows = ", ".join(
        f"{window_name(a.long_s)}/{window_name(a.short_s)} at {a.burn:.4g}×" for a in pairs
    )
    # Sloth's labels and annotations first, the file's over them (Sloth merges in that order).
    # ``severity`` is loadgate's: Sloth sets none, so a spec's own severity wins. An empty
    # ``sloth_window`` drops the label the alert would inherit from whichever pair fires (in
    # Sloth's alerts it is that pair's short window): an alert whose pair hands over to another
    # would change identity, and fire (and page) again in the middle of one incident.
    defaults = {"severity": severity, SEVERITY_LABEL: severity, WINDOW_LABEL: ""}
    annotations = {
        "title": f"({severity}) {{{{$labels.sloth_service}}}} {{{{$labels.sloth_slo}}}} SLO error "
        "budget burn rate is too fast.",
        "summary": "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate "
        "is over expected.",
        "description": f"The error ratio of {slo.name} exceeds the burn-rate threshold in both "
        f"windows of a pair ({windows}; objective {slo.objective:.4%}).",
    }
    own = settings(slo, severity)
    return {
        "alert": burn_alert_name(slo, severity),
        "expr": "\nor ignoring (sloth_window)\n".join(burn_condition(slo, a) for a in pairs),
        "labels": dict(sorted({**defaults, **own.labels}.items())),
        "annotations": dict(sorted({**annotations, **own.annotations}.items())),
    }


def _absent_rule(slo: SLO, policy: BurnPolicy) -> AlertRule | None:
    selector = absent_selector(slo)
    if selector is None:
        return None
    # absent() returns no series to inherit labels from: the SLO's labels are written here. It is
    # a ticket, routed as the SLO's tickets are: alerting.labels and ticket_alert.labels (even
    # when the ticket burn alert is disabled: what the file says is carried, not dropped).
    labels = {
        **slo_labels(slo),
        "severity": "ticket",
        SEVERITY_LABEL: "ticket",
        **slo.ticket_alert.labels,
    }
    return {
        "alert": alert_name(slo, "SLIMissing"),
        "expr": f"absent({selector})",
        "for": window_name(policy.absent_for_s),
        "labels": dict(sorted(labels.items())),
        "annotations": {
            "summary": f"The SLI of {slo.name} has no data",
            "description": f"{selector} has no series: the SLO cannot be judged and burn alerts cannot fire.",
        },
    }


def absent_selector(slo: SLO) -> str | None:
    """The metric selector the SLI's total (or raw) query reads, e.g. ``http_requests_total{job="x"}``."""
    query = slo.total_query or slo.raw_query or ""
    match = _SELECTOR_BEFORE_RANGE.search(query)
    if match is None:
        return None
    return f"{match.group(1)}{match.group(2) or ''}"
