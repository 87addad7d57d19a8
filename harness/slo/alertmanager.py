"""An Alertmanager configuration routing the generated alerts to PagerDuty.

``page`` alerts open critical incidents, ``ticket`` alerts warnings (Alertmanager passes
``severity`` through as written, so it is mapped to PagerDuty's enum here). Alerts are routed on
``sloth_severity``, which every generated alert carries as ``page`` or ``ticket``: ``severity`` is
the spec's to set (Sloth's examples set ``severity: critical``), and routing on it would lose those
alerts. The routing key is read from a file at Alertmanager's start: it never appears in the
generated configuration.
"""

from __future__ import annotations

from harness.slo.rules import SERVICE_LABEL, SLO_LABEL
from harness.slo.sloth_conventions import SEVERITY_LABEL

__all__ = ["PAGERDUTY_SEVERITY", "alertmanager_config"]

PAGERDUTY_SEVERITY = {"page": "critical", "ticket": "warning"}


def alertmanager_config(
    routing_key_file: str, pagerduty_url: str | None = None
) -> dict[str, object]:
    def receiver(severity: str) -> dict[str, object]:
        config: dict[str, object] = {
            "routing_key_file": routing_key_file,
            "severity": PAGERDUTY_SEVERITY[severity],
            "send_resolved": True,
            "description": '{{ template "pagerduty.default.description" . }}',
            "details": {
                "slo": f"{{{{ .CommonLabels.{SLO_LABEL} }}}}",
                "service": f"{{{{ .CommonLabels.{SERVICE_LABEL} }}}}",
            },
        }
        if pagerduty_url:
            config["url"] = pagerduty_url
        return {"name": f"pagerduty-{severity}", "pagerduty_configs": [config]}

    return {
        "route": {
            "receiver": "unrouted",
            "group_by": ["alertname", SLO_LABEL],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "4h",
            "routes": [
                {
                    "matchers": [f'{SEVERITY_LABEL}="{severity}"'],
                    "receiver": f"pagerduty-{severity}",
                }
                for severity in PAGERDUTY_SEVERITY
            ],
        },
        # Pages must not be lost to the ticket route, and vice versa; anything else goes nowhere.
        "receivers": [{"name": "unrouted"}, receiver("page"), receiver("ticket")],
    }
