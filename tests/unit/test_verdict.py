"""The verdict's precedence: untrustworthy generator > nothing measured > breach > no data > pass."""

from __future__ import annotations

from harness.gate.verdict import decide
from harness.values.run_result import ClientStats, EndpointStats, GeneratorHealth, LoadWindow
from harness.values.status import Status
from harness.values.verdict import SLOEvaluation, SLOStatus

WINDOW = LoadWindow(1000.0, 1060.0)
HEALTHY = GeneratorHealth(cpu_max=20.0, dropped_iterations=0, exit_code=0)
STATS = EndpointStats("home", "GET", 1000, 0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
CLIENT = ClientStats(total=STATS, endpoints=(STATS,))


def slo(status: SLOStatus, name: str = "home-latency") -> SLOEvaluation:
    sli = {SLOStatus.MET: 0.999, SLOStatus.BREACHED: 0.95, SLOStatus.NO_DATA: None}[status]
    burn = None if sli is None else (1 - sli) / 0.01
    return SLOEvaluation(name, status, 0.99, sli, 1000.0, burn, "no series" if sli is None else "")


def test_all_met_passes_with_exit_0() -> None:
    verdict = decide([slo(SLOStatus.MET)], HEALTHY, WINDOW, CLIENT)
    assert (verdict.status, verdict.exit_code) == (Status.PASS, 0)


def test_a_breach_fails_with_exit_1_and_names_the_slo() -> None:
    verdict = decide(
        [slo(SLOStatus.MET, "ok-one"), slo(SLOStatus.BREACHED)], HEALTHY, WINDOW, CLIENT
    )
    assert (verdict.status, verdict.exit_code) == (Status.FAIL, 1)
    assert "home-latency" in verdict.reasons[0] and "95.000%" in verdict.reasons[0]


def test_a_breach_beside_missing_data_still_fails() -> None:
    verdict = decide(
        [slo(SLOStatus.NO_DATA, "x"), slo(SLOStatus.BREACHED)], HEALTHY, WINDOW, CLIENT
    )
    assert verdict.exit_code == 1


def test_no_data_is_inconclusive_never_pass() -> None:
    verdict = decide([slo(SLOStatus.MET, "x"), slo(SLOStatus.NO_DATA)], HEALTHY, WINDOW, CLIENT)
    assert (verdict.status, verdict.exit_code) == (Status.INCONCLUSIVE, 3)


def test_no_slos_at_all_is_inconclusive() -> None:
    assert decide([], HEALTHY, WINDOW, CLIENT).exit_code == 3


def test_a_saturated_generator_is_inconclusive_even_when_slos_breach() -> None:
    saturated = GeneratorHealth(
        cpu_max=99.0, dropped_iterations=0, exit_code=0, problems=("saturated",)
    )
    verdict = decide([slo(SLOStatus.BREACHED)], saturated, WINDOW, CLIENT)
    assert verdict.exit_code == 3 and verdict.reasons == ("saturated",)


def test_no_window_or_no_requests_is_inconclusive() -> None:
    assert decide([slo(SLOStatus.MET)], HEALTHY, None, CLIENT).exit_code == 3
    empty = EndpointStats("Aggregated", "", 0, 0, None, None, None, None, None, None)
    assert decide([slo(SLOStatus.MET)], HEALTHY, WINDOW, ClientStats(empty, ())).exit_code == 3
    assert decide([slo(SLOStatus.MET)], HEALTHY, WINDOW, None).exit_code == 3


def test_a_measurement_problem_turns_a_pass_into_inconclusive_but_not_a_fail_into_a_pass() -> None:
    problem = ["the service's /metrics stopped answering"]
    assert decide([slo(SLOStatus.MET)], HEALTHY, WINDOW, CLIENT, problem).exit_code == 3
    assert decide([slo(SLOStatus.BREACHED)], HEALTHY, WINDOW, CLIENT, problem).exit_code == 1
