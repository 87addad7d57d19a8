"""Burn-rate alerting policy, as data (``slo/policies/*.yaml``), scaled to each SLO's window."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import get_args

from harness.durations import parse_duration
from harness.errors import InputError, Problem
from harness.fields import MISSING, FieldReader
from harness.values.soak_doc import AlertSeverity
from harness.yamlfile import load_yaml_documents

__all__ = [
    "DEFAULT_POLICY",
    "BurnAlert",
    "BurnPolicy",
    "SoakScaling",
    "load_policy",
    "prom_duration",
    "shortest_window_s",
]

DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "slo" / "policies" / "google-30d.yaml"
SEVERITIES: tuple[AlertSeverity, ...] = get_args(AlertSeverity)
MIN_SOAK_WINDOW_S = 4.0  # four scrapes at loadgate's 1 s interval


@dataclass(frozen=True)
class BurnAlert:
    severity: AlertSeverity
    long_s: float
    short_s: float
    burn: float  # fires when both windows' error ratio exceed burn × (1 − objective)


@dataclass(frozen=True)
class SoakScaling:
    """How a soak compresses the policy: its whole length stands for ``represents_s`` of the SLO
    window, so a 2-hour soak exercises the same multi-window logic as days of production."""

    represents_s: float = 3 * 86400.0
    min_window_s: float = 10.0  # rate() over fewer than ~4 scrapes is noise


@dataclass(frozen=True)
class BurnPolicy:
    name: str
    slo_window_s: float
    alerts: tuple[BurnAlert, ...]
    absent_for_s: float = 600.0
    soak: SoakScaling = SoakScaling()

    def scaled_to(self, slo_window_s: float) -> BurnPolicy:
        """The same policy for an SLO of another length: windows scale, burn factors stay.

        A 1 h window guards 2 % of a 30-day budget at 14.4×; for a 28-day SLO the window that
        guards the same 2 % is 56 min. Windows are rounded to whole seconds.
        """
        factor = slo_window_s / self.slo_window_s
        return BurnPolicy(
            name=self.name,
            slo_window_s=slo_window_s,
            alerts=tuple(
                BurnAlert(a.severity, round(a.long_s * factor), round(a.short_s * factor), a.burn)
                for a in self.alerts
            ),
            absent_for_s=self.absent_for_s,
            soak=self.soak,
        )

    def scaled_for_soak(self, soak_s: float) -> BurnPolicy:
        """The policy in soak time: every window × soak length ÷ what the soak represents, and
        never shorter than ``soak.min_window_s``. Burn factors stay: they are rates."""
        factor = soak_s / self.soak.represents_s
        floor = self.soak.min_window_s

        def window(seconds: float) -> float:
            return float(max(floor, round(seconds * factor)))

        return replace(
            self,
            alerts=tuple(
                BurnAlert(a.severity, window(a.long_s), window(a.short_s), a.burn)
                for a in self.alerts
            ),
        )

    def windows(self) -> list[float]:
        """Every window the alerts read, shortest first."""
        return sorted({w for a in self.alerts for w in (a.long_s, a.short_s)})


def shortest_window_s(policies: Iterable[BurnPolicy]) -> float | None:
    """The shortest window any of the policies reads (None without a window)."""
    return min((w for policy in policies for w in policy.windows()), default=None)


def load_policy(path: Path) -> BurnPolicy:
    documents = load_yaml_documents(path)
    if len(documents) != 1:
        raise InputError([_problem(path, "expected one YAML document: name, slo_window, alerts")])
    document = documents[0]
    reader = FieldReader(document)
    name = reader.typed(("name",), str, "a policy name")
    window = reader.converted(("slo_window",), parse_duration)
    absent_for = reader.converted(("absent_for",), parse_duration, "10m")
    represents = reader.converted(("soak", "represents"), parse_duration, "3d")
    min_window = reader.converted(("soak", "min_window"), parse_duration, "10s")
    reader.unknown_keys(("soak",), {"represents", "min_window"})
    if represents is not MISSING and represents <= 0:
        reader.problem(("soak", "represents"), "must be a duration > 0, e.g. 3d")
    if min_window is not MISSING and min_window < MIN_SOAK_WINDOW_S:
        reader.problem(
            ("soak", "min_window"),
            f"must be at least {MIN_SOAK_WINDOW_S:g}s: rate() needs several scrapes",
        )
    alerts = []
    entries = reader.typed(("alerts",), list, "a list of burn-rate alerts")
    for i in range(len(entries) if entries is not MISSING else 0):
        given = reader.get(("alerts", i, "severity"))
        severity = next((s for s in SEVERITIES if s == given), None)
        if severity is None:
            reader.problem(
                ("alerts", i, "severity"), f"{given!r} is not allowed; allowed: page, ticket"
            )
        long_s = reader.converted(("alerts", i, "long"), parse_duration)
        short_s = reader.converted(("alerts", i, "short"), parse_duration)
        burn = reader.typed(
            ("alerts", i, "burn"), (int, float), "a burn-rate factor > 0, e.g. 14.4"
        )
        if severity is None or long_s is MISSING or short_s is MISSING:
            continue  # its problem is recorded: the policy is refused below
        if short_s >= long_s:
            reader.problem(("alerts", i, "short"), "must be shorter than long")
        alerts.append(
            BurnAlert(severity, long_s, short_s, float(burn) if burn is not MISSING else 0.0)
        )
    if reader.problems or name is MISSING or window is MISSING or absent_for is MISSING:
        raise InputError(reader.problems)
    if not alerts:
        raise InputError([_problem(path, "alerts: at least one alert is required")])
    soak = (
        SoakScaling(represents, min_window)
        if represents is not MISSING and min_window is not MISSING
        else SoakScaling()
    )
    return BurnPolicy(name, window, tuple(alerts), absent_for, soak)


def prom_duration(seconds: float) -> str:
    """A Prometheus duration: whole hours, minutes or seconds (``56m``, ``280s``)."""
    whole = round(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


def _problem(path: Path, message: str) -> Problem:
    return Problem(str(path), "(file)", message)
