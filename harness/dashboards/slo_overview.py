"""The SLO overview: per SLO, its SLI against the objective, the error budget left over the SLO
window, the burn rate over every window the policy's alerts read (the alerts' burn factors drawn
as lines), and its alerts that fire.

Every panel reads the recording rules ``loadgate rules`` writes, by the names and labels spelled
once in ``slo/sloth_conventions.py``: Prometheus must load ``slo-recording.yml`` and
``slo-alerts.yml``, generated from the same SLO files and policy.
"""

from __future__ import annotations

from collections.abc import Sequence

from grafana_foundation_sdk.builders import dashboard as builders

from harness.dashboards.panels import (
    PanelBuilder,
    Query,
    Threshold,
    datasource_variable,
    stat_panel,
    table_panel,
    timeseries_panel,
)
from harness.slo.policy import BurnPolicy
from harness.slo.rules import period_source_window
from harness.slo.sloth_conventions import (
    BUDGET_REMAINING_RECORD,
    ERROR_BUDGET_RECORD,
    ID_LABELS,
    OBJECTIVE_RECORD,
    id_labels,
    label_filter,
    sli_error_record,
    window_name,
)
from harness.values.slo import SLO

__all__ = ["SLO_OVERVIEW_UID", "slo_overview_dashboard"]

SLO_OVERVIEW_UID = "loadgate-slo-overview"
_SEVERITY_COLORS = {"page": "red", "ticket": "orange"}


def slo_overview_dashboard(slos: Sequence[SLO], policy: BurnPolicy) -> builders.Dashboard:
    dashboard = (
        builders.Dashboard("loadgate · SLO overview")
        .uid(SLO_OVERVIEW_UID)
        .description(
            f"SLIs, error budgets and burn rates of {len(slos)} SLO(s) under the burn-rate "
            f"policy {policy.name}, from the recording rules `loadgate rules` writes."
        )
        .tags(["loadgate", "slo"])
        .time("now-6h", "now")
        .refresh("30s")
        .with_variable(datasource_variable())
    )
    for slo in slos:
        dashboard = dashboard.with_row(builders.Row(_row_title(slo)))
        for panel in _slo_panels(slo, policy.scaled_to(slo.time_window_s)):
            dashboard = dashboard.with_panel(panel)
    return dashboard


def _row_title(slo: SLO) -> str:
    name = f"{slo.name} ({slo.display_name})" if slo.display_name else slo.name
    return f"{name} · objective {slo.objective * 100:.10g} % over {window_name(slo.time_window_s)}"


def _slo_panels(slo: SLO, policy: BurnPolicy) -> list[PanelBuilder]:
    where = label_filter(id_labels(slo))
    period = window_name(slo.time_window_s)
    short = period_source_window(policy)
    sli = timeseries_panel(
        "SLI against its objective",
        f"The share of good events over {window_name(short)} and over the SLO window "
        f"({period}, averaged from the {window_name(short)} series as the rules record it), "
        "and the objective.",
        "percentunit",
        [
            Query(f"1 - {sli_error_record(short)}{where}", f"SLI ({window_name(short)})"),
            Query(f"1 - {sli_error_record(slo.time_window_s)}{where}", f"SLI ({period})"),
            Query(f"{OBJECTIVE_RECORD}{where}", "objective"),
        ],
        width=8,
    )
    budget = stat_panel(
        f"Error budget remaining ({period})",
        "1 − the burn rate over the whole SLO window: 100 % is untouched, 0 is spent, below 0 "
        "is overspent.",
        "percentunit",
        Query(f"{BUDGET_REMAINING_RECORD}{where}", "remaining"),
        [Threshold(0.0, "orange"), Threshold(0.5, "green")],
        base_color="red",
        width=4,
    )
    burn = timeseries_panel(
        "Burn rate per alert window",
        "Error ratio ÷ error budget over each window the policy's alerts read (1 spends exactly "
        "the budget over the SLO window). The lines are the alerts' burn factors: an alert fires "
        f"when both windows of one of its pairs are above its factor ({_pairs(policy)}).",
        "none",
        [Query(_burn_rate(slo, window_s), window_name(window_s)) for window_s in policy.windows()],
        width=8,
        thresholds=_burn_thresholds(policy),
    )
    alerts = table_panel(
        "Firing alerts",
        "This SLO's alerts firing now (Prometheus's ALERTS series): burn-rate pages and "
        "tickets, and the alert for an SLI without data. Empty when none fires.",
        Query(f"ALERTS{label_filter({**id_labels(slo), 'alertstate': 'firing'})}", "{{alertname}}"),
        width=4,
    )
    return [sli, budget, burn, alerts]


def _burn_rate(slo: SLO, window_s: float) -> str:
    where = label_filter(id_labels(slo))
    ids = ", ".join(ID_LABELS)
    return (
        f"{sli_error_record(window_s)}{where}\n/ on({ids}) group_left\n{ERROR_BUDGET_RECORD}{where}"
    )


def _burn_thresholds(policy: BurnPolicy) -> list[Threshold]:
    """Each burn factor once, in the colour of the most severe alert that uses it."""
    colors: dict[float, str] = {}
    for alert in sorted(policy.alerts, key=lambda a: a.severity != "page"):
        colors.setdefault(round(alert.burn, 6), _SEVERITY_COLORS[alert.severity])
    return [Threshold(burn, color) for burn, color in sorted(colors.items())]


def _pairs(policy: BurnPolicy) -> str:
    return "; ".join(
        f"{a.severity} {window_name(a.long_s)}/{window_name(a.short_s)} at {a.burn:.4g}×"
        for a in policy.alerts
    )
