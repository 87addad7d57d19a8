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
        """The same policy for an SLO of another length: each alert guards the same share of the
        budget (the 1h/5m page of a 30-day policy: 2 %).

        As Sloth does, the windows stay as written and the burn factors scale: a 28-day SLO pages
        on 13.44× over 1h/5m, Sloth's own numbers. So the rules keep Sloth's window names, which
        its dashboards read. An SLO shorter than the policy's longest window cannot hold that
        window; then the windows scale instead, rounded to whole seconds, and the burn factors
        stay (a 12-hour SLO pages on 14.4× over 1m/5s).
        """
        if slo_window_s == self.slo_window_s:
            return self
        if slo_window_s >= max(self.windows(), default=0.0):
            alerts = tuple(replace(a, burn=self._burn_for(a, slo_window_s)) for a in self.alerts)
        else:
            factor = slo_window_s / self.slo_window_s
            alerts = tuple(
                replace(a, long_s=round(a.long_s * factor), short_s=round(a.short_s * factor))
                for a in self.alerts
            )
        return replace(self, slo_window_s=slo_window_s, alerts=alerts)

    def _burn_for(self, alert: BurnAlert, slo_window_s: float) -> float:
        """The burn factor that spends the alert's share of the budget over its long window, in
        Sloth's arithmetic (alert/window.go: share % × SLO hours ÷ 100 ÷ window hours), so the
        same float, printed, reads as Sloth prints it (28 days: 13.44, 5.6000000000000005)."""
        # The share as Sloth's window catalogue writes it (2, 5, 10): 12 digits drop float noise.
        share_percent = float(f"{alert.burn * alert.long_s / self.slo_window_s * 100:.12g}")
        return share_percent * (slo_window_s / 3600) / 100 / (alert.long_s / 3600)

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
