"""``grafana.yaml`` of ``loadgate deploy kubernetes``: the scenario's dashboards and their
datasource as ConfigMaps, labelled as the Grafana Helm chart's sidecars look for them
(``grafana_dashboard``, ``grafana_datasource``); a Grafana without the sidecars mounts them into
its provisioning folders (docs/dashboards.md).

    ConfigMap <name>-grafana-dashboards   slo-overview.json, load-run.json
    ConfigMap <name>-grafana-datasource   loadgate.yaml: the cluster's Prometheus (--prometheus-url)
"""

from __future__ import annotations

from harness.dashboards.command import dashboard_texts
from harness.dashboards.provisioning import datasource_yaml
from harness.deploy.bundle import Bundle
from harness.slo.policy import DEFAULT_POLICY, load_policy

__all__ = ["GRAFANA", "grafana_config_maps"]

GRAFANA = "grafana.yaml"
DATASOURCE_KEY = "loadgate.yaml"
# What the Grafana Helm chart's sidecars select by default (sidecar.dashboards.label, …).
DASHBOARD_LABEL, DATASOURCE_LABEL = "grafana_dashboard", "grafana_datasource"


def grafana_config_maps(
    bundle: Bundle,
    prometheus_url: str,
    scrape_interval: str,
    metadata: dict[str, object],
    labels: dict[str, str],
) -> list[dict[str, object]]:
    """``metadata``: the objects' namespace, if any (their names and labels are made here);
    ``labels``: the deployment's own labels, which both carry besides the sidecars'."""
    # The policy `loadgate rules` uses by default: the cluster's rules come from it too.
    dashboards = dashboard_texts(bundle.slos, load_policy(DEFAULT_POLICY))
    prefix = labels["app.kubernetes.io/instance"]

    def config_map(name: str, extra: dict[str, str], data: dict[str, str]) -> dict[str, object]:
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {**metadata, "name": f"{prefix}-{name}", "labels": {**labels, **extra}},
            "data": data,
        }

    return [
        config_map("grafana-dashboards", {DASHBOARD_LABEL: "1"}, dashboards),
        config_map(
            "grafana-datasource",
            {DATASOURCE_LABEL: "1"},
            {DATASOURCE_KEY: datasource_yaml(prometheus_url, scrape_interval)},
        ),
    ]
