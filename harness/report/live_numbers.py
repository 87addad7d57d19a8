"""What the live view shows, and where it reads it: one ``Snapshot`` per moment of a run, its
numbers asked of Prometheus by ``LiveSampler`` (the view is in harness.report.live).

Best effort only: a query that fails is a ``None`` (shown as "–") or the UNKNOWN status, never an
exception, so the view cannot end the run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from harness.errors import InconclusiveError
from harness.prometheus_api import PrometheusAPI, QueryError
from harness.slo.evaluate import evaluate_slo
from harness.slo.measure import measure_slo
from harness.values.client_metrics import (
    CLIENT_HISTOGRAM_BUCKET,
    CLIENT_REQUESTS_TOTAL,
    OUTCOME_ERROR,
)
from harness.values.run_result import LoadWindow
from harness.values.slo import SLO
from harness.values.verdict import SLOStatus

__all__ = ["BURNING", "MET", "NO_DATA", "RECENT", "UNKNOWN", "LiveSampler", "SLOSoFar", "Snapshot"]

log = logging.getLogger(__name__)

RECENT = "10s"  # request rate and p99 are over this much of the most recent load

MET, BURNING, NO_DATA, UNKNOWN = "met so far", "burning", "no data yet", "–"

RATE_QUERY = f"sum(rate({CLIENT_REQUESTS_TOTAL}[{RECENT}]))"
P99_QUERY = (
    f"1000 * histogram_quantile(0.99, sum by (le) (rate({CLIENT_HISTOGRAM_BUCKET}[{RECENT}])))"
)
OUTCOMES_QUERY = f"sum by (outcome) ({CLIENT_REQUESTS_TOTAL})"  # counted since the start


@dataclass(frozen=True)
class SLOSoFar:
    name: str
    objective: float
    status: str = NO_DATA  # MET, BURNING, NO_DATA or UNKNOWN (the query failed)
    sli: float | None = None
    events: float | None = None


@dataclass(frozen=True)
class Snapshot:
    """What the view shows at one moment; ``None`` is a number that could not be read."""

    elapsed_s: float
    warmup_s: float
    duration_s: float
    rate: float | None = None  # requests per second, over the last RECENT
    p99_ms: float | None = None  # over the last RECENT
    requests: float | None = None  # since the start
    errors: float | None = None  # since the start
    slos: tuple[SLOSoFar, ...] = ()

    @property
    def remaining_s(self) -> float:
        return max(0.0, self.warmup_s + self.duration_s - self.elapsed_s)

    @property
    def in_warmup(self) -> bool:
        return self.elapsed_s < self.warmup_s

    @property
    def error_ratio(self) -> float | None:
        if self.errors is None or not self.requests:
            return None
        return self.errors / self.requests


class LiveSampler:
    """Asks Prometheus for the numbers of a snapshot; failures become ``None`` / UNKNOWN."""

    def __init__(self, api: PrometheusAPI, slos: tuple[SLO, ...]) -> None:
        self.api = api
        self.slos = slos

    def sample(self, base: Snapshot, start: float, now: float) -> Snapshot:
        """``base`` with fresh numbers; SLIs over [start, now] in Unix seconds."""
        try:
            requests, errors = self._outcomes()
            return replace(
                base,
                rate=self._value(RATE_QUERY),
                p99_ms=self._value(P99_QUERY),
                requests=requests,
                errors=errors,
                slos=tuple(self._slo(slo, LoadWindow(start, now)) for slo in self.slos),
            )
        except InconclusiveError as exc:  # Prometheus does not answer: nothing can be read
            log.info("live view: %s", exc)
            unknown = tuple(SLOSoFar(slo.name, slo.objective, UNKNOWN) for slo in self.slos)
            return Snapshot(base.elapsed_s, base.warmup_s, base.duration_s, slos=unknown)

    def _value(self, query: str) -> float | None:
        try:
            return self.api.value(query)
        except QueryError as exc:
            log.info("live view: %s", exc)
            return None

    def _outcomes(self) -> tuple[float | None, float | None]:
        try:
            series = self.api.vector(OUTCOMES_QUERY)
        except QueryError as exc:
            log.info("live view: %s", exc)
            return None, None
        counts = {s.get("metric", {}).get("outcome", ""): float(s["value"][1]) for s in series}
        return (sum(counts.values()), counts.get(OUTCOME_ERROR, 0.0)) if counts else (None, None)

    def _slo(self, slo: SLO, window: LoadWindow) -> SLOSoFar:
        measured = measure_slo(self.api, slo, window)  # a QueryError comes back as .error
        if measured.error:
            return SLOSoFar(slo.name, slo.objective, UNKNOWN)
        judged = evaluate_slo(slo, measured, min_events=1)
        status = {SLOStatus.MET: MET, SLOStatus.BREACHED: BURNING}.get(judged.status, NO_DATA)
        return SLOSoFar(slo.name, slo.objective, status, judged.sli, judged.events)
