"""Burn-rate policy as data, scaled to the SLO's window; the gate's burn-rate bound."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.gate.absolute import judge_absolute, max_burn_rate
from harness.gate.verdict import decide
from harness.slo.policy import DEFAULT_POLICY, load_policy, prom_duration
from harness.values.verdict import CriterionResult, SLOEvaluation, SLOStatus
from tests.conftest import write
from tests.unit.test_verdict import CLIENT, HEALTHY, WINDOW


def test_the_shipped_policy_is_the_sre_workbook_table() -> None:
    policy = load_policy(DEFAULT_POLICY)
    table = [(a.severity, a.long_s, a.short_s, a.burn) for a in policy.alerts]
    assert table == [
        ("page", 3600, 300, 14.4),
        ("page", 21600, 1800, 6.0),
        ("ticket", 86400, 7200, 3.0),
        ("ticket", 259200, 21600, 1.0),
    ]


def test_burn_factors_scale_with_the_slo_window_and_windows_stay_as_sloth_does() -> None:
    """Sloth's own table for 28 days (its google-28d windows): same windows, each alert spending
    the same share of the budget (2 %, 5 %, 10 %, 10 %), to the float Sloth computes."""
    scaled = load_policy(DEFAULT_POLICY).scaled_to(28 * 86400)

    table = [(prom_duration(a.long_s), prom_duration(a.short_s), a.burn) for a in scaled.alerts]
    assert table == [
        ("1h", "5m", 13.44),
        ("6h", "30m", 5.6000000000000005),
        ("1d", "2h", 2.8000000000000003),
        ("3d", "6h", 0.9333333333333333),
    ]
    # A 7-day SLO guards the same 2 % of its budget in the hour: 14.4 × 7/30.
    week = load_policy(DEFAULT_POLICY).scaled_to(7 * 86400)
    assert (week.alerts[0].long_s, week.alerts[0].burn) == (3600, pytest.approx(3.36))


def test_the_policy_as_written_is_kept_for_its_own_slo_window() -> None:
    policy = load_policy(DEFAULT_POLICY)

    assert policy.scaled_to(30 * 86400) == policy


def test_an_slo_shorter_than_the_longest_window_scales_the_windows_instead() -> None:
    """A 12-hour SLO cannot hold a 3-day window: windows × 12h/30d, burn factors as written."""
    half_day = load_policy(DEFAULT_POLICY).scaled_to(12 * 3600)

    table = [(a.long_s, a.short_s, a.burn) for a in half_day.alerts]
    assert table == [(60, 5, 14.4), (360, 30, 6.0), (1440, 120, 3.0), (4320, 360, 1.0)]


def test_a_policy_with_a_short_window_longer_than_its_long_window_is_refused(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "p.yaml",
        "name: odd\nslo_window: 30d\nalerts:\n  - {severity: page, long: 5m, short: 1h, burn: 14.4}\n",
    )
    with pytest.raises(InputError, match=r"alerts\[0\]\.short: must be shorter than long"):
        load_policy(path)


def test_a_policy_without_alerts_is_refused_naming_the_field(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", "name: quiet\nslo_window: 30d\n")

    with pytest.raises(InputError, match=r"p\.yaml:1: alerts: is required"):
        load_policy(path)


def evaluation(burn: float | None) -> SLOEvaluation:
    sli = None if burn is None else 1 - burn * 0.01
    status = SLOStatus.NO_DATA if burn is None else SLOStatus.MET
    return SLOEvaluation("home", status, 0.99, sli, 1000.0, burn)


def bounded(burn: float | None, bound: float = 0.5) -> list[CriterionResult]:
    return judge_absolute([max_burn_rate(bound)], None, [evaluation(burn)], None)


def test_a_gate_stricter_than_the_slo_fails_on_burn_rate_alone() -> None:
    criteria = bounded(0.8)

    assert [(c.passed, c.key) for c in criteria] == [(False, True)]  # a hard bound, not points
    verdict = decide([evaluation(0.8)], HEALTHY, WINDOW, CLIENT, criteria=criteria)
    assert verdict.exit_code == 1
    assert "burn rate of home is 0.8×; the gate requires <= 0.5×" in verdict.reasons[0]


def test_burn_rates_within_the_bound_pass_and_no_data_is_not_a_pass() -> None:
    assert [c.passed for c in bounded(0.3)] == [True]
    assert [c.passed for c in bounded(0.5)] == [True]  # the bound itself is allowed
    assert [c.passed for c in bounded(None)] == [None]
