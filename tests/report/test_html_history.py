"""The trend report of ``loadgate history show --html``: one offline page (plotly.js inlined once,
no request beyond itself), a chart per series with its change points marked, every text escaped,
each point linked to its run's report.html — relative to the page — and opened by a click, in
Debian's headless Chromium (tests/report/test_html_report.py's ``offline_page``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from plotly.offline import get_plotlyjs

from harness.history.detection import detect
from harness.history.trends import group_series
from harness.report.html_history import render_history_html, run_link, write_history_html
from harness.values.history import SeriesKey
from tests.history_runs import HOME, MIN_RUNS, P50, P99, runs, stand_in_detector
from tests.report.test_html_report import REPO, _require_chromium, offline_page

ARTIFACT = REPO / "reports" / "test-artifacts" / "history-html.png"


def trend(reports: Path) -> list:
    """ci: p50 and p99 of home with a +15 % step at run 10; smoke: a flat p99 (no change)."""
    history = [
        *runs([100.0] * 10 + [115.0] * 6, keys=(P50, P99), run_dir=str(reports)),
        *runs([40.0] * 9, scenario="smoke", first=20, run_dir=str(reports)),
    ]
    return detect(group_series(history), stand_in_detector(), 10.0)


def test_the_page_is_written_atomically_with_plotly_inlined_once(tmp_path: Path) -> None:
    path = write_history_html(tmp_path / "trend.html", trend(tmp_path / "reports"), MIN_RUNS)
    assert [p.name for p in tmp_path.iterdir()] == ["trend.html"]  # no temporary file left
    html = path.read_text(encoding="utf-8")
    assert html.count('class="plotly-graph-div"') == 3 and html.count("* plotly.js v") == 1
    ours = html.replace(get_plotlyjs(), "").lower()
    assert "<script src" not in ours and "<link" not in ours and "cdn.plot.ly" not in ours


def test_links_are_relative_to_the_page_and_never_read_as_a_scheme(tmp_path: Path) -> None:
    [run] = runs([1.0], run_dir=str(tmp_path / "reports"))
    assert run_link(run, tmp_path / "site") == "../reports/0/report.html"
    [remote] = runs([1.0], run_dir="https://ci.example/artifacts/r")
    assert run_link(remote, tmp_path) == "https://ci.example/artifacts/r/0/report.html"
    [nowhere] = runs([1.0])
    assert run_link(nowhere, tmp_path) is None
    [odd] = runs([1.0], run_dir="javascript:alert(1)")
    link = run_link(odd, Path.cwd())
    assert link is not None and link.startswith("javascript%3Aalert") and ":" not in link


def test_text_from_the_history_is_escaped(tmp_path: Path) -> None:
    key = SeriesKey('<img src=x onerror="alert(1)">', "p99_ms")
    history = runs([1.0] * 3, keys=(key,), scenario="<script>alert(1)</script>")
    html = render_history_html(
        detect(group_series(history), stand_in_detector(), 10.0), 8, tmp_path
    )
    ours = html.replace(get_plotlyjs(), "")
    assert "<script>alert(1)" not in ours and "<img src=x" not in ours
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in ours


def test_the_trend_report_renders_offline_and_a_click_opens_the_run(tmp_path: Path) -> None:
    _require_chromium()
    reports = tmp_path / "reports"
    groups = trend(reports)
    page_path = write_history_html(tmp_path / "site" / "trend.html", groups, MIN_RUNS)
    url = page_path.as_uri()
    step_run = groups[0].runs[10]
    with offline_page(url) as (page, requests, errors):
        charts = page.evaluate(
            """() => [...document.querySelectorAll('.plotly-graph-div')].map(d => ({
                id: d.id,
                title: d._fullLayout.title.text,
                points: d.data[0].y.length,
                shapes: d._fullLayout.shapes.length,
                marker: d.data.slice(1).map(t => t.hovertext[0]),
                drawn: d.querySelectorAll('.scatterlayer .trace path.js-line').length,
            }))"""
        )
        links = page.evaluate(
            "() => [...document.querySelectorAll('details td:first-child a')].map(a => [a.textContent, a.href])"
        )
        findings = page.locator(".findings li").all_inner_texts()
        page.locator("details").first.evaluate("d => d.open = true")
        page.screenshot(path=str(tmp_path / "history-html.png"), full_page=True)

        # Clicking the step's first point of the p99 chart opens that run's report.html.
        target = (reports / "10" / "report.html").as_uri()
        chart = page.locator("#series-0-1")
        point = chart.locator(".scatterlayer .trace").first.locator(".points path").nth(10)
        box = point.bounding_box()
        assert box is not None
        with page.expect_request(lambda request: request.url == target):
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "history-html.png", ARTIFACT)  # for a person to look at
    assert errors == []
    assert requests[0] == url and requests[1:] == [target]  # nothing else, and the click's page
    assert [(c["id"], c["title"], c["points"], c["shapes"], c["drawn"]) for c in charts] == [
        ("series-0-0", f"p50_ms of {HOME}", 16, 1, 1),
        ("series-0-1", f"p99_ms of {HOME}", 16, 1, 1),
        ("series-1-0", f"p99_ms of {HOME}", 9, 0, 1),
    ]
    assert charts[1]["marker"] == [
        f"change point: p99_ms of {HOME}: +15.0 % (95 % CI +11.0 to +19.0 %) from run "
        f"{step_run.run_id} (commit {step_run.commit[:12]}) on, 100 ms → 115 ms, confidence 99.0 %"
    ]
    assert charts[2]["marker"] == []
    assert links[0] == [groups[0].runs[-1].run_id, (reports / "15" / "report.html").as_uri()]
    assert len(links) == 16 + 9
    assert findings == [
        f"change point p50_ms of {HOME}: +15.0 % (95 % CI +11.0 to +19.0 %) from run {step_run.run_id} "
        f"(commit {step_run.commit[:12]}) on, 20 ms → 23 ms, confidence 99.0 %",
        f"change point p99_ms of {HOME}: +15.0 % (95 % CI +11.0 to +19.0 %) from run {step_run.run_id} "
        f"(commit {step_run.commit[:12]}) on, 100 ms → 115 ms, confidence 99.0 %",
        "no change point, no creep",
    ]
