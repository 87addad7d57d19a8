"""The few shapes every loadgate dashboard is made of, on grafana-foundation-sdk's builders: a
Prometheus query, a time series, a stat, a table; all read the dashboard's datasource variable.

The JSON is the SDK's own encoding of its dashboard model, keys sorted, so the same input gives
the same bytes (the golden files in tests/testdata/dashboards/ rely on it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as builders
from grafana_foundation_sdk.builders import prometheus, stat, table, timeseries
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as model

__all__ = [
    "DATASOURCE_UID",
    "RATE_INTERVAL",
    "PanelBuilder",
    "Query",
    "Threshold",
    "dashboard_json",
    "datasource_variable",
    "stat_panel",
    "table_panel",
    "timeseries_panel",
]

# The Prometheus datasource provisioning.py writes; the dashboards pick it by default through the
# variable ``datasource``, which a user may point at any other Prometheus holding the same series.
DATASOURCE_UID = "loadgate-prometheus"
DATASOURCE = model.DataSourceRef(type_val="prometheus", uid="${datasource}")
# Grafana's own range for rate(): at least four scrape intervals, whatever the zoom.
RATE_INTERVAL = "$__rate_interval"
_REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Any panel's builder (time series, stat, table): what a dashboard's rows hold.
PanelBuilder = Builder[model.Panel]


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Threshold:
    value: float
    color: str


def datasource_variable() -> builders.DatasourceVariable:
    return (
        builders.DatasourceVariable("datasource")
        .label("Prometheus")
        .type("prometheus")
        .current(model.VariableOption(selected=True, text=DATASOURCE_UID, value=DATASOURCE_UID))
    )


def _targets(queries: Sequence[Query], instant: bool = False) -> list[prometheus.Dataquery]:
    targets = []
    for ref, query in zip(_REF_IDS, queries, strict=False):
        target = prometheus.Dataquery().expr(query.expr).legend_format(query.legend).ref_id(ref)
        targets.append(target.instant() if instant else target.range())
    return targets


def _steps(thresholds: Sequence[Threshold], base: str) -> builders.ThresholdsConfig:
    steps = [model.Threshold(value=None, color=base)]
    steps += [model.Threshold(value=t.value, color=t.color) for t in thresholds]
    return builders.ThresholdsConfig().mode(model.ThresholdsMode.ABSOLUTE).steps(steps)


def timeseries_panel(
    title: str,
    description: str,
    unit: str,
    queries: Sequence[Query],
    width: int = 12,
    thresholds: Sequence[Threshold] = (),
) -> timeseries.Panel:
    panel = (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .span(width)
        .height(8)
        .targets(list(_targets(queries)))
        # Set explicitly, as everything the SDK would otherwise fill in when it reads the JSON
        # back: the file then is exactly its model (tests/unit/test_dashboards.py).
        .line_width(1)
        .fill_opacity(10)
        .legend(
            common_builders.VizLegendOptions()
            .display_mode(common.LegendDisplayMode.TABLE)
            .placement(common.LegendPlacement.BOTTOM)
            .show_legend(True)
            .calcs(["lastNotNull", "max"])
        )
    )
    if thresholds:
        # The policy's burn factors drawn as lines across the chart, not as a coloured area
        # (GraphTresholdsStyleMode: the SDK's own spelling).
        line = common_builders.GraphThresholdsStyleConfig().mode(
            common.GraphTresholdsStyleMode.LINE
        )
        panel = panel.thresholds(_steps(thresholds, "transparent")).thresholds_style(line)
    return panel


def stat_panel(
    title: str,
    description: str,
    unit: str,
    query: Query,
    thresholds: Sequence[Threshold],
    base_color: str,
    width: int = 6,
) -> stat.Panel:
    return (
        stat.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .span(width)
        .height(8)
        .targets(list(_targets([query], instant=True)))
        .thresholds(_steps(thresholds, base_color))
        .color_mode(common.BigValueColorMode.VALUE)
        .reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]))
    )


def table_panel(title: str, description: str, query: Query, width: int = 12) -> table.Panel:
    return (
        table.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .span(width)
        .height(8)
        .targets(list(_targets([query], instant=True)))
        .no_value("none")
        .show_header(True)
    )


def dashboard_json(dashboard: builders.Dashboard) -> str:
    """The dashboard as Grafana reads it: the SDK's encoding, panel ids numbered in order (the
    SDK leaves them unset, and Grafana links and views a panel by its id)."""
    built = dashboard.build()
    for panel_id, panel in enumerate(built.panels or [], start=1):
        panel.id_val = panel_id
    return json.dumps(built, cls=JSONEncoder, sort_keys=True, indent=2) + "\n"
