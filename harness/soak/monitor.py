"""The soak's watcher: burn-rate alerts every interval, pages on their transitions, resources.

    run pipeline ─ started() ─► thread: every interval ─► check_alerts ─► AlertBook ─► pager
                                      every 5 s ───────► ResourceSampler
                 ─ finished() ─► stop the thread, clear what still fires, fit the trends

Every failure inside the thread is logged and kept for the report; none ends the soak.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import RenderableType
from rich.table import Table

from harness.alert.pager import Pager
from harness.model import LoadWindow
from harness.monitor import Findings
from harness.prometheus_api import PrometheusAPI
from harness.slo.model import SLO
from harness.slo.policy import BurnPolicy
from harness.soak.alerts import AlertBook, Transition
from harness.soak.burn_checks import check_alerts
from harness.soak.paging import alert_event, transition_record
from harness.soak.resources import ResourceSampler
from harness.soak.trend import Finding, GrowthStatus, latency_drift

__all__ = ["SoakMonitor", "SoakSettings"]

log = logging.getLogger(__name__)
RESOURCE_EVERY_S = 5.0


@dataclass(frozen=True)
class SoakSettings:
    slos: tuple[SLO, ...]
    policies: dict[str, BurnPolicy]  # per SLO, already in soak time
    evaluate_every_s: float
    abort_on_page: bool
    service_job: str
    scenario: str
    warmup_s: float = 0.0  # resources' first part is skipped: caches filling are not leaks
    report_dir: str = ""  # the reports folder: pages link to <report_dir>/<run id>/report.html


@dataclass
class SoakMonitor:
    settings: SoakSettings
    pager: Pager
    clock: Callable[[], float] = time.time
    name: str = "soak"
    book: AlertBook = field(default_factory=AlertBook)
    burn_history: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _api: PrometheusAPI | None = None
    _resources: ResourceSampler | None = None
    _run_id: str = ""
    _link: str = ""
    _started_at: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _abort: str | None = None
    _drift: Finding | None = None
    _leaks: list[Finding] = field(default_factory=list)

    # --- RunMonitor -------------------------------------------------------------------------

    def started(self, api: PrometheusAPI, target_url: str, run_id: str) -> None:
        # Own clients: the thread must not share a session with the pipeline's queries.
        self._api = PrometheusAPI(api.url)
        self._resources = ResourceSampler(PrometheusAPI(api.url), self.settings.service_job)
        self._run_id, self._started_at = run_id, self.clock()
        if self.settings.report_dir:
            self._link = str(Path(self.settings.report_dir) / run_id / "report.html")
        self._thread = threading.Thread(target=self._loop, name="soak-monitor", daemon=True)
        self._thread.start()

    def stop_reason(self) -> str | None:
        return self._abort

    def panel(self) -> RenderableType | None:
        table = Table(title="burn-rate alerts (soak time)", title_justify="left", expand=False)
        for column in ("SLO", "peak burn", "page", "ticket"):
            table.add_column(column, justify="left" if column == "SLO" else "right")
        for slo in self.settings.slos:
            table.add_row(
                slo.name,
                f"{self.book.peak_burn[slo.name]:.1f}×" if slo.name in self.book.peak_burn else "–",
                *(self._state(slo.name, severity) for severity in ("page", "ticket")),
            )
        return table

    def line(self) -> str | None:
        firing = sorted(f"{slo} ({severity})" for slo, severity in self.book.active)
        return "alerts: " + (", ".join(firing) if firing else "none firing")

    def load_ended(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=120.0)  # a page in flight has bounded retries

    def finished(
        self, window: LoadWindow | None, samples: dict[str, dict[str, list[float]]]
    ) -> None:
        self.load_ended()
        for transition in self.book.clear_all(self.clock()):
            if transition.severity == "page":
                self._page(transition, ended=True)
        if self._resources is not None:
            self._leaks = self._resources.findings(skip_first_s=self.settings.warmup_s)
        self._drift = latency_drift(samples)

    def report(self) -> dict[str, Any]:
        return {
            "policies": {
                name: [
                    {
                        "severity": a.severity,
                        "long_s": a.long_s,
                        "short_s": a.short_s,
                        "burn": a.burn,
                    }
                    for a in policy.alerts
                ]
                for name, policy in self.settings.policies.items()
            },
            "evaluate_every_s": self.settings.evaluate_every_s,
            "alerts": [transition_record(t, self._started_at) for t in self.book.history],
            "burn_history": self.burn_history,
            "pages": [d.as_dict() for d in self.pager.deliveries],
            "resources": self._resources.report() if self._resources else None,
            "findings": [
                f.as_dict() for f in [*self._leaks, *([self._drift] if self._drift else [])]
            ],
            "aborted": self._abort,
            "problems": self.problems,
        }

    def findings(self) -> Findings:
        failures = [self._fired_sentence(t) for t in self.book.ever_fired("page")]
        warnings = [self._fired_sentence(t) for t in self.book.ever_fired("ticket")]
        for finding in [*self._leaks, *([self._drift] if self._drift else [])]:
            if finding.status is GrowthStatus.LEAKING and not finding.what.startswith("harness"):
                failures.append(finding.sentence)
            elif finding.status in (GrowthStatus.LEAKING, GrowthStatus.DRIFTING):
                # Drift, and the harness's own growth, are worth a look, not a failed soak.
                warnings.append(finding.sentence)
        notes = [f"paging failed: {d.detail}" for d in self.pager.deliveries if not d.ok]
        return Findings(tuple(failures), tuple(warnings), tuple(notes + self.problems))

    # --- the thread -------------------------------------------------------------------------

    def _loop(self) -> None:
        next_check = next_sample = self.clock()
        while not self._stop.is_set():
            now = self.clock()
            try:
                if now >= next_check:
                    next_check = now + self.settings.evaluate_every_s
                    self._evaluate(now)
                if now >= next_sample and self._resources is not None:
                    next_sample = now + RESOURCE_EVERY_S
                    self._resources.sample(now)
            except Exception as exc:  # the soak goes on; the report says what went wrong
                log.warning("soak monitor: %s", exc, exc_info=True)
                self.problems.append(f"soak monitor error: {exc}"[:300])
            self._stop.wait(max(0.05, min(next_check, next_sample) - self.clock()))

    def _evaluate(self, now: float) -> None:
        assert self._api is not None
        checks = check_alerts(self._api, self.settings.slos, self.settings.policies, now)
        self.burn_history.append(
            {
                "t": round(now - self._started_at, 1),
                "burn": {
                    c.slo: {f"{c.short_s:g}s": c.short_burn, f"{c.long_s:g}s": c.long_burn}
                    for c in checks
                    if c.severity == "page"
                },
            }
        )
        for transition in self.book.update(now, checks):
            log.info(
                "soak: %s %s %s",
                transition.slo,
                transition.severity,
                "started" if transition.started else "cleared",
            )
            if transition.severity == "page":
                self._page(transition)
                if transition.started and self.settings.abort_on_page:
                    self._abort = (
                        self._fired_sentence(transition)
                        + "; the soak was stopped (--abort-on-page)"
                    )

    def _page(self, transition: Transition, ended: bool = False) -> None:
        service = next((s.service for s in self.settings.slos if s.name == transition.slo), "")
        event = alert_event(
            transition,
            service or self.settings.scenario,
            self.settings.scenario,
            self._run_id,
            self._link,
            ended,
        )
        self.pager.send(event)

    def _fired_sentence(self, transition: Transition) -> str:
        check = transition.worst
        offset = transition.at - self._started_at
        return (
            f"SLO '{transition.slo}' fired a {transition.severity}-level burn-rate alert at "
            f"{offset:.0f}s into the soak: {check.describe()}"
        )

    def _state(self, slo: str, severity: str) -> str:
        since = self.book.active.get((slo, severity))
        if since is not None:
            return f"[bold red]firing[/] {self.clock() - since:.0f}s"
        fired = any(t.slo == slo for t in self.book.ever_fired(severity))
        return "[yellow]cleared[/]" if fired else "[green]ok[/]"
