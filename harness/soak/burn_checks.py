"""Asking Prometheus for each SLO's burn rate over each window of the soak policy (the I/O half).

The windows are the burn-rate policy's, scaled first to the SLO's own window (as the generated
rules are) and then to the soak's length (``BurnPolicy.scaled_for_soak``): the same alerts the
rules would raise in production, in soak time.
"""

from __future__ import annotations

from harness.errors import InconclusiveError
from harness.prometheus_api import PrometheusAPI, QueryError
from harness.slo.burn import burn_rate_query
from harness.slo.policy import BurnPolicy, prom_duration
from harness.soak.alerts import AlertCheck
from harness.values.slo import SLO

__all__ = ["check_alerts", "soak_policies"]


def soak_policies(
    policy: BurnPolicy, slos: tuple[SLO, ...], soak_s: float
) -> dict[str, BurnPolicy]:
    """Each SLO's policy in soak time."""
    return {slo.name: policy.scaled_to(slo.time_window_s).scaled_for_soak(soak_s) for slo in slos}


def check_alerts(
    api: PrometheusAPI, slos: tuple[SLO, ...], policies: dict[str, BurnPolicy], at: float
) -> tuple[list[AlertCheck], list[str]]:
    """Every SLO against every alert of its policy, at ``at``, and what went wrong asking.

    A window with no data (or a query Prometheus rejects, or Prometheus not answering) has no
    burn: it cannot fire — the monitor counts such evaluations, so a soak that could not measure
    is inconclusive, never a pass."""
    checks = []
    errors: list[str] = []
    for slo in slos:
        burns: dict[float, float | None] = {}

        def burn(
            window_s: float, slo: SLO = slo, burns: dict[float, float | None] = burns
        ) -> float | None:
            if window_s not in burns:
                try:
                    burns[window_s] = api.value(
                        burn_rate_query(slo, prom_duration(window_s)), at=at
                    )
                except (QueryError, InconclusiveError) as exc:
                    burns[window_s] = None
                    errors.append(f"SLO '{slo.name}', {window_s:g}s window: {exc}")
            return burns[window_s]

        for alert in policies[slo.name].alerts:
            checks.append(
                AlertCheck(
                    slo.name,
                    alert.severity,
                    alert.long_s,
                    alert.short_s,
                    alert.burn,
                    burn(alert.long_s),
                    burn(alert.short_s),
                )
            )
    return checks, errors
