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


_RAW_SLO = Template("""\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: $name
${annotations}spec:
  service: recommender
  indicator:
    metadata:
      name: $name
    spec:
      ratioMetric:
        counter: true
        rawType: $raw_type
        raw:
          metricSource:
            type: Prometheus
            spec:
              query: '$raw'
  budgetingMethod: Occurrences
  objectives:
    - target: $target
""")


def raw_slo(
    name: str, raw: str, target: float, *, raw_type: str = "success", events: str | None = None
) -> str:
    """An OpenSLO raw-ratio SLO; ``events`` is the optional loadgate/events-query annotation."""
    annotations = f"  annotations:\n    loadgate/events-query: '{events}'\n" if events else ""
    return _RAW_SLO.substitute(
        name=name, raw=raw, target=target, raw_type=raw_type, annotations=annotations
    )


def sloth_raw_slo(name: str, error_ratio: str, objective_percent: float) -> str:
    """A Sloth spec with one raw SLI (``error_ratio_query``); its SLO is named recommender-<name>."""
    return f"""\
version: prometheus/v1
service: recommender
slos:
  - name: {name}
    objective: {objective_percent}
    sli:
      raw:
        error_ratio_query: '{error_ratio}'
"""
