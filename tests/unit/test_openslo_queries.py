"""OpenSLO queries as people write them, without {{window}} (#15, point 7): read over the load
window, the rewrite said in the SLO's detail and by the commands, the rest refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from harness.cli import main
from harness.errors import InputError
from harness.gate.verdict import decide
from harness.report.console import print_report
from harness.report.result_json import build_result
from harness.slo.evaluate import evaluate_slo
from harness.slo.loader import load_slo_files
from harness.slo.measure import SLIMeasurement
from harness.slo.policy import DEFAULT_POLICY, load_policy
from harness.slo.rules import absent_selector, recording_rules
from harness.values.slo import render_query
from harness.values.verdict import SLOEvaluation, SLOStatus, Verdict
from tests.conftest import write
from tests.unit.test_report import RUN

GOOD = 'sum(http_requests_total{route="/cart", code=~"2..|3.."})'
TOTAL = 'http_requests_total{route="/cart"}'
# An SLI as OpenSLO's README writes one: counter: true, and counters read at an instant.
SLI = f"""\
apiVersion: openslo/v1
kind: DataSource
metadata:
  name: prom
spec:
  type: Prometheus
  connectionDetails:
    url: http://prometheus:9090
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: cart-ok
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        metricSourceRef: prom
        spec:
          query: '{GOOD}'
    total:
      metricSource:
        metricSourceRef: prom
        spec:
          query: '{TOTAL}'
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: cart-availability
spec:
  service: shop
  indicatorRef: cart-ok
  timeWindow:
    - duration: 4w
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
"""
RANGED = SLI.replace(
    GOOD, 'sum(rate(http_requests_total{route="/cart", code!~"5.."}[5m]))'
).replace(TOTAL, 'sum(rate(http_requests_total{route="/cart"}[5m]))')


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_counters_read_at_an_instant_are_counted_over_the_window(tmp_path: Path) -> None:
    [slo] = load_slo_files([write(tmp_path / "slo.yaml", SLI)])

    assert slo.good_query == (
        'sum(increase(http_requests_total{route="/cart", code=~"2..|3.."}[{{window}}]))'
    )
    assert slo.total_query == 'increase(http_requests_total{route="/cart"}[{{window}}])'
    assert render_query(slo.total_query, "45012ms").endswith("[45012ms])")
    assert not slo.total_is_rate
    assert [note.split(":")[0] for note in slo.rewritten] == [
        "good query has no {{window}}",
        "total query has no {{window}}",
    ]
    assert "counter: true and no range" in slo.rewritten[0]
    assert slo.rewritten[1].endswith(
        'evaluated as increase(http_requests_total{route="/cart"}[{{window}}])'
    )


def test_ranges_of_one_duration_read_the_window_and_rate_totals_stay_rates(
    tmp_path: Path,
) -> None:
    [slo] = load_slo_files([write(tmp_path / "slo.yaml", RANGED)])

    assert slo.total_query == 'sum(rate(http_requests_total{route="/cart"}[{{window}}]))'
    assert slo.total_is_rate  # events per second: the guard multiplies by the window
    assert "all span [5m], so each spans the load window instead" in slo.rewritten[0]


def test_the_rewritten_queries_drive_the_rules_of_each_burn_window(tmp_path: Path) -> None:
    [slo] = load_slo_files([write(tmp_path / "slo.yaml", SLI)])
    policy = load_policy(DEFAULT_POLICY).scaled_to(slo.time_window_s)

    expr = recording_rules(slo, policy)["rules"][0]["expr"]

    assert 'increase(http_requests_total{route="/cart"}[5m])' in expr  # Sloth's fixed windows
    assert absent_selector(slo) == 'http_requests_total{route="/cart"}'


def test_the_slo_detail_says_what_was_rewritten_in_result_json_and_the_terminal(
    tmp_path: Path,
) -> None:
    [slo] = load_slo_files([write(tmp_path / "slo.yaml", SLI)])

    evaluation = evaluate_slo(slo, SLIMeasurement(995, None, 1000, window_s=45), min_events=100)
    document = build_result(RUN, "scenarios/ci.yaml", [evaluation], _verdict([evaluation]))
    buffer = io.StringIO()
    print_report(Console(file=buffer, width=400, color_system=None), document, "r.json")

    assert evaluation.status is SLOStatus.MET
    assert evaluation.detail == "; ".join(slo.rewritten)
    assert document["slos"][0]["detail"] == evaluation.detail  # type: ignore[index]
    assert f"cart-availability: {slo.rewritten[0]}" in buffer.getvalue()
    no_data = evaluate_slo(slo, SLIMeasurement(None, None, None, window_s=45), min_events=100)
    assert no_data.detail.startswith("the total query returned no data over the window; good")


def _verdict(evaluations: list[SLOEvaluation]) -> Verdict:
    return decide(evaluations, RUN.generator, RUN.window, RUN.client)


def test_validate_and_rules_print_what_was_rewritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "slo.yaml", SLI)

    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert main(["rules", str(path), "--out", str(tmp_path / "rules")]) == 0
    rules_out = capsys.readouterr().out

    line = line_of(SLI, "name: cart-availability")
    expected = f"note: {path}:{line}: slo 'cart-availability' → good query has no {{{{window}}}}"
    assert expected in out and expected in rules_out


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "counter: true",
            "counter: false",
            "it is an instant query and its metric is not declared a counter (counter: true)",
        ),
        (
            TOTAL,
            'sum(rate(http_requests_total{route="/cart"}[1h])) / sum(rate(x[5m]))',
            "its range selectors span different durations ([1h], [5m])",
        ),
        (
            TOTAL,
            'max_over_time(http_requests_total{route="/cart"}[1h:1m])',
            "[1h:1m] is a subquery",
        ),
    ],
    ids=["an instant gauge", "ranges of two durations", "a subquery"],
)
def test_a_query_that_cannot_be_read_over_the_window_is_refused_naming_it(
    old: str, new: str, message: str, tmp_path: Path
) -> None:
    text = SLI.replace(old, new)
    path = write(tmp_path / "slo.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    problem = caught.value.problems[0]
    query = GOOD if old == "counter: true" else new
    assert (problem.source, problem.field) == (
        str(path),
        f"sli 'cart-ok' → spec.ratioMetric.{'good' if query == GOOD else 'total'}"
        ".metricSource.spec.query",
    )
    assert problem.message.startswith(f"{query!r} has no {{{{window}}}} placeholder, and ")
    assert message in problem.message
    assert "; allowed: the {{window}} placeholder where the window belongs" in problem.message
    assert problem.line == line_of(text, f"query: '{query}'")


OK_RATE = 'sum(rate(http_requests_total{route="/cart", code!~"5.."}[5m]))'


@pytest.mark.parametrize(
    ("good", "total", "message"),
    [
        (  # alone, good took rule 1 (a rate) and total rule 2 (an increase): off by 300×
            OK_RATE,
            'sum(http_requests_total{route="/cart"})',
            f"the good query {OK_RATE} has range selectors over [5m] (each would span the "
            'window) and the total query sum(http_requests_total{route="/cart"}) reads counters '
            "at an instant",
        ),
        (
            OK_RATE,
            'sum(rate(http_requests_total{route="/cart"}[1h]))',
            "the ratio's range selectors span different durations (the good query "
            f'{OK_RATE}, the total query sum(rate(http_requests_total{{route="/cart"}}[1h])))',
        ),
        (  # one rule, one duration, but a rate over a count
            OK_RATE,
            'sum(increase(http_requests_total{route="/cart"}[5m]))',
            "is a per-second rate and the total query "
            'sum(increase(http_requests_total{route="/cart"}[{{window}}])) is a count',
        ),
        (  # the good query written with the placeholder, the total rewritten: still a rate/count
            'sum(rate(http_requests_total{route="/cart", code!~"5.."}[{{window}}]))',
            'sum(http_requests_total{route="/cart"})',
            "a ratio of a per-second rate to a count is off by the window's length in seconds",
        ),
    ],
    ids=["rate over a bare counter", "two durations", "rate over increase", "placeholder and not"],
)
def test_a_ratios_queries_are_read_together_or_refused(
    good: str, total: str, message: str, tmp_path: Path
) -> None:
    text = SLI.replace(GOOD, good).replace(TOTAL, total)
    path = write(tmp_path / "slo.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert (problem.source, problem.field, problem.line) == (
        str(path),
        "sli 'cart-ok' → spec.ratioMetric.total.metricSource.spec.query",
        line_of(text, f"query: '{total}'"),
    )
    assert message in problem.message
    assert "; allowed: " in problem.message


def test_a_ratio_of_two_rates_or_two_counts_is_read_as_written(tmp_path: Path) -> None:
    both_counts = SLI.replace(GOOD, OK_RATE.replace("rate(", "increase(")).replace(
        TOTAL, 'sum(increase(http_requests_total{route="/cart"}[300s]))'
    )

    [slo] = load_slo_files([write(tmp_path / "slo.yaml", both_counts)])

    assert slo.total_query == 'sum(increase(http_requests_total{route="/cart"}[{{window}}]))'
    assert not slo.total_is_rate


def test_a_raw_ratio_is_read_over_the_window_but_never_as_a_counter(tmp_path: Path) -> None:
    raw = (
        "  ratioMetric:\n    counter: true\n    rawType: success\n    raw:\n      metricSource:\n"
        "        type: Prometheus\n        spec:\n          query: '{query}'\n"
    )
    head = SLI.split("  ratioMetric:\n")[0]
    tail = "---\n" + SLI.split("---\n")[2]

    ranged = write(
        tmp_path / "ranged.yaml", head + raw.format(query="avg_over_time(ok_ratio[5m])") + tail
    )
    [slo] = load_slo_files([ranged])
    instant = write(tmp_path / "instant.yaml", head + raw.format(query="avg(ok_ratio)") + tail)
    with pytest.raises(InputError) as caught:
        load_slo_files([instant])

    assert slo.raw_query == "avg_over_time(ok_ratio[{{window}}])"
    assert "a raw ratio read at one instant is no ratio over the window" in str(caught.value)


def test_a_query_keeps_the_type_of_its_data_source(tmp_path: Path) -> None:
    text = SLI.replace("type: Prometheus", "type: Datadog")
    path = write(tmp_path / "slo.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    problem = caught.value.problems[0]
    assert problem.field == "sli 'cart-ok' → spec.ratioMetric.good.metricSource.type"
    assert problem.message == (
        "'Datadog' (the type of DataSource 'prom') is not supported; allowed: Prometheus"
    )
