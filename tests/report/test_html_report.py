"""report.html: a self-contained page that renders in headless Chromium with no network at all.

The input is built here in the shape of a real result.json (a 45 s CI run against a baseline),
so the test never depends on an earlier run. The browser test opens the page from a file:// URL
in Debian's Chromium through Playwright (never ``playwright install``: no browser download).
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from plotly.offline import get_plotlyjs

from harness.report.html_report import render_html, write_html
from tests.result_schema import check_result

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACT = REPO / "reports" / "test-artifacts" / "report-html.png"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ENDPOINTS = {  # name: (p50 ms, requests/s, error ratio)
    "GET /v1/recommendations/home": (2.8, 64.0, 0.002),
    "GET /v1/recommendations/similar": (1.1, 55.0, 0.0),
    "GET /v1/recommendations/trending": (1.1, 22.0, 0.0),
    "POST /v1/events": (1.0, 68.0, 0.001),
}
SLOS = {  # name: (objective, burn rate)
    "home-availability-client": (0.995, 0.4),
    "home-latency-client": (0.99, 1.3),
    "home-availability-server": (0.999, 0.2),
    "home-latency-server": (0.99, 0.9),
}
REASONS = [
    "p99 of GET /v1/recommendations/home rose 12 % (95 % CI +4 to +19 %) against baseline "
    "`main`; tolerance +10% (warning +20%)",
    "score 88% (7.5 of 8.5 points; pass ≥ 90%, warning ≥ 75%)",
]


def _series(level: float, windows: int, phase: float, wobble: float = 0.15) -> list[float]:
    """Deterministic, noisy-looking per-window values around ``level``."""
    return [
        round(level * (1 + wobble * math.sin(1.7 * i + phase) + 0.03 * i), 4)
        for i in range(windows)
    ]


def _samples(windows: int, slower: float) -> dict[str, dict[str, list[float]]]:
    return {
        endpoint: {
            "p50_ms": _series(p50 * slower, windows, n),
            "p95_ms": _series(p50 * 3.3 * slower, windows, n + 1),
            "p99_ms": _series(p50 * 5.0 * slower, windows, n + 2),
            "error_ratio": _series(errors, windows, n, wobble=0.9) if errors else [0.0] * windows,
            "throughput": _series(rate, windows, n, wobble=0.05),
        }
        for n, (endpoint, (p50, rate, errors)) in enumerate(ENDPOINTS.items())
    }


def _endpoint(key: str, p50: float, rate: float, errors: float) -> dict[str, Any]:
    method, name = key.split(" ", 1)
    requests = round(rate * 45)
    return {
        "name": name, "method": method, "requests": requests, "failures": round(requests * errors),
        "p50_ms": p50, "p90_ms": p50 * 2.7, "p95_ms": p50 * 3.3, "p99_ms": p50 * 5.0,
        "p999_ms": p50 * 13.0, "max_ms": p50 * 18.0, "prometheus_p99_ms": p50 * 5.1,
    }  # fmt: skip


def realistic_result(windows: int = 9) -> dict[str, Any]:
    """A result.json as a warned CI run against baseline ``main`` writes it (schema 1)."""
    endpoints = [_endpoint(key, *values) for key, values in ENDPOINTS.items()]
    total = {**_endpoint("GET Aggregated", 1.5, 209.0, 0.001), "method": ""}
    criteria: list[dict[str, Any]] = [
        {"name": "burn rate of home-latency-client", "observed": 1.3, "threshold": 2.0,
         "status": "pass", "baseline": None, "effect_pct": None, "confidence_interval_pct": None,
         "p_value": None, "detail": "", "weight": 1.0, "key": True},
        {"name": "p99 of GET /v1/recommendations/home vs baseline", "observed": 15.4,
         "threshold": 10.0, "status": "warn", "baseline": 13.8, "effect_pct": 11.6,
         "confidence_interval_pct": [4.1, 19.2], "p_value": 0.004, "detail": REASONS[0],
         "weight": 2.0, "key": False},
        {"name": "throughput of POST /v1/events vs baseline", "observed": 68.2, "threshold": 5.0,
         "status": "pass", "baseline": 67.9, "effect_pct": 0.4,
         "confidence_interval_pct": [-1.2, 2.0], "p_value": 0.71, "detail": "", "weight": 1.0,
         "key": False},
    ]  # fmt: skip
    result = {
        "schema": 1,
        "verdict": "warn",
        "exit_code": 0,
        "reasons": REASONS,
        "run": {
            "id": "20261127T125858Z-ci-1cfc",
            "scenario": "scenarios/ci.yaml",
            "target": "http://127.0.0.1:41215",
            "started_at": "2026-11-27T12:58:58.743Z",
            "load_window": {
                "start": "2026-11-27T12:59:08.116Z",
                "end": "2026-11-27T12:59:53.131Z",
                "seconds": 45.015,
            },
        },
        "client": {"total": total, "endpoints": endpoints},
        "slos": [
            {
                "name": name,
                "status": "met",
                "sli": round(1 - (1 - objective) * burn, 5),
                "objective": objective,
                "events": 2880.0,
                "burn_rate": burn,
                "budget_consumed": burn * 45 / (30 * 86400),
                "detail": "",
            }
            for name, (objective, burn) in SLOS.items()
        ],
        "criteria": criteria,
        "score": {
            "value": 88.2,
            "earned": 7.5,
            "possible": 8.5,
            "pass": 90.0,
            "warning": 75.0,
            "status": "warn",
        },
        "steps": [],
        "breaking_point": None,
        "generator": {
            "cpu_max": 27.8,
            "dropped_iterations": 0,
            "target_arrival_rate": None,
            "achieved_arrival_rate": None,
            "exit_code": 0,
            "processes": [{"process": "pid 4711", "cpu_max": 27.8}],
            "iterations": 9405,
            "user_errors": 0,
            "problems": [],
            "warnings": [],
        },
        "samples": _samples(windows, 1.0),
        "slo_samples": {
            name: {"burn_rate": _series(burn, windows, n, wobble=0.6)}
            for n, (name, (_, burn)) in enumerate(SLOS.items())
        },
        "baseline": {"name": "main", "samples": _samples(windows, 0.9)},
        "fingerprint": {
            "name": "ci",
            "locustfile_sha256": "4f1c0e9a7b2d6e31",
            "model": "closed",
            "users": 20,
            "arrival_rate": None,
            "environment": {"cpus": 2, "python": "3.11.7"},
        },
        "traffic": {
            "seed": 42,
            "seed_given": True,
            "sessions": 1444,
            "distinct_visitors": 797,
            "visitors_capped": False,
            "checks": [
                {"name": "/v1/recommendations/home", "check": "full", "passed": 4050, "failed": 47},
                {
                    "name": "/v1/recommendations/home",
                    "check": "in_stock",
                    "passed": 4097,
                    "failed": 0,
                },
            ],
            "cache_hit_ratio": 0.92,
        },
    }
    return json.loads(json.dumps(result, allow_nan=False))  # exactly what result.json holds


def test_the_fixture_is_a_result_json_as_its_schema_says() -> None:
    check_result(realistic_result())


def expected_traces(result: dict[str, Any]) -> dict[str, int]:
    """Chart div id → number of line traces it must draw (p50, p95, p99 and the baseline's p99)."""
    n = len(result["samples"])
    charts = {f"chart-latency-{i}": 4 for i in range(n)}
    charts |= {"chart-throughput": n, "chart-error-ratio": n}
    charts["chart-burn-rate"] = len(result["slo_samples"])
    return charts


def test_missing_samples_baseline_and_slo_samples_become_sentences() -> None:
    result = realistic_result()
    for key in ("samples", "slo_samples", "baseline"):
        del result[key]
    result["client"], result["score"] = None, None
    result["run"]["load_window"] = None
    result["criteria"] = []
    html = render_html(result)
    assert "No per-window samples were recorded" in html
    assert "plotly-graph-div" not in html
    assert "The load generator wrote no results." in html

    result = realistic_result()
    del result["slo_samples"], result["baseline"]
    for metrics in result["samples"].values():
        metrics["error_ratio"] = []
        metrics["throughput"] = [None, None, None]  # windows without a value
    html = render_html(result)
    assert "No per-window burn rates were recorded" in html
    assert "This run was not compared with a baseline." in html
    assert "Throughput: no samples were recorded." in html
    assert "Error ratio: no samples were recorded." in html
    assert html.count('class="plotly-graph-div"') == len(ENDPOINTS)  # latency still drawn

    result = realistic_result()
    result["samples"] = {"GET /x": {}}
    result["baseline"] = {"name": "main", "samples": {}}  # a baseline of other endpoints
    result["slo_samples"] = {"home-latency-client": {}}
    html = render_html(result)
    assert "Latency of GET /x: no samples were recorded." in html
    assert "Error-budget burn rate: no samples were recorded." in html
    assert "Baseline “main” has no p99 samples for GET /x." in html
    assert "endpoints this run did not measure" not in html
    result["baseline"] = {"name": "main", "samples": {"GET /gone": {"p99_ms": [1.0]}}}
    missing = "Baseline “main” has endpoints this run did not measure: GET /gone."
    assert missing in render_html(result)


def test_text_from_the_result_is_escaped() -> None:
    result = realistic_result()
    result["reasons"] = ['<script>alert("owned")</script> & more']
    result["slos"][0]["name"] = "<b>bold</b>"
    result["criteria"][0]["name"] = "<span>not markup</span>"
    result["samples"]['<img src=x onerror="alert(1)">'] = result["samples"].pop("POST /v1/events")
    html = render_html(result)
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; more" in html
    assert "<script>alert(" not in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<span>not markup</span>" not in html
    assert "<img src=x" not in html


def test_write_html_writes_report_html_atomically(tmp_path: Path) -> None:
    path = write_html(tmp_path, realistic_result())
    assert path == tmp_path / "report.html"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left
    html = path.read_text(encoding="utf-8")
    assert html.count('class="plotly-graph-div"') == len(expected_traces(realistic_result()))
    assert html.count("* plotly.js v") == 1  # the bundle is inlined once, not per chart
    ours = html.replace(get_plotlyjs(), "").lower()  # the page without the bundle
    assert "<script src" not in ours and "<link" not in ours and "@import" not in ours
    assert "cdn.plot.ly" not in ours and "mathjax.js" not in ours


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing under CI; scripts/ensure-system-deps.sh installs it")
    pytest.skip(f"headless Chromium is not installed ({CHROMIUM}): apt-get install chromium")


@contextmanager
def offline_page(url: str) -> Iterator[tuple[Any, list[str], list[str]]]:
    """The report opened in headless Chromium, every chart drawn: (page, requests, errors).

    Any request but the page itself is recorded and aborted; console errors and page errors are
    collected — the tests assert both lists."""
    from playwright.sync_api import Request, Route, sync_playwright

    requests: list[str] = []
    errors: list[str] = []

    def only_the_page(route: Route, request: Request) -> None:
        if request.url == url:
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", only_the_page)
            page.on("request", lambda request: requests.append(request.url))
            page.on("websocket", lambda socket: requests.append(socket.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url, wait_until="load")
            page.wait_for_function(
                "() => [...document.querySelectorAll('.plotly-graph-div')]"
                ".every(d => d._fullLayout && d.querySelector('.main-svg'))",
                timeout=10_000,
            )
            yield page, requests, errors
        finally:
            browser.close()


def test_report_renders_offline_in_headless_chromium(tmp_path: Path) -> None:
    _require_chromium()
    result = realistic_result()
    url = write_html(tmp_path, result).as_uri()
    with offline_page(url) as (page, requests, errors):
        drawn = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('.plotly-graph-div')]
                .map(d => [d.id, [...d.querySelectorAll('.scatterlayer .trace path.js-line')]
                                     .filter(p => (p.getAttribute('d') || '').length > 10)
                                     .length]))"""
        )
        verdict = page.locator("#verdict .label")
        assert verdict.is_visible() and verdict.inner_text() == "WARN"
        items = page.locator("#verdict .reasons li")
        assert items.all_inner_texts() == REASONS
        assert all(items.nth(i).is_visible() for i in range(len(REASONS)))
        # What the traffic exercised, and the one check that failed (#14).
        traffic = page.locator("#traffic li")
        assert traffic.all_inner_texts() == [
            "Traffic: seed 42, 1,444 sessions by 797 distinct visitors, "
            "service cache hit ratio 92.0%.",
            "Check 'full' of /v1/recommendations/home failed on 47 of 4,097 responses (1.15%).",
        ]
        assert traffic.first.is_visible()
        screenshot = tmp_path / "report-html.png"
        page.screenshot(path=str(screenshot), full_page=True)

    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot, ARTIFACT)  # for a person to look at
    assert requests == [url], f"the page made requests beyond itself: {requests[1:]}"
    assert errors == []
    assert drawn == expected_traces(result)
