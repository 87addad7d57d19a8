"""``loadgate dashboards``: Grafana dashboards built from the SLO files and the load run's metrics,
with grafana-foundation-sdk's builders, and the provisioning files that load them into Grafana."""

from harness.dashboards.command import DashboardFiles, write_dashboards
from harness.dashboards.load_run import load_run_dashboard
from harness.dashboards.panels import dashboard_json
from harness.dashboards.provisioning import datasource_yaml, provider_yaml
from harness.dashboards.slo_overview import slo_overview_dashboard

__all__ = [
    "DashboardFiles",
    "dashboard_json",
    "datasource_yaml",
    "load_run_dashboard",
    "provider_yaml",
    "slo_overview_dashboard",
    "write_dashboards",
]
