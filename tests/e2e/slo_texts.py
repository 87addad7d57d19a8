"""SLO documents for end-to-end tests, from one template so each test states only what differs."""

from __future__ import annotations

from string import Template

_SLO = Template("""\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: $name
spec:
  service: $service
  indicator:
    metadata:
      name: $name
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: '$good'
        total:
          metricSource:
            type: Prometheus
            spec:
              query: '$total'
  timeWindow:
    - duration: $window
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: $target
""")

HOME = 'name="/v1/recommendations/home"'


def ratio_slo(
    name: str,
    good: str,
    total: str,
    target: float,
    *,
    service: str = "recommender",
    window: str = "28d",
) -> str:
    return _SLO.substitute(
        name=name, good=good, total=total, target=target, service=service, window=window
    )


def client_latency_slo(name: str, le: str, target: float) -> str:
    """Share of home requests the client saw complete within ``le`` seconds."""
    return ratio_slo(
        name,
        f'sum(increase(loadgate_client_request_duration_seconds_bucket{{{HOME}, le="{le}"}}[{{{{window}}}}]))',
        f"sum(increase(loadgate_client_request_duration_seconds_count{{{HOME}}}[{{{{window}}}}]))",
        target,
    )


def client_availability_slo(name: str, target: float) -> str:
    return ratio_slo(
        name,
        f'sum(increase(loadgate_client_requests_total{{{HOME}, outcome="ok"}}[{{{{window}}}}]))',
        f"sum(increase(loadgate_client_requests_total{{{HOME}}}[{{{{window}}}}]))",
        target,
    )
