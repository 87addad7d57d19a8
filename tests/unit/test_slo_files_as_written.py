"""SLO files as the ecosystem writes them (#15): what Sloth's and OpenSLO's own examples do, in
fixtures of our own that use the same features."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.slo.loader import load_slo_files
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
