"""The soak monitor's thread against a scripted Prometheus: pages on transitions only, in order,
resolves what still fires at the end, and calls a soak that never measured inconclusive."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from harness.alert.pager import RecordingPager
from harness.gate.verdict import with_findings
from harness.slo.policy import BurnAlert, BurnPolicy
from harness.soak.monitor import SoakMonitor, SoakSettings
from harness.values.slo import SLO
from harness.values.status import Status
from harness.values.verdict import Verdict

SLO_A = SLO("a", "recommender", "a.yaml", 0.99, total_query="t", bad_query="b")
POLICY = BurnPolicy("p", 30 * 86400.0, (BurnAlert("page", 2.0, 1.0, 14.4),))


class ScriptedPrometheus:
    """Answers every query with the burn rate the test sets (None: no data)."""

    def __init__(self, url: str) -> None:
        self.url = url

    burn: float | None = None
    evaluations = 0
    changed = threading.Condition()

    def value(self, query: str, at: float | None = None) -> float | None:
        if "/ 0.01" in query:  # a burn-rate query of SLO a (budget 1 %)
            with ScriptedPrometheus.changed:
                ScriptedPrometheus.evaluations += 1
                ScriptedPrometheus.changed.notify_all()
            return ScriptedPrometheus.burn
        return 1.0  # resource gauges: flat


def wait_for_evaluations(n: int) -> None:
    with ScriptedPrometheus.changed:
        target = ScriptedPrometheus.evaluations + n
        assert ScriptedPrometheus.changed.wait_for(
            lambda: ScriptedPrometheus.evaluations >= target, timeout=10
        )


class FastClock:
    """Time moves 0.5 s per look, so windows fill and evaluations come at once."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            self.now += 0.5
            return self.now


def make_monitor(abort_on_page: bool = False) -> SoakMonitor:
    ScriptedPrometheus.burn, ScriptedPrometheus.evaluations = None, 0
    settings = SoakSettings(
        slos=(SLO_A,), policies={"a": POLICY}, evaluate_every_s=0.5, abort_on_page=abort_on_page,
        service_job="loadgate_service", scenario="s",
    )  # fmt: skip
    return SoakMonitor(
        settings, RecordingPager(), clock=FastClock(), api_factory=ScriptedPrometheus
    )  # type: ignore[arg-type]


@pytest.fixture
def monitor() -> Iterator[SoakMonitor]:
    watcher = make_monitor()
    watcher.started(ScriptedPrometheus("http://prometheus"), "http://target", "run-1")  # type: ignore[arg-type]
    yield watcher
    watcher.load_ended()


def kinds(monitor: SoakMonitor) -> list[tuple[str, str | None]]:
    return [(d["kind"], d["dedup_key"]) for d in monitor.report()["pages"]]


def test_a_burn_pages_once_and_its_end_resolves_once(monitor: SoakMonitor) -> None:
    ScriptedPrometheus.burn = 0.5
    wait_for_evaluations(6)
    ScriptedPrometheus.burn = 50.0
    wait_for_evaluations(6)  # several evaluations while it burns: still one trigger
    ScriptedPrometheus.burn = 0.5
    wait_for_evaluations(6)
    monitor.finished(None, {})

    key = "loadgate/recommender/a/page"
    assert kinds(monitor) == [("trigger", key), ("resolve", key)]
    report = monitor.report()
    started, cleared = report["alerts"]
    # What a reader would otherwise work out, stated: whether each check fired, which one explains
    # the transition, when the page fired, and how long each window of burn_history is.
    assert [c["firing"] for c in started["checks"]] == [True]
    assert [c["firing"] for c in cleared["checks"]] == [False]
    assert started["worst"] == cleared["worst"] == 0
    assert report["firing"] == [
        {"slo": "a", "severity": "page", "start_s": started["at_s"], "end_s": cleared["at_s"]}
    ]
    assert report["burn_windows"] == {"a": {"1s": 1.0, "2s": 2.0}}
    assert set(report["burn_history"][-1]["burn"]["a"]) == {"1s", "2s"}
    assert monitor.findings().failures[0].startswith("SLO 'a' fired a page-level burn-rate alert")


def test_what_still_fires_when_the_soak_ends_is_resolved(monitor: SoakMonitor) -> None:
    ScriptedPrometheus.burn = 50.0
    wait_for_evaluations(6)
    [firing] = monitor.report()["firing"]  # a report written meanwhile: it still fires
    assert firing["end_s"] is None
    monitor.finished(None, {})
    assert [kind for kind, _ in kinds(monitor)] == ["trigger", "resolve"]
    assert monitor.line() == "alerts: none firing"
    report = monitor.report()
    ended = report["alerts"][-1]
    assert (ended["event"], ended["checks"], ended["worst"]) == ("cleared", [], None)
    assert report["firing"] == [firing | {"end_s": ended["at_s"]}]


def test_a_soak_that_never_had_data_is_inconclusive_not_a_pass(monitor: SoakMonitor) -> None:
    ScriptedPrometheus.burn = None
    wait_for_evaluations(6)
    monitor.finished(None, {})
    findings = monitor.findings()
    assert findings.unmeasured and "had data in only 0 of" in findings.unmeasured[0]
    coverage = monitor.report()["coverage"]
    assert coverage["watched"] == {"a": False} and coverage["min_share"] == 0.8
    assert coverage["with_data"] == {"a": 0}  # every SLO is listed, measured or not
    verdict = with_findings(Verdict(Status.PASS, 0, ("all SLOs met",)), findings)
    assert (verdict.status, verdict.exit_code) == (Status.INCONCLUSIVE, 3)


def test_the_live_view_can_read_while_the_thread_writes(monitor: SoakMonitor) -> None:
    failures: list[BaseException] = []

    def read(part: Callable[[], object]) -> None:
        try:
            for _ in range(300):
                part()
        except BaseException as exc:
            failures.append(exc)

    readers = [threading.Thread(target=read, args=(p,)) for p in (monitor.line, monitor.panel)]
    for reader in readers:
        reader.start()
    for burn in (50.0, 0.5) * 5:  # the book changes under the readers
        ScriptedPrometheus.burn = burn
        wait_for_evaluations(2)
    for reader in readers:
        reader.join()
    assert failures == []


def test_with_abort_on_page_the_first_page_asks_the_load_to_stop() -> None:
    watcher = make_monitor(abort_on_page=True)
    assert watcher.stop_reason() is None
    ScriptedPrometheus.burn = 50.0
    watcher.started(ScriptedPrometheus("http://prometheus"), "http://target", "run-1")  # type: ignore[arg-type]
    try:
        wait_for_evaluations(6)
        reason = watcher.stop_reason()
        assert reason is not None and reason.endswith("the soak was stopped (--abort-on-page)")
    finally:
        watcher.finished(None, {})
