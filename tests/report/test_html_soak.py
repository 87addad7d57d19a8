"""report.html's soak section: alerts, burn rates against thresholds, resources with their trends.

The soak fixture is a 20-minute soak watched by the real ``SoakMonitor`` (harness/soak/monitor.py):
its thread evaluates the burn-rate alerts and samples resources, its alert book, coverage, pager
queue and trend fits do the rest, and ``report()`` writes the ``soak`` part of result.json — so a
change to what the monitor writes is a change to what this test renders. Only time, Prometheus,
PagerDuty and the harness's own RSS are scripted: an error burst on home from 8:00 to 10:10 pages
both availability SLOs, Prometheus is unreachable for a minute, PagerDuty is slow once and fails
once, the harness leaks, the service does not. The browser check reuses test_html_report's
Chromium set-up.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import psutil

from harness.alert.events import AlertEvent, Event, event_kind
from harness.alert.pager import Delivery, Pager, RecordingPager
from harness.errors import InconclusiveError
from harness.gate.verdict import with_findings
from harness.report.html_report import render_html, write_html
from harness.report.html_soak import soak_section
from harness.slo.burn import burn_rate_query
from harness.slo.policy import BurnAlert, BurnPolicy, prom_duration
from harness.soak.monitor import SoakMonitor, SoakSettings
from harness.soak.paging import soak_change_event
from harness.soak.resources import RESOURCES
from harness.values.slo import SLO
from harness.values.status import Status
from harness.values.verdict import Verdict
from tests.report.test_html_report import (
    REPO,
    SLOS,
    _require_chromium,
    offline_page,
    realistic_result,
)
from tests.result_schema import check_result

ARTIFACT = REPO / "reports" / "test-artifacts" / "report-html-soak.png"
START = 1_795_000_000.0  # Unix s when the soak's monitor started
SOAK_S, EVERY_S, WARMUP_S = 1200, 5.0, 60.0
# google-30d in 20 minutes of soak time (docs/soak.md), as ``soak_policies`` hands it to the monitor
SOAK_POLICY = BurnPolicy(
    "google-30d",
    30 * 86400.0,
    (
        BurnAlert("page", 17.0, 10.0, 14.4),
        BurnAlert("page", 100.0, 10.0, 6.0),
        BurnAlert("ticket", 400.0, 33.0, 3.0),
        BurnAlert("ticket", 1200.0, 100.0, 1.0),
    ),
)
POLICY = [asdict(alert) for alert in SOAK_POLICY.alerts]  # as result.json states it
BURST = (480.0, 610.0)  # home returns errors: burn this much above each SLO's usual
BURST_BURN = {"home-availability-client": 60.0, "home-availability-server": 45.0}
OUTAGE = (700.0, 760.0)  # Prometheus does not answer
PROMETHEUS = "http://127.0.0.1:41873"
BURN_CHARTS, RESOURCE_CHARTS = len(SLOS), len(RESOURCES)
SOAK_SLOS = tuple(
    SLO(name, "recommender", "slo/recommender.yaml", objective,
        total_query=f'sum(rate(requests_total{{slo="{name}"}}[{{{{window}}}}]))',
        bad_query=f'sum(rate(requests_failed_total{{slo="{name}"}}[{{{{window}}}}]))')
    for name, (objective, _) in SLOS.items()
)  # fmt: skip
# Each burn-rate query the monitor can ask: (SLO's position, SLO, window in s).
BURN_QUERIES = {
    burn_rate_query(slo, prom_duration(window)): (n, slo.name, window)
    for n, slo in enumerate(SOAK_SLOS)
    for window in SOAK_POLICY.windows()
}


def _burn(slo: str, n: int, t: float, window: float) -> float | None:
    if t < 2 * EVERY_S:
        return None
    usual = 0.15 + 0.1 * math.sin(t / 37 + n) if "availability" in slo else SLOS[slo][1] / 2
    usual *= 1 + 0.3 * math.sin(t / 11 + 2 * n) * (window <= 17)  # short windows are noisier
    overlap = max(0.0, min(t, BURST[1]) - max(t - window, BURST[0])) / window
    return round(max(usual, 0.0) + BURST_BURN.get(slo, 1.5) * overlap, 4)


def _in_burst(t: float) -> bool:
    return BURST[0] <= t < BURST[1]


# The metric in a resource's query: its value t s into the soak (None: no data yet).
SERVICE: dict[str, Callable[[float], float | None]] = {
    "process_resident_memory_bytes": lambda t: 62e6 + 18e6 * (1 - math.exp(-t / 30))
    + 6e5 * math.sin(t / 13),  # a cache filling up, then flat
    "process_open_fds": lambda t: 24.0 + (t // 5 % 3) + 6 * _in_burst(t),
    "recommender_event_loop_lag_seconds": lambda t: None if t < 2 * EVERY_S  # no histogram yet
    else 0.0024 + 0.0008 * math.sin(t / 7) + 0.012 * _in_burst(t),
}  # fmt: skip


class SoakTime(threading.Event):
    """The monitor's clock and its stop signal in one. Soak time passes only while the monitor's
    loop waits, by what it waits for, so 20 minutes of evaluations run in well under a second and
    come out the same every time; past the end it stops the loop, as the load's end would."""

    def __init__(self) -> None:
        super().__init__()
        self.now = START
        self.over = threading.Event()

    def __call__(self) -> float:
        return self.now

    def wait(self, timeout: float | None = None) -> bool:
        if not self.is_set():
            self.now += timeout or 0.0
            if self.now > START + SOAK_S:
                self.set()
                self.over.set()
        return self.is_set()


