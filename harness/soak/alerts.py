"""Multi-window burn-rate alerts during a soak: which fire, and when they start and clear. Pure.

Each SLO is checked against every alert of the (soak-scaled) policy. An alert fires when both
its long and its short window burn faster than its factor (Google SRE workbook); an SLO's
severity — page or ticket — is active while any of its alerts of that severity fires. The book
turns successive checks into transitions (started, cleared), the only moments anything is sent:
one trigger when a page starts, one resolve when it clears, never one per evaluation. An active
alert clears only when every one of its windows has data again and none fires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from harness.values.soak_doc import AlertSeverity

__all__ = ["AlertBook", "AlertCheck", "Firing", "Transition"]


@dataclass(frozen=True)
class AlertCheck:
    slo: str
    severity: AlertSeverity
    long_s: float
    short_s: float
    factor: float  # fires when both windows burn faster than this
    long_burn: float | None  # None: no data in that window
    short_burn: float | None

    @property
    def firing(self) -> bool:
        return (
            self.long_burn is not None
            and self.short_burn is not None
            and self.long_burn > self.factor
            and self.short_burn > self.factor
        )

    def describe(self) -> str:
        return (
            f"{_burn(self.long_burn)} over {self.long_s:g}s and {_burn(self.short_burn)} over "
            f"{self.short_s:g}s (fires above {self.factor:g}×)"
        )


@dataclass(frozen=True)
class Transition:
    at: float  # Unix seconds
    slo: str
    severity: AlertSeverity
    started: bool  # True: it began firing; False: it cleared
    checks: tuple[AlertCheck, ...]  # this SLO's checks of this severity at that moment

    @property
    def worst(self) -> AlertCheck:
        """The check that best explains it: firing first, then the highest short-window burn."""
        return self.checks[self.worst_index]

    @property
    def worst_index(self) -> int:
        """Where ``worst`` is in ``checks`` (there must be checks: the soak's end has none)."""
        ranked = [(c.firing, c.short_burn or 0.0) for c in self.checks]
        return max(range(len(ranked)), key=ranked.__getitem__)


@dataclass(frozen=True)
class Firing:
    """A span during which an SLO's alert of one severity fired."""

    slo: str
    severity: AlertSeverity
    start: float  # Unix seconds
    end: float | None  # None: it still fires


@dataclass
class AlertBook:
    """The state of every (SLO, severity) across evaluations, and its history."""

    active: dict[tuple[str, AlertSeverity], float] = field(default_factory=dict)  # → since when
    history: list[Transition] = field(default_factory=list)
    peak_burn: dict[str, float] = field(default_factory=dict)  # SLO → highest short-window burn

    def update(self, at: float, checks: Sequence[AlertCheck]) -> list[Transition]:
        groups: dict[tuple[str, AlertSeverity], list[AlertCheck]] = {}
        for check in checks:
            groups.setdefault((check.slo, check.severity), []).append(check)
            if check.short_burn is not None:
                self.peak_burn[check.slo] = max(
                    self.peak_burn.get(check.slo, 0.0), check.short_burn
                )
        transitions = []
        for key, group in groups.items():
            firing = any(check.firing for check in group)
            measured = all(
                check.long_burn is not None and check.short_burn is not None for check in group
            )
            if key in self.active and not firing and not measured:
                # Not measured is not cleared: a Prometheus outage must not resolve a page (the
                # monitor counts the gap, and the soak's end clears what still fires).
                continue
            if firing != (key in self.active):
                transitions.append(Transition(at, key[0], key[1], firing, tuple(group)))
                if firing:
                    self.active[key] = at
                else:
                    del self.active[key]
        self.history += transitions
        return transitions

    def clear_all(self, at: float) -> list[Transition]:
        """The soak is over: whatever still fires is cleared (its incident must not stay open)."""
        transitions = [Transition(at, slo, severity, False, ()) for slo, severity in self.active]
        self.active.clear()
        self.history += transitions
        return transitions

    def ever_fired(self, severity: AlertSeverity) -> list[Transition]:
        return [t for t in self.history if t.started and t.severity == severity]

    def firings(self) -> list[Firing]:
        """Every span of firing in the history, in the order they started."""
        spans: list[Firing] = []
        open_at: dict[tuple[str, AlertSeverity], int] = {}  # → its span's place in spans
        for t in self.history:
            key = (t.slo, t.severity)
            if t.started:
                open_at[key] = len(spans)
                spans.append(Firing(t.slo, t.severity, t.at, None))
            elif key in open_at:
                place = open_at.pop(key)
                spans[place] = Firing(t.slo, t.severity, spans[place].start, t.at)
        return spans


def _burn(value: float | None) -> str:
    return "no data" if value is None else f"{value:.1f}×"
