"""The soak's parts as result.json states them (harness/values/soak_doc.py). Pure.

Times are seconds into the soak (from the monitor's start). What a reader would otherwise have to
work out from other fields is written out here once — when each alert fired, each window's length,
which check explains a transition — so that report.html, or any other reader, only reads.
"""

from __future__ import annotations

from collections.abc import Mapping

from harness.slo.policy import BurnPolicy
from harness.soak.alerts import AlertCheck, Firing, Transition
from harness.values.soak_doc import AlertCheckDoc, AlertDoc, BurnAlertDoc, FiringDoc

__all__ = [
    "burn_windows",
    "check_record",
    "firing_record",
    "policy_records",
    "transition_record",
    "window_key",
]


def window_key(seconds: float) -> str:
    """How burn_history names a window: "10s"."""
    return f"{seconds:g}s"


def policy_records(policies: Mapping[str, BurnPolicy]) -> dict[str, list[BurnAlertDoc]]:
    return {
        name: [
            {"severity": a.severity, "long_s": a.long_s, "short_s": a.short_s, "burn": a.burn}
            for a in policy.alerts
        ]
        for name, policy in policies.items()
    }


def burn_windows(policies: Mapping[str, BurnPolicy]) -> dict[str, dict[str, float]]:
    """Per SLO, the windows burn_history records (its page alerts'), shortest first: key → s."""
    return {
        name: {
            window_key(seconds): seconds
            for seconds in sorted(
                {w for a in policy.alerts if a.severity == "page" for w in (a.long_s, a.short_s)}
            )
        }
        for name, policy in policies.items()
    }


def transition_record(transition: Transition, started_at: float) -> AlertDoc:
    return {
        "at_s": round(transition.at - started_at, 1),
        "slo": transition.slo,
        "severity": transition.severity,
        "event": "started" if transition.started else "cleared",
        "checks": [check_record(c) for c in transition.checks],
        "worst": transition.worst_index if transition.checks else None,
    }


def firing_record(firing: Firing, started_at: float) -> FiringDoc:
    return {
        "slo": firing.slo,
        "severity": firing.severity,
        "start_s": round(firing.start - started_at, 1),
        "end_s": round(firing.end - started_at, 1) if firing.end is not None else None,
    }


def check_record(check: AlertCheck) -> AlertCheckDoc:
    """One window pair's burn rates, as a page's details and result.json both show it."""
    return {
        "long_s": check.long_s,
        "short_s": check.short_s,
        "threshold": check.factor,
        "long_burn": check.long_burn,
        "short_burn": check.short_burn,
        "firing": check.firing,
    }
