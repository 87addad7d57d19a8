"""Every reporter writes numbers through one rule: a value that is not a finite number is "–"."""

from __future__ import annotations

import pytest

from harness.report.formats import num


@pytest.mark.parametrize("missing", [None, float("nan"), float("inf"), True, "12", [1]])
def test_what_is_not_a_finite_number_is_a_dash(missing: object) -> None:
    assert num(missing) == "–"
    assert num(missing, ".3%") == "–"


def test_numbers_follow_the_spec_and_suffix() -> None:
    assert num(0.99512, ".3%") == "99.512%"
    assert num(2.25, ".1f", " ms") == "2.2 ms"
    assert num(12345.0, ",.0f") == "12,345"
    assert num(0.000123) == "0.000123"


def test_a_count_read_back_from_json_as_a_float_formats_as_a_count() -> None:
    assert num(3.0, "d") == "3"  # format(3.0, "d") would raise
    assert num(7, ",d") == "7"