class ScriptedPrometheus:
    """Answers as Prometheus would for the soak's time ``at``; not at all during OUTAGE."""

    def __init__(self, url: str) -> None:
        self.url = url

    def value(self, query: str, at: float | None = None) -> float | None:
        assert at is not None, "the soak asks about a moment of its own"
        t = at - START
        if OUTAGE[0] <= t < OUTAGE[1]:
            raise InconclusiveError(
                f"Prometheus at {self.url} did not answer: ConnectError: [Errno 111] "
                "Connection refused"
            )
        if query in BURN_QUERIES:
            n, slo, window = BURN_QUERIES[query]
            return _burn(slo, n, t, window)
        metric = next(m for m in SERVICE if m in query)  # anything else: a monitor error
        return SERVICE[metric](t)


class LeakingHarness:
    """psutil's view of the harness process: its RSS grows 50 MB an hour of soak time."""

    def __init__(self, clock: SoakTime) -> None:
        self._clock = clock

    def __call__(self, pid: int) -> LeakingHarness:
        return self

    def memory_info(self) -> SimpleNamespace:
        t = self._clock() - START
        return SimpleNamespace(rss=118e6 + 14e3 * t + 4e5 * math.sin(t / 5))


class FlakyPagerDuty(Pager):
    """PagerDuty as the soak met it: the 3rd event took three attempts, the 5th never got in."""

    def _deliver(self, event: Event) -> Delivery:
        kind = event_kind(event)
        key = event.dedup_key if isinstance(event, AlertEvent) else None
        if len(self.deliveries) == 2:
            return Delivery(kind, key, True, 3, "accepted (HTTP 202) after 3 attempts")
        if len(self.deliveries) == 4:
            detail = "HTTP 503 after 4 attempts: Service Unavailable (retried for 55 s, the bound)"
            return Delivery(kind, key, False, 4, detail)
        return Delivery(kind, key, True, 1, "accepted (HTTP 202) after 1 attempt")


