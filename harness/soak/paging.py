"""What a soak tells PagerDuty: one event per alert transition, and change events at its ends. Pure.

The dedup key is stable per service, SLO and severity (``loadgate/<service>/<slo>/page``), as a
production alert's would be: a second soak burning the same SLO updates the same incident, and
a resolve closes exactly the alert its trigger opened.
"""

from __future__ import annotations

from harness.alert.events import AlertEvent, ChangeEvent, dedup_key, severity_for
from harness.soak.alerts import Transition
from harness.soak.section import check_record

__all__ = ["SERVICE", "alert_event", "soak_change_event"]

SERVICE = "loadgate-soak"  # the source of every soak event


def alert_event(
    transition: Transition,
    service: str,
    scenario: str,
    run_id: str,
    report_link: str,
    ended: bool = False,
) -> AlertEvent:
    """``service`` is the SLO's service (what is burning), part of the dedup key."""
    key = dedup_key(service, transition.slo, transition.severity)
    if not transition.started:
        reason = "the soak ended" if ended else "the burn rate fell below the alert's threshold"
        return AlertEvent("resolve", key, f"{transition.slo}: resolved ({reason})", SERVICE)
    worst = transition.worst
    summary = (
        f"[loadgate soak {scenario}] SLO {transition.slo} is burning its error budget at "
        f"{worst.short_burn or 0:.1f}× ({transition.severity}: {worst.describe()})"
    )
    return AlertEvent(
        "trigger",
        key,
        summary,
        SERVICE,
        severity=severity_for(transition.severity),
        custom_details={
            "slo": transition.slo,
            "service": service,
            "severity": transition.severity,
            "run_id": run_id,
            "scenario": scenario,
            "windows": [check_record(c) for c in transition.checks],
        },
        links=[{"href": report_link, "text": "loadgate soak report"}] if report_link else [],
        component=service,
        group=scenario,
        class_="slo-burn-rate",
    )


def soak_change_event(
    scenario: str, run_id: str, summary: str, details: dict[str, object], report_link: str = ""
) -> ChangeEvent:
    return ChangeEvent(
        f"[loadgate soak {scenario}] {summary}",
        SERVICE,
        custom_details={"run_id": run_id, "scenario": scenario, **details},
        links=[{"href": report_link, "text": "loadgate soak report"}] if report_link else [],
    )
