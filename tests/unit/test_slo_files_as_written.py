"""SLO files as the ecosystem writes them (#15): what Sloth's and OpenSLO's own examples do, in
fixtures of our own that use the same features."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import InputError
from harness.slo.loader import load_slo_files
from harness.slo.policy import DEFAULT_POLICY, load_policy, prom_duration
from harness.slo.rules import recording_rules
from tests.conftest import write

SLI = """\
apiVersion: openslo/v1
kind: SLI
metadata:
  name: checkout-errors
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        type: Prometheus
        spec:
          query: sum(increase(http_requests_total{route="/checkout", code=~"5.."}[{{window}}]))
    total:
      metricSource:
        type: Prometheus
        spec:
          query: sum(increase(http_requests_total{route="/checkout"}[{{window}}]))
"""
SLO_USING_SLI = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
spec:
  service: shop
  indicatorRef: checkout-errors
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
"""
LATENCY_SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-fast
spec:
  service: shop
  indicator:
    metadata:
      name: checkout-fast
    spec:
      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: http_request_duration_seconds{route="/checkout"}
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - op: lte
      value: 0.25
      target: 0.99
"""


def line_of(text: str, needle: str) -> int:
    """The 1-based line of ``needle`` in ``text``: where an error about it must point."""
    return text[: text.index(needle)].count("\n") + 1


def test_validate_resolves_an_indicator_ref_to_an_sli_in_another_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sli = write(tmp_path / "sli.yaml", SLI)
    slo = write(tmp_path / "slo.yaml", SLO_USING_SLI)

    assert main(["validate", str(slo), str(sli)]) == 0, capsys.readouterr().err
    assert "1 SLO(s) and 0 scenario(s) in 2 file(s)" in capsys.readouterr().out


def test_validate_still_refuses_an_indicator_ref_no_file_defines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sli = write(tmp_path / "sli.yaml", SLI.replace("checkout-errors", "cart-errors"))
    slo = write(tmp_path / "slo.yaml", SLO_USING_SLI)

    assert main(["validate", str(slo), str(sli)]) == 2
    err = capsys.readouterr().err
    assert "spec.indicatorRef: 'checkout-errors' is not a known SLI; allowed: cart-errors" in err
    assert str(slo) in err


def test_loading_the_files_together_gives_the_slo_its_sli(tmp_path: Path) -> None:
    sli = write(tmp_path / "sli.yaml", SLI)
    slo = write(tmp_path / "slo.yaml", SLO_USING_SLI)

    [loaded] = load_slo_files([slo, sli])

    assert loaded.bad_query is not None and 'code=~"5.."' in loaded.bad_query


@pytest.mark.parametrize(("duration", "days"), [("1w", 7), ("2w", 14), ("4w", 28), ("1M", 30)])
def test_openslo_duration_shorthand_sets_the_slo_window(
    duration: str, days: int, tmp_path: Path
) -> None:
    path = write(tmp_path / "slo.yaml", SLI + "---\n" + SLO_USING_SLI.replace("28d", duration))

    [slo] = load_slo_files([path])

    assert slo.time_window_s == days * 86400


def test_a_one_month_slo_alerts_on_the_policy_windows_as_written(tmp_path: Path) -> None:
    """A month is the policy's 30 days: 14.4× over 1h/5m pages, no window is rescaled."""
    path = write(tmp_path / "slo.yaml", SLI + "---\n" + SLO_USING_SLI.replace("28d", "1M"))
    [slo] = load_slo_files([path])

    policy = load_policy(DEFAULT_POLICY).scaled_to(slo.time_window_s)
    records = [rule["record"] for rule in recording_rules(slo, policy)["rules"]]

    assert [prom_duration(w) for w in policy.windows()] == [
        "5m",
        "30m",
        "1h",
        "2h",
        "6h",
        "1d",
        "3d",
    ]
    assert "slo:sli_error:ratio_rate1h" in records


def test_an_slo_window_that_is_no_duration_says_what_is_allowed(tmp_path: Path) -> None:
    text = SLI + "---\n" + SLO_USING_SLI.replace("28d", "1 month")
    path = write(tmp_path / "slo.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert problem.source == str(path)
    assert problem.field == "slo 'checkout-availability' → spec.timeWindow[0].duration"
    assert problem.message.startswith("'1 month' is not a duration such as 28d, 4w or 1M")
    assert problem.line == line_of(text, "- duration")


@pytest.mark.parametrize(
    "objective",
    [
        "- op: gt\n      value: 0.95\n      target: 0.999",  # a threshold we must not read
        "- op: lte\n      target: 0.999",  # op without value: no threshold asked for
        "- value: 10\n      targetPercent: 99.9",
    ],
)
def test_op_and_value_on_a_ratio_objective_are_ignored(objective: str, tmp_path: Path) -> None:
    """OpenSLO: op and value apply to threshold metrics only, and its examples write them anyway."""
    text = SLI + "---\n" + SLO_USING_SLI.replace("- target: 0.999", objective)
    assert text != SLI + "---\n" + SLO_USING_SLI
    path = write(tmp_path / "slo.yaml", text)

    [slo] = load_slo_files([path])

    assert slo.objective == pytest.approx(0.999)
    assert slo.latency is None and slo.bad_query is not None


def test_op_on_a_threshold_objective_is_still_read(tmp_path: Path) -> None:
    text = LATENCY_SLO.replace("op: lte", "op: gt")
    path = write(tmp_path / "slo.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert problem.field == "slo 'checkout-fast' → spec.objectives[0].op"
    assert problem.message == "'gt' is not allowed; allowed: lt, lte (requests faster than value)"
    assert problem.line == line_of(text, "op: gt")
