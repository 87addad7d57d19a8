"""Did the soak actually watch? How many evaluations had data for each SLO's page alerts. Pure.

A burn-rate window without data cannot fire, so a soak whose queries found nothing — Prometheus
down, a metric renamed, a soak shorter than its windows — would otherwise look perfectly calm.
Counting evaluations with data turns that silence into "inconclusive".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from harness.soak.alerts import AlertCheck
from harness.values.soak_doc import CoverageDoc

__all__ = ["MIN_SHARE", "Coverage"]

MIN_SHARE = 0.8  # of the evaluations after the warm-up, with data in every page-level window


@dataclass
class Coverage:
    measurable_from: float  # Unix seconds: the warm-up is over and the shortest window has filled
    slos: tuple[str, ...]  # the SLOs the soak watches
    evaluations: int = 0
    measured: dict[str, int] = field(default_factory=dict)  # SLO → evaluations with data

    def count(self, at: float, checks: Sequence[AlertCheck]) -> None:
        if at < self.measurable_from:
            return
        self.evaluations += 1
        for slo in {c.slo for c in checks}:
            pages = [c for c in checks if c.slo == slo and c.severity == "page"]
            if pages and all(c.long_burn is not None and c.short_burn is not None for c in pages):
                self.measured[slo] = self.measured.get(slo, 0) + 1

    def gaps(self) -> list[str]:
        """What could not be watched, as reasons; empty when every SLO was."""
        if self.evaluations == 0:
            return [
                "the soak made no burn-rate evaluation after its warm-up and shortest window "
                "(too short?): its alerts were never checked"
            ]
        return [
            f"SLO '{slo}': its page-level burn rates had data in only "
            f"{self.measured.get(slo, 0)} of {self.evaluations} evaluations, so a fast burn "
            "could have gone unseen"
            for slo in self.slos
            if not self.watched(slo)
        ]

    def watched(self, slo: str) -> bool:
        """Whether the SLO's page alerts had data in enough of the evaluations."""
        return self.evaluations > 0 and self.measured.get(slo, 0) >= MIN_SHARE * self.evaluations

    def report(self) -> CoverageDoc:
        """For result.json: the counts (every SLO's, 0 if never measured), and the judgement
        ``gaps`` makes of them per SLO."""
        return {
            "evaluations": self.evaluations,
            "with_data": {slo: self.measured.get(slo, 0) for slo in self.slos},
            "min_share": MIN_SHARE,
            "watched": {slo: self.watched(slo) for slo in self.slos},
        }
