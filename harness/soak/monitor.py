"""The soak's watcher: burn-rate alerts every interval, pages on their transitions, resources.

    run pipeline ─ started() ─► thread: every interval ─► check_alerts ─► AlertBook ─► page queue
                                      every 5 s ───────► ResourceSampler
                 ─ finished() ─► stop the thread, resolve what still fires, fit the trends

One lock guards the alert book (the thread updates it; the live view and the ending read it).
Pages go through a queue with its own sender, so a slow PagerDuty never delays an evaluation.
Every failure inside the thread is kept for the report; none ends the soak.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import RenderableType
from rich.table import Table

from harness.alert.pager import Delivery, Pager
from harness.alert.queued import QueuedPager
from harness.prometheus_api import PrometheusAPI
from harness.run_folder import REPORT_HTML
from harness.slo.policy import BurnPolicy, shortest_window_s
from harness.soak.alerts import AlertBook, Transition
from harness.soak.burn_checks import check_alerts
from harness.soak.coverage import Coverage
from harness.soak.paging import alert_event
from harness.soak.resources import ResourceSampler
from harness.soak.section import (
    burn_windows,
    firing_record,
    policy_records,
    transition_record,
    window_key,
)
from harness.soak.trend import Finding, GrowthStatus, latency_drift
from harness.values.result_doc import MonitorSection
from harness.values.run_result import LoadWindow
from harness.values.samples import PerWindowView
from harness.values.slo import SLO
from harness.values.soak_doc import BurnSampleDoc, SoakDoc
from harness.values.verdict import Findings

__all__ = ["SoakMonitor", "SoakSettings"]

log = logging.getLogger(__name__)
RESOURCE_EVERY_S = 5.0
JOIN_TIMEOUT_S = 60.0  # an evaluation in flight: at most a few bounded Prometheus queries
DRAIN_TIMEOUT_S = 120.0  # pages still queued at the end: resolves matter most


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
    api_factory: Callable[[str], PrometheusAPI] = PrometheusAPI  # tests pass a fake
    name: MonitorSection = "soak"
    book: AlertBook = field(default_factory=AlertBook)
    burn_history: list[BurnSampleDoc] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pages: QueuedPager | None = None
    _api: PrometheusAPI | None = None
    _resources: ResourceSampler | None = None
    _coverage: Coverage | None = None
    _run_id: str = ""
    _link: str = ""
    _started_at: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _abort: str | None = None
    _findings: list[Finding] = field(default_factory=list)
    _concluded: bool = False

    # --- RunMonitor -------------------------------------------------------------------------

    def started(self, api: PrometheusAPI, target_url: str, run_id: str) -> None:
        # Own clients: the thread must not share a session with the pipeline's queries.
        self._api = self.api_factory(api.url)
        self._resources = ResourceSampler(self.api_factory(api.url), self.settings.service_job)
        self._pages = QueuedPager(self.pager)
        self._run_id, self._started_at = run_id, self.clock()
        shortest = shortest_window_s(self.settings.policies.values()) or 0.0
        self._coverage = Coverage(
            self._started_at + self.settings.warmup_s + shortest,
            tuple(s.name for s in self.settings.slos),
        )
        if self.settings.report_dir:
            self._link = str(Path(self.settings.report_dir) / run_id / REPORT_HTML)
        self._thread = threading.Thread(target=self._loop, name="soak-monitor", daemon=True)
        self._thread.start()

    def stop_reason(self) -> str | None:
        return self._abort

    def panel(self) -> RenderableType | None:
        with self._lock:
            active, peaks = dict(self.book.active), dict(self.book.peak_burn)
            fired = {(t.slo, t.severity) for t in self.book.history if t.started}
        table = Table(title="burn-rate alerts (soak time)", title_justify="left", expand=False)
        for column in ("SLO", "peak burn", "page", "ticket"):
            table.add_column(column, justify="left" if column == "SLO" else "right")
        now = self.clock()
        for slo in self.settings.slos:
            states = []
            for severity in ("page", "ticket"):
                since = active.get((slo.name, severity))
                states.append(
                    f"[bold red]firing[/] {now - since:.0f}s"
                    if since is not None
                    else "[yellow]cleared[/]"
                    if (slo.name, severity) in fired
                    else "[green]ok[/]"
                )
            peak = f"{peaks[slo.name]:.1f}×" if slo.name in peaks else "–"
            table.add_row(slo.name, peak, *states)
        return table

    def line(self) -> str | None:
        with self._lock:
            firing = sorted(f"{slo} ({severity})" for slo, severity in self.book.active)
        return "alerts: " + (", ".join(firing) if firing else "none firing")

    def load_ended(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=JOIN_TIMEOUT_S)
            if self._thread.is_alive():
                self.problems.append(
                    f"the soak monitor was still evaluating {JOIN_TIMEOUT_S:g}s after the load "
                    "ended (Prometheus not answering?); its last evaluation is not counted"
                )

    def finished(self, window: LoadWindow | None, samples: PerWindowView) -> None:
        if self._concluded:
            return
        self._concluded = True
        self.load_ended()
        with self._lock:  # the thread no longer pages once _stop is set
            ending = self.book.clear_all(self.clock())
        for transition in ending:
            if transition.severity == "page":
                self._page(transition, ended=True)
        if self._pages is not None:
            self._pages.close(DRAIN_TIMEOUT_S)
        if self._resources is not None:
            self._findings = self._resources.findings(skip_first_s=self.settings.warmup_s)
        drift = latency_drift(samples)
        self._findings += [drift] if drift is not None else []

    def report(self) -> SoakDoc:
        with self._lock:
            alerts = [transition_record(t, self._started_at) for t in self.book.history]
            firing = [firing_record(f, self._started_at) for f in self.book.firings()]
            history = list(self.burn_history)
        return {
            "policies": policy_records(self.settings.policies),
            "evaluate_every_s": self.settings.evaluate_every_s,
            "alerts": alerts,
            "firing": firing,
            "burn_history": history,
            "burn_windows": burn_windows(self.settings.policies),
            "coverage": (self._coverage.report() if self._coverage else None),
            "pages": [d.as_dict() for d in self._deliveries()],
            "resources": self._resources.report() if self._resources else None,
            "findings": [f.as_dict() for f in self._findings],
            "aborted": self._abort,
            "problems": list(self.problems),
        }

    def findings(self) -> Findings:
        with self._lock:
            pages = [self._fired_sentence(t) for t in self.book.ever_fired("page")]
            tickets = [self._fired_sentence(t) for t in self.book.ever_fired("ticket")]
        failures, warnings = pages, tickets
        for finding in self._findings:
            if finding.status is GrowthStatus.LEAKING and not finding.what.startswith("harness"):
                failures.append(finding.sentence)
            elif finding.status in (GrowthStatus.LEAKING, GrowthStatus.DRIFTING):
                # Drift, and the harness's own growth, are worth a look, not a failed soak.
                warnings.append(finding.sentence)
            elif finding.status is GrowthStatus.INSUFFICIENT_DATA and "latency" not in finding.what:
                warnings.append(f"could not judge {finding.sentence}")
        unmeasured = self._coverage.gaps() if self._coverage else []
        notes = [f"paging failed: {d.detail}" for d in self._deliveries() if not d.ok]
        return Findings(
            tuple(failures), tuple(warnings), tuple(unmeasured), tuple(notes + self.problems)
        )

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
                self._problem(f"soak monitor error: {exc}")
            self._stop.wait(max(0.05, min(next_check, next_sample) - self.clock()))

    def _evaluate(self, now: float) -> None:
        assert self._api is not None and self._coverage is not None
        checks, errors = check_alerts(self._api, self.settings.slos, self.settings.policies, now)
        for error in errors[:1]:  # one a round is enough to say why there was no data
            self._problem(error)
        if self._stop.is_set():
            return  # the load has ended: an evaluation now would see it stop, not the service
        entry: dict[str, dict[str, float | None]] = {}
        for c in checks:
            if c.severity == "page":
                entry.setdefault(c.slo, {}).update(
                    {window_key(c.long_s): c.long_burn, window_key(c.short_s): c.short_burn}
                )
        with self._lock:
            if self._stop.is_set():  # finished() may have resolved everything meanwhile
                return
            self._coverage.count(now, checks)
            self.burn_history.append({"t": round(now - self._started_at, 1), "burn": entry})
            transitions = self.book.update(now, checks)
            for transition in transitions:
                log.info(
                    "soak: %s %s %s",
                    transition.slo,
                    transition.severity,
                    "started" if transition.started else "cleared",
                )
                if transition.severity == "page":
                    self._page(transition)
                    if transition.started and self.settings.abort_on_page and self._abort is None:
                        self._abort = (
                            self._fired_sentence(transition)
                            + "; the soak was stopped (--abort-on-page)"
                        )

    def _page(self, transition: Transition, ended: bool = False) -> None:
        assert self._pages is not None
        service = next((s.service for s in self.settings.slos if s.name == transition.slo), "")
        event = alert_event(
            transition,
            service or self.settings.scenario,
            self.settings.scenario,
            self._run_id,
            self._link,
            ended,
        )
        self._pages.put(event)  # in order, by the queue's own thread

    def _deliveries(self) -> list[Delivery]:
        return self._pages.deliveries if self._pages is not None else list(self.pager.deliveries)

    def _problem(self, text: str) -> None:
        text = text[:300]
        if text not in self.problems and len(self.problems) < 20:  # a report, not a log
            self.problems.append(text)

    def _fired_sentence(self, transition: Transition) -> str:
        check = transition.worst
        offset = transition.at - self._started_at
        return (
            f"SLO '{transition.slo}' fired a {transition.severity}-level burn-rate alert at "
            f"{offset:.0f}s into the soak: {check.describe()}"
        )
