"""report.html's soak section: alerts, burn rates against thresholds, resources with their trends.

The soak fixture is a 20-minute soak put together with the soak's own code (alert book, coverage,
trend fits), so its shapes are exactly what ``loadgate soak`` writes: an error burst on home from
8:00 to 10:10 pages both availability SLOs, Prometheus is unreachable for a minute, the harness
leaks, the service does not. The browser check reuses test_html_report's Chromium set-up.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

from harness.report.html_report import render_html, write_html
from harness.report.html_soak import soak_section
from harness.soak.alerts import AlertBook, AlertCheck
from harness.soak.coverage import Coverage
from harness.soak.paging import transition_record
from harness.soak.resources import RESOURCES
from harness.soak.trend import fit_trend, judge_growth, latency_drift
from tests.report.test_html_report import (
    REPO,
    SLOS,
    _require_chromium,
    offline_page,
    realistic_result,
)

ARTIFACT = REPO / "reports" / "test-artifacts" / "report-html-soak.png"
START = 1_795_000_000.0  # Unix s when the soak's monitor started
SOAK_S, EVERY_S, WARMUP_S = 1200, 5.0, 60.0
POLICY = [  # google-30d in 20 minutes of soak time (docs/soak.md)
    {"severity": "page", "long_s": 17.0, "short_s": 10.0, "burn": 14.4},
    {"severity": "page", "long_s": 100.0, "short_s": 10.0, "burn": 6.0},
    {"severity": "ticket", "long_s": 400.0, "short_s": 33.0, "burn": 3.0},
    {"severity": "ticket", "long_s": 1200.0, "short_s": 100.0, "burn": 1.0},
]
BURST = (480.0, 610.0)  # home returns errors: burn this much above each SLO's usual
BURST_BURN = {"home-availability-client": 60.0, "home-availability-server": 45.0}
OUTAGE = (700.0, 760.0)  # Prometheus does not answer
BURN_CHARTS, RESOURCE_CHARTS = len(SLOS), len(RESOURCES)


def _burn(slo: str, n: int, t: float, window: float) -> float | None:
    if OUTAGE[0] <= t < OUTAGE[1] or t < 2 * EVERY_S:
        return None
    usual = 0.15 + 0.1 * math.sin(t / 37 + n) if "availability" in slo else SLOS[slo][1] / 2
    usual *= 1 + 0.3 * math.sin(t / 11 + 2 * n) * (window <= 17)  # short windows are noisier
    overlap = max(0.0, min(t, BURST[1]) - max(t - window, BURST[0])) / window
    return round(max(usual, 0.0) + BURST_BURN.get(slo, 1.5) * overlap, 4)


def _alerts_and_history() -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """What SoakMonitor._evaluate records, evaluation by evaluation."""
    book, coverage, history = AlertBook(), Coverage(START + WARMUP_S + 10.0, tuple(SLOS)), []
    for i in range(1, int(SOAK_S / EVERY_S) + 1):
        t = i * EVERY_S
        checks = [
            AlertCheck(slo, a["severity"], a["long_s"], a["short_s"], a["burn"],
                       _burn(slo, n, t, a["long_s"]), _burn(slo, n, t, a["short_s"]))
            for n, slo in enumerate(SLOS) for a in POLICY
        ]  # fmt: skip
        entry: dict[str, dict[str, float | None]] = {}
        for c in checks:
            if c.severity == "page":
                entry.setdefault(c.slo, {}).update(
                    {f"{c.long_s:g}s": c.long_burn, f"{c.short_s:g}s": c.short_burn}
                )
        coverage.count(START + t, checks)
        history.append({"t": t, "burn": entry})
        book.update(START + t, checks)
    book.clear_all(START + SOAK_S + 1.0)
    alerts = [transition_record(transition, START) for transition in book.history]
    return alerts, history, coverage.report()


def _resources() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Series as ResourceSampler.report() writes them, and the findings judged on them."""
    times = [i * EVERY_S for i in range(int(SOAK_S / EVERY_S))]
    in_burst = [BURST[0] <= t < BURST[1] for t in times]
    values = {
        "service_rss_bytes": [62e6 + 18e6 * (1 - math.exp(-t / 30)) + 6e5 * math.sin(t / 13)
                              for t in times],
        "service_open_fds": [24.0 + (t // 5 % 3) + 6 * burst for t, burst in zip(times, in_burst, strict=True)],
        "service_loop_lag_p99_seconds": [0.0024 + 0.0008 * math.sin(t / 7) + 0.012 * burst
                                         for t, burst in zip(times, in_burst, strict=True)],
        "harness_rss_bytes": [118e6 + 14e3 * t + 4e5 * math.sin(t / 5) for t in times],
    }  # fmt: skip
    skip = {"service_loop_lag_p99_seconds": 2}  # no lag histogram before the first scrapes
    series, findings = {}, []
    for r in RESOURCES:
        t_s, v = times[skip.get(r.key, 0) :], values[r.key][skip.get(r.key, 0) :]
        series[r.key] = {"what": r.what, "unit": r.unit.symbol, "scale": r.unit.scale, "t_s": t_s,
                         "values": [float(f"{x:.6g}") for x in v], "skipped": skip.get(r.key, 0)}  # fmt: skip
        trend = fit_trend([START + t for t in t_s], v, skip_first_s=WARMUP_S)
        limits = r.thresholds
        finding = judge_growth(
            trend, limits.min_slope_per_h, limits.min_relative_pct_per_h, what=r.what,
            unit=r.unit, growing=r.growing, min_total=limits.min_total,
        )  # fmt: skip
        findings.append(finding.as_dict())
    return {"started_at": START, "series": series}, findings


def soak_result() -> dict[str, Any]:
    """A result.json as ``loadgate soak --duration 20m --page`` writes it after that soak."""
    result = realistic_result(windows=int(SOAK_S / 5))
    for metrics in [*result["samples"].values(), *result["slo_samples"].values()]:
        for name, values in metrics.items():
            metrics[name] = values[:12] * (len(values) // 12)  # steady, not drifting
    del result["baseline"]
    alerts, history, coverage = _alerts_and_history()
    resources, findings = _resources()
    drift = latency_drift(result["samples"])
    key = "loadgate/recommender/{}/page"
    pages = [{"kind": "change", "dedup_key": None, "ok": True, "attempts": 1,
              "detail": "accepted (HTTP 202) after 1 attempt"}]  # fmt: skip
    for a in alerts:
        if a["severity"] == "page":
            kind = "trigger" if a["event"] == "started" else "resolve"
            pages.append({"kind": kind, "dedup_key": key.format(a["slo"]), "ok": True,
                          "attempts": 1, "detail": "accepted (HTTP 202) after 1 attempt"})  # fmt: skip
    pages[2] |= {"attempts": 3, "detail": "accepted (HTTP 202) after 3 attempts"}
    pages.append({"kind": "change", "dedup_key": None, "ok": False, "attempts": 4,
                  "detail": "HTTP 503 after 4 attempts: Service Unavailable (retried for 55 s, "
                  "the bound per event)"})  # fmt: skip
    result["soak"] = {
        "policies": {slo: POLICY for slo in SLOS},
        "evaluate_every_s": EVERY_S,
        "alerts": alerts,
        "burn_history": history,
        "coverage": coverage,
        "pages": pages,
        "resources": resources,
        "findings": [*findings, *([drift.as_dict()] if drift else [])],
        "aborted": None,
        "problems": [
            "SLO 'home-availability-client', 17s window: Prometheus at http://127.0.0.1:41873 "
            "did not answer within 5 s (ConnectError: [Errno 111] Connection refused)"
        ],
    }
    result["verdict"], result["exit_code"] = "fail", 1
    result["reasons"] = [
        "SLO 'home-availability-client' fired a page-level burn-rate alert at 485s into the soak",
        "harness RSS grows 50 MB/h — a leak",
    ]
    return json.loads(json.dumps(result, allow_nan=False))


def test_the_fixture_is_the_soak_it_claims_to_be() -> None:
    soak = soak_result()["soak"]
    fired = {(a["slo"], a["severity"]) for a in soak["alerts"] if a["event"] == "started"}
    assert {("home-availability-client", "page"), ("home-availability-server", "page")} <= fired
    statuses = {f["what"]: f["status"] for f in soak["findings"]}
    assert statuses["harness RSS"] == "leaking" and statuses["service RSS"] == "flat"
    assert 0 < max(soak["coverage"]["with_data"].values()) < soak["coverage"]["evaluations"]


def test_missing_pieces_become_sentences() -> None:
    html = soak_section({})
    for sentence in (
        "No burn-rate alert fired during the soak.",
        "No burn rates were recorded during the soak",
        "No resource was sampled during the soak.",
        "No page or change event was sent",
        "coverage was not measured",
        "The soak monitor reported no problems.",
    ):
        assert sentence in html
    assert "plotly-graph-div" not in html

    html = soak_section(
        {"evaluate_every_s": 5, "alerts": [], "burn_history": [{"t": 5.0, "burn": {"a": {}}}],
         "resources": {"series": {"service_rss_bytes": {"what": "service RSS", "t_s": [],
                                                        "values": [], "skipped": 7}}},
         "findings": [], "coverage": {"evaluations": 10, "with_data": {}, "watched": {"a": False}},
         "policies": {"a": POLICY}}
    )  # fmt: skip
    assert "No burn-rate alert fired during the soak (evaluated every 5 s)." in html
    assert "Burn rates of a: no evaluation had data." in html
    assert "No trend was fitted to service RSS. (7 samples had no data.)" in html
    assert "service RSS: no samples were recorded." in html
    assert "too little data" in html  # an SLO never measured is listed, not left out
    assert "plotly-graph-div" not in html

    nonsense = {"alerts": "x", "burn_history": [1, {"t": "x"}], "resources": {"series": {"k": 3}},
                "findings": [None], "coverage": [], "pages": [{}], "problems": "?"}  # fmt: skip
    assert "k: no samples were recorded." in soak_section(nonsense)


def test_the_soak_section_draws_what_the_soak_saw() -> None:
    result = soak_result()
    html = render_html(result)
    assert html.count("* plotly.js v") == 1
    assert html.count('id="chart-soak-burn-') == BURN_CHARTS
    assert html.count('id="chart-soak-resource-') == RESOURCE_CHARTS
    assert "0:08:05" in html  # the first page, in the alerts table
    for unit in ("MB", "fds", "ms"):  # each resource's axis in the unit result.json gives it
        assert f'"title":{{"text":"{unit}"}}' in html
    assert "page above 14.4\\u00d7 (17\\u002f10 s)" in html  # as Plotly's JSON writes it
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
    html = soak_section({"resources": {"series": series}, "coverage": coverage})

    assert '"y":[2.0,4.0]' in html and '"title":{"text":"k"}' in html
    rows = {row.split("</td>")[0]: row for row in html.split("<tr><td>")[1:]}
    assert "too little data" in rows["a"] and "watched" in rows["b"]
    assert "at least 80% needed" in html
