"""``loadgate history show``: runs grouped into series that never mix traffics, the flags checked
(an unknown metric or a value the history has never seen is exit 2, naming what exists; nothing
to show is exit 3), the terminal table with sparklines, each change point on a line naming its
first run, creep as a sentence, and the same as markdown. Runs are built by hand and the detector
is a stand-in (tests/history_runs.py); the trend report is tested in tests/report/."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest
from rich.console import Console

from harness.cli_history import ShowOptions, add_history_show_arguments, show_history, show_options
from harness.errors import InconclusiveError, InputError
from harness.history.sentences import change_point_line, sparkline, traffic_title
from harness.history.trends import Filters, group_series
from harness.values.history import SeriesKey
from tests.history_runs import HOME, MIN_RUNS, P50, P99, runs, stand_in_detector

ALL = SeriesKey("all", "p99_ms")


def parse(*flags: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="loadgate history show")
    add_history_show_arguments(parser)
    return parser.parse_args(["--history", "h.sqlite", *flags])


def shown(history: list, *flags: str, tmp_path: Path | None = None) -> tuple[int, str, list[str]]:
    """What ``history show`` prints for these runs: (exit code, stdout, lines said)."""
    out = io.StringIO()
    said: list[str] = []
    console = Console(file=out, width=200, color_system=None)
    code = show_history(
        history, show_options(parse(*flags)), stand_in_detector(), console, said.append
    )
    return code, out.getvalue(), said


def test_a_series_never_mixes_traffics_and_leaves_inconclusive_runs_out() -> None:
    history = [
        *runs([100.0] * 3, verdicts=["pass", "inconclusive", "fail"]),
        *runs([200.0] * 2, fingerprint="other-traffic", first=3),
        *runs([50.0] * 2, scenario="smoke", first=5),
        *runs([60.0] * 2, mode="duet", first=7),  # the candidate's side: half the users
    ]
    groups = group_series(list(reversed(history)))  # in any order: sorted by time

    assert [(g.scenario, g.fingerprint, g.duet, len(g.runs), g.left_out) for g in groups] == [
        ("ci", "a1b2c3d4e5f60718", False, 2, 1),
        ("ci", "other-traffic", False, 2, 0),
        ("ci", "a1b2c3d4e5f60718", True, 2, 0),
        ("smoke", "a1b2c3d4e5f60718", False, 2, 0),
    ]
    assert traffic_title(groups[2]).startswith(
        "ci · traffic a1b2c3d4e5f6 (duets: the candidate's side) · 2 runs"
    )
    [series] = groups[0].series
    assert series.key == P99 and series.values == [100.0, 100.0]
    assert [r.verdict for r in series.runs] == ["pass", "fail"]
    assert groups[1].series[0].values == [200.0, 200.0]


def test_filters_keep_scenarios_branches_endpoints_and_metrics_any_of_each() -> None:
    history = [
        *runs([100.0] * 2, keys=(P50, P99, ALL)),
        *runs([100.0] * 2, keys=(P50, P99), branch="feature", first=2),
        *runs([9.0], scenario="smoke", first=4),
    ]
    keep = Filters(frozenset({"ci"}), frozenset({"main"}), frozenset({HOME}), frozenset({"p99_ms"}))
    [group] = group_series(history, keep)
    assert [s.key for s in group.series] == [P99] and len(group.runs) == 2

    both_branches = Filters(branches=frozenset({"main", "feature"}), metrics=frozenset({"p50_ms"}))
    [ci, smoke] = group_series(history, both_branches)
    assert [(s.key, len(s.runs)) for s in ci.series] == [(P50, 4)] and smoke.series == ()


def test_the_sparkline_runs_oldest_to_newest_between_its_own_extremes() -> None:
    assert sparkline([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]) == "▁▂▃▄▅▆▇█"
    assert sparkline([8.0, 1.0]) == "█▁"
    assert sparkline([5.0, 5.0, 5.0]) == "▄▄▄"  # flat is flat, not a floor
    assert sparkline([1.0] * 40 + [2.0], width=10) == "…▁▁▁▁▁▁▁▁▁█"
    assert sparkline([]) == ""


def test_a_change_point_line_names_its_first_run_commit_interval_and_confidence() -> None:
    history = runs([100.0] * 10 + [115.0] * 5)
    [point] = stand_in_detector().change_points(P99, history)
    line = change_point_line(point)
    first = history[10]
    assert line == (
        f"p99_ms of {HOME}: +15.0 % (95 % CI +11.0 to +19.0 %) from run {first.run_id} "
        f"(commit {first.commit[:12]}) on, 100 ms → 115 ms, confidence 99.0 %"
    )


def test_the_terminal_shows_a_table_per_traffic_then_change_points_then_creep() -> None:
    history = [
        *runs([100.0] * 10 + [115.0] * 5, keys=(P50, P99)),
        *runs([100.0] * 4 + [100.0 * 1.03**i for i in range(1, 9)], scenario="soak", first=20),
    ]
    code, out, said = shown(history)

    assert code == 0 and said == []
    ci, soak = out.split("soak · traffic")
    lines = ci.splitlines()
    title = "ci · traffic a1b2c3d4e5f6 · 15 runs, 2026-11-01 to 2026-11-02"
    assert lines[0].rstrip() == title
    row = next(line for line in lines if "p99_ms" in line and HOME in line)
    assert "▁▁▁▁▁▁▁▁▁▁█████" in row and "115 ms" in row and "+15.0 %" in row
    first = history[10]
    change_lines = [line.strip() for line in lines if line.strip().startswith("change point")]
    assert change_lines == [
        f"change point {P50.label()}: +15.0 % (95 % CI +11.0 to +19.0 %) from run {first.run_id} "
        f"(commit {first.commit[:12]}) on, 20 ms → 23 ms, confidence 99.0 %",
        f"change point {P99.label()}: +15.0 % (95 % CI +11.0 to +19.0 %) from run {first.run_id} "
        f"(commit {first.commit[:12]}) on, 100 ms → 115 ms, confidence 99.0 %",
    ]
    creep = [line.strip() for line in soak.splitlines() if line.strip().startswith("creep")]
    assert len(creep) == 1
    assert creep[0].startswith(f"creep p99_ms of {HOME} rose 27 % over the last 9 runs on main")
    assert "creep" not in ci and soak.count("change point") == 6  # a step each, once seen


def test_quiet_and_short_histories_say_why_nothing_is_marked() -> None:
    _, quiet, _ = shown(runs([100.0] * 12))
    assert "no change point, no creep" in quiet
    _, short, _ = shown(runs([100.0, 150.0]))
    assert f"too few runs for the detector: it needs ≥ {MIN_RUNS} a series" in short
    assert "change point" not in short.replace("no change point", "")
    _, left_out, _ = shown(runs([100.0] * 3, verdicts=["pass", "inconclusive", "pass"]))
    assert "1 inconclusive run left out (their numbers are not a level)" in left_out


def test_an_unknown_metric_is_refused_naming_the_allowed_ones() -> None:
    with pytest.raises(InputError) as caught:
        show_options(parse("--metric", "p98_ms", "--metric", "p99_ms", "--tolerance", "0"))
    assert [str(p) for p in caught.value.problems] == [
        "command line: --metric: 'p98_ms' is not a metric; allowed: p50_ms, p95_ms, p99_ms, "
        "error_ratio, throughput, sli, burn_rate",
        "command line: --tolerance: 0 is not allowed; allowed: a percentage above 0 and below 1000",
    ]


def test_a_filter_value_the_history_never_saw_is_refused_naming_those_it_has() -> None:
    history = runs([100.0] * 3) + runs([100.0], scenario="smoke", branch="feature", first=3)
    with pytest.raises(InputError) as caught:
        shown(history, "--scenario", "cii", "--branch", "mian", "--endpoint", "GET /home")
    assert [str(p) for p in caught.value.problems] == [
        "command line: --scenario: 'cii' has no run in the history; it has: 'ci', 'smoke'",
        "command line: --branch: 'mian' has no run in the history; it has: 'feature', 'main'",
        f"command line: --endpoint: 'GET /home' has no run in the history; it has: '{HOME}'",
    ]


def test_nothing_to_show_is_inconclusive_never_a_silent_success() -> None:
    with pytest.raises(InconclusiveError, match="the history holds no run yet"):
        shown([])
    history = runs([100.0] * 3) + runs([100.0], scenario="smoke", branch="feature", first=3)
    with pytest.raises(InconclusiveError, match="no judged run has them all together"):
        shown(history, "--scenario", "smoke", "--branch", "main")
    with pytest.raises(InconclusiveError, match="no series to show"):
        shown(runs([100.0], verdicts=["inconclusive"]))


def test_markdown_for_a_step_summary_and_the_trend_report_are_written(tmp_path: Path) -> None:
    history = runs([100.0] * 10 + [115.0] * 5, run_dir=str(tmp_path / "reports"))
    markdown, html = tmp_path / "out" / "trend.md", tmp_path / "out" / "trend.html"
    code, _, said = shown(history, "--markdown", str(markdown), "--html", str(html))

    assert code == 0 and said == [f"trend report: {html}", f"markdown: {markdown}"]
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("## Run history\n\n### ci · traffic a1b2c3d4e5f6 · 15 runs")
    assert f"| {HOME} | p99_ms | 15 | ▁▁▁▁▁▁▁▁▁▁█████ | 115 ms | +15.0 % |" in text
    assert f"- 📍 **change point**: {P99.label()}: +15.0 %" in text
    assert html.read_text(encoding="utf-8").count('class="plotly-graph-div"') == 1
    assert sorted(p.name for p in html.parent.iterdir()) == ["trend.html", "trend.md"]


def test_a_file_that_cannot_be_written_is_the_flag_s_problem(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("in the way")
    with pytest.raises(InputError, match=r"--markdown: .* cannot be written"):
        shown(runs([100.0] * 3), "--markdown", str(tmp_path / "file" / "trend.md"))


def test_a_history_file_that_does_not_exist_is_refused_and_not_created(tmp_path: Path) -> None:
    from harness.cli_history import run_history_show

    missing = tmp_path / "typo.sqlite"
    args = parse("--metric", "p99_ms")
    args.history = str(missing)
    with pytest.raises(InputError, match=r"--history: .*typo.sqlite' is not a file"):
        run_history_show(args, print)
    assert not missing.exists()


def test_show_options_keep_every_value_of_a_repeated_filter() -> None:
    options = show_options(parse("--scenario", "ci", "--scenario", "smoke", "--branch", "main"))
    assert options == ShowOptions(Filters(frozenset({"ci", "smoke"}), frozenset({"main"})))