def soak_result() -> dict[str, Any]:
    """A result.json as ``loadgate soak --duration 20m --page`` writes it after that soak: the run
    part from test_html_report, the ``soak`` part and the verdict from the real monitor, as
    harness.run and harness.soak.command put them together."""
    result = realistic_result(windows=int(SOAK_S / 5))
    for metrics in [*result["samples"].values(), *result["slo_samples"].values()]:
        for name, values in metrics.items():
            metrics[name] = values[:12] * (len(values) // 12)  # steady, not drifting
    del result["baseline"]
    settings = soak_settings()
    clock, pager = SoakTime(), FlakyPagerDuty()
    # _stop: the loop's one wait, which here is where soak time passes (SoakTime).
    monitor = SoakMonitor(settings, pager, clock=clock, api_factory=ScriptedPrometheus, _stop=clock)  # type: ignore[arg-type]
    # The sampler reads the harness's RSS with psutil: this process's real one would make the
    # harness's trend whatever pytest happened to allocate meanwhile.
    with mock.patch.object(psutil, "Process", LeakingHarness(clock)):
        pager.send(soak_change_event("soak", "run-1", "soak started", {"duration_s": SOAK_S}))
        monitor.started(ScriptedPrometheus(PROMETHEUS), "http://127.0.0.1:8080", "run-1")  # type: ignore[arg-type]
        assert clock.over.wait(timeout=60), "the monitor's loop did not get through the soak"
        monitor.load_ended()
        monitor.finished(None, result["samples"])
    result["soak"] = monitor.report()
    verdict = with_findings(Verdict(Status.PASS, 0, ()), monitor.findings())
    result["verdict"], result["exit_code"] = verdict.status.value, verdict.exit_code
    result["reasons"] = list(verdict.reasons)
    written: dict[str, Any] = json.loads(json.dumps(result, allow_nan=False))
    check_result(written)
    return written


def test_the_fixture_is_the_soak_it_claims_to_be() -> None:
    result = soak_result()
    soak = result["soak"]
    fired = {(a["slo"], a["severity"]) for a in soak["alerts"] if a["event"] == "started"}
    assert {("home-availability-client", "page"), ("home-availability-server", "page")} <= fired
    statuses = {f["what"]: f["status"] for f in soak["findings"]}
    assert statuses["harness RSS"] == "leaking" and statuses["service RSS"] == "flat"
    assert 0 < max(soak["coverage"]["with_data"].values()) < soak["coverage"]["evaluations"]
    assert len(soak["burn_history"]) == SOAK_S / EVERY_S + 1  # one per evaluation, from t = 0
    assert [p["kind"] for p in soak["pages"]] == [
        "change",
        "trigger",
        "trigger",
        "resolve",
        "resolve",
    ]
    # The outage, said once; anything else here would be the monitor failing on the fixture.
    assert soak["problems"] == [
        f"SLO 'home-availability-client', 17s window: Prometheus at {PROMETHEUS} did not "
        "answer: ConnectError: [Errno 111] Connection refused"
    ]
    assert result["verdict"] == "fail" and result["reasons"][0].startswith(
        "SLO 'home-availability-client' fired a page-level burn-rate alert at 485s"
    )


def soak_settings() -> SoakSettings:
    return SoakSettings(
        slos=SOAK_SLOS, policies={slo.name: SOAK_POLICY for slo in SOAK_SLOS},
        evaluate_every_s=EVERY_S, abort_on_page=False, service_job="loadgate_service",
        scenario="soak", warmup_s=WARMUP_S,
    )  # fmt: skip


def unstarted_soak() -> dict[str, Any]:
    """The soak section of a soak stopped before its monitor started (Ctrl-C during start-up)."""
    report: dict[str, Any] = json.loads(
        json.dumps(SoakMonitor(soak_settings(), RecordingPager()).report())
    )
    return report


def test_missing_pieces_become_sentences() -> None:
    html = soak_section(unstarted_soak())
    for sentence in (
        "No burn-rate alert fired during the soak (evaluated every 5 s).",
        "No burn rates were recorded during the soak",
        "No resource was sampled during the soak.",
        "No page or change event was sent",
        "coverage was not measured",
        "The soak monitor reported no problems.",
    ):
        assert sentence in html
    assert "plotly-graph-div" not in html

    series = {"what": "service RSS", "unit": "MB", "scale": 1e6, "t_s": [], "values": [],
              "skipped": 7}  # fmt: skip
    html = soak_section(
        unstarted_soak()
        | {
            "burn_history": [{"t": 5.0, "burn": {"a": {"10s": None}}}],
            "burn_windows": {"a": {"10s": 10.0}},
            "resources": {"started_at": START, "series": {"service_rss_bytes": series}},
            "coverage": {
                "evaluations": 10,
                "with_data": {"a": 0},
                "min_share": 0.8,
                "watched": {"a": False},
            },
        }
    )
    assert "Burn rates of a: no evaluation had data." in html
    assert "No trend was fitted to service RSS. (7 samples had no data.)" in html
    assert "service RSS: no samples were recorded." in html
    assert "too little data" in html  # an SLO never measured is listed, not left out
    assert "plotly-graph-div" not in html


def test_the_soak_section_draws_what_the_soak_saw() -> None:
    result = soak_result()
    html = render_html(result)
    assert html.count("* plotly.js v") == 1
    assert html.count('id="chart-soak-burn-') == BURN_CHARTS
    assert html.count('id="chart-soak-resource-') == RESOURCE_CHARTS
    assert "0:08:05" in html  # the first page, in the alerts table
    for unit in ("MB", "fds", "ms"):  # each resource's axis in the unit result.json gives it
        assert f'"title":{{"text":"{unit}"}}' in html
    # As Plotly's JSON writes it: "/" always escaped (no "</script>" can end the chart early),
    # "×" escaped by its json engine and written as UTF-8 by orjson, which it uses when present.
    assert re.search(r"page above 14\.4(×|\\u00d7) \(17\\u002f10 s\)", html)
    assert html.count('"type":"log"') == 2  # the availability SLOs' burst spans 3 orders
    for finding in result["soak"]["findings"]:
        assert finding["sentence"].replace("'", "&#x27;") in html  # drift has no series: listed
    assert "Soak:" not in render_html(realistic_result())


def test_text_from_the_soak_is_escaped() -> None:
    evil = '<script>alert("x")</script>'
    soak = soak_result()["soak"]
    soak = json.loads(json.dumps(soak).replace("home-availability-client", evil.replace('"', "'")))
    soak["findings"][0]["sentence"] = evil
    soak["problems"], soak["aborted"] = [evil], evil
    html = soak_section(soak)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_the_soak_section_renders_offline_in_headless_chromium(tmp_path: Path) -> None:
    _require_chromium()
    url = write_html(tmp_path, soak_result()).as_uri()
    with offline_page(url) as (page, requests, errors):
        drawn = page.evaluate(
            """() => [...document.querySelectorAll('[id^="chart-soak-"]')].map(d => [d.id,
                d.querySelectorAll('.main-svg').length,
                [...d.querySelectorAll('.scatterlayer .trace')].filter(t =>
                    [...t.querySelectorAll('path.js-line')]
                        .some(p => (p.getAttribute('d') || '').length > 10)).length])"""
        )
        top = page.locator("h2", has_text="Soak: burn-rate alerts").bounding_box()
        assert top is not None
        height = page.evaluate("document.documentElement.scrollHeight") - top["y"]
        clip = {"x": 0, "y": top["y"] - 8, "width": 1280, "height": height + 8}
        screenshot = tmp_path / "report-html-soak.png"
        page.screenshot(path=str(screenshot), full_page=True, clip=clip)

    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot, ARTIFACT)  # for a person to look at
    assert requests == [url], f"the page made requests beyond itself: {requests[1:]}"
    assert errors == []
    assert len(drawn) == BURN_CHARTS + RESOURCE_CHARTS
    assert all(svgs >= 1 for _, svgs, _ in drawn)  # every soak chart has its rendered .main-svg
    lines = {chart: n for chart, _, n in drawn}
    # burn: the 10s, 17s and 100s windows and the two page thresholds; resources: one line each
    assert lines == {f"chart-soak-burn-{i}": 5 for i in range(BURN_CHARTS)} | {
        f"chart-soak-resource-{i}": 1 for i in range(RESOURCE_CHARTS)
    }


def test_resources_and_coverage_are_shown_as_result_json_states_them() -> None:
    # A resource the report has never heard of: its axis and values come from unit and scale.
    series = {"queue_depth": {"what": "queue", "unit": "k", "scale": 1000, "t_s": [0.0, 5.0],
                              "values": [2000, 4000], "skipped": 0}}  # fmt: skip
    # The monitor's judgement of coverage, not the report's own: here deliberately the opposite
    # of what the shares alone would say.
    coverage = {"evaluations": 10, "with_data": {"a": 10, "b": 2}, "min_share": 0.8,
                "watched": {"a": False, "b": True}}  # fmt: skip
    html = soak_section(
        unstarted_soak()
        | {"resources": {"started_at": START, "series": series}, "coverage": coverage}
    )

    assert '"y":[2.0,4.0]' in html and '"title":{"text":"k"}' in html
    rows = {row.split("</td>")[0]: row for row in html.split("<tr><td>")[1:]}
    assert "too little data" in rows["a"] and "watched" in rows["b"]
    assert "at least 80% needed" in html
