"""loadgate calibrate's report.html: the detection curve drawn offline in headless Chromium, with
each shift's point and the A/A rates, from the summary its calibration.json holds."""

from __future__ import annotations

from pathlib import Path

from harness.calibrate.command import summarise
from harness.calibrate.options import CalibrateOptions
from harness.calibrate.report import write_report
from harness.calibrate.trials import Trial
from tests.report.test_html_report import _require_chromium, offline_page


def test_the_detection_curve_renders_offline_with_a_point_per_shift(tmp_path: Path) -> None:
    _require_chromium()
    options = CalibrateOptions(tmp_path / "ci.yaml", 10, (0.0, 10.0, 20.0), "duet", tmp_path, False)
    trials = [Trial(0.0, "pass", (), "r")] * 9 + [Trial(0.0, "warn", ("w",), "r")]
    trials += [Trial(10.0, "fail", ("f",), "r")] * 6 + [Trial(10.0, "pass", (), "r")] * 4
    trials += [Trial(20.0, "fail", ("f",), "r")] * 10
    url = write_report(tmp_path, summarise(options, trials)).as_uri()

    with offline_page(url) as (page, requests, errors):
        points = page.evaluate("() => document.getElementById('detection-curve').data[0].y")
        rates = page.locator("#rates li").all_inner_texts()

    assert requests == [url] and errors == []
    assert points == [0.0, 0.6, 1.0]  # P(fail) at 0, 10 and 20 %
    assert rates[0].startswith("false fail: 0 of 10 A/A trials (95 % CI 0.0–30.8 %)")
    assert rates[1].startswith("false warn: 1 of 10")
    assert rates[2] == "smallest slowdown failed in ≥ 95 % of trials: 20 %"
