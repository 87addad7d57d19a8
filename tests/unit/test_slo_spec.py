"""OpenSLO v1 → the SLO model. Bad specs: a table whose keys are sentences, each with its message."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import InputError
from harness.slo.loader import load_slo_files
from harness.values.slo import CLIENT_EVENTS_QUERY
from tests.conftest import REPO, write
from tests.e2e.slo_texts import client_availability_slo, client_latency_slo, raw_slo, sloth_raw_slo

VALID = client_availability_slo("home-availability", 0.99)
RATIO = "sum(increase(ok_total[{{window}}])) / sum(increase(all_total[{{window}}]))"
COUNT = "sum(increase(all_total[{{window}}]))"
ANNOTATED = raw_slo("home-raw", RATIO, 0.99, events=COUNT)
# The same annotation on the inline indicator as well as on the SLO.
TWICE = ANNOTATED.replace(
    "    metadata:\n      name: home-raw\n",
    f"    metadata:\n      name: home-raw\n      annotations:\n"
    f"        loadgate/events-query: '{COUNT}'\n",
)


def test_the_shipped_slos_load_into_the_model() -> None:
    slos = load_slo_files([REPO / "slo/recommender.yaml"])

    assert [s.name for s in slos] == [
        "home-availability-client",
        "home-latency-client",
        "home-availability-server",
        "home-latency-server",
        "home-full-client",
        "home-fresh-client",
        "recommendations-valid-client",
        "home-nonempty-server",
        "home-fresh-server",
    ]
    nonempty = slos[7]  # a quality SLO counting bad events (#14)
    assert nonempty.bad_query is not None and 'le="0.0"' in nonempty.bad_query
    assert nonempty.good_query is None and nonempty.objective == 0.995
    latency = slos[1]
    assert latency.objective == 0.99
    assert latency.service == "recommender"
    assert latency.time_window_s == 28 * 86400
    assert latency.good_query is not None and 'le="0.1"' in latency.good_query
    assert "{{window}}" in latency.total_query
    assert latency.bad_query is None


def test_target_percent_is_read_as_a_ratio(tmp_path: Path) -> None:
    path = write(tmp_path / "slo.yaml", VALID.replace("- target: 0.99", "- targetPercent: 99.5"))
    [slo] = load_slo_files([path])
    assert slo.objective == pytest.approx(0.995)


FULL = (REPO / "tests/testdata/slo/openslo-full.yaml").read_text()
SLOTH = (REPO / "tests/testdata/slo/sloth.yaml").read_text()

BAD_SPECS = {
    "A wrong apiVersion should fail.": (
        VALID.replace("openslo/v1", "openslo/v2"),
        "apiVersion: 'openslo/v2' is not supported; allowed: openslo/v1",
    ),
    "An SLO without objectives should fail.": (
        VALID.split("  objectives:")[0],
        "spec.objectives: is required",
    ),
    "A target of 1.5 should fail with the allowed range.": (
        VALID.replace("target: 0.99", "target: 1.5"),
        "spec.objectives[0].target: 1.5 is out of range; allowed: a ratio above 0 and below 1",
    ),
    "A target written as a percentage should fail.": (
        VALID.replace("target: 0.99", "target: 99"),
        "99 is out of range",
    ),
    "An unknown indicator reference should fail naming the SLIs there are.": (
        FULL.replace("indicatorRef: similar-errors", "indicatorRef: similar-errorz"),
        "spec.indicatorRef: 'similar-errorz' is not a known SLI; allowed: similar-errors",
    ),
    "An unknown alert policy reference should fail.": (
        FULL.replace("    - page-on-fast-burn", "    - page-on-slow-burn"),
        "'page-on-slow-burn' is not a known AlertPolicy; allowed: page-on-fast-burn",
    ),
    "An unknown data source reference should fail.": (
        FULL.replace("metricSourceRef: prometheus", "metricSourceRef: thanos", 1),
        "'thanos' is not a known DataSource; allowed: prometheus",
    ),
    "An alert policy naming an unknown condition should fail.": (
        FULL.replace("conditionRef: fast-burn", "conditionRef: fastest-burn"),
        "alert policy 'page-on-fast-burn' → spec.conditions[0].conditionRef: 'fastest-burn' is not a known AlertCondition",
    ),
    "A query without {{window}} that cannot be read over the window should fail.": (
        VALID.replace("[{{window}}]", "[5m:1m]", 1),
        "has no {{window}} placeholder, and loadgate_client_requests_total{"
        'name="/v1/recommendations/home", outcome="ok"}[5m:1m] is a subquery',
    ),
    "A latency threshold between the client histogram's buckets should fail.": (
        client_latency_slo("home-fast", "0.3", 0.99),
        "latency threshold 0.3s is not a bucket boundary of loadgate_client_request_duration_seconds",
    ),
    "A thresholdMetric asking for slower requests should fail.": (
        FULL.replace("    - op: lte", "    - op: gte"),
        "spec.objectives[0].op: 'gte' is not allowed; allowed: lt, lte",
    ),
    "Timeslices budgeting should fail, saying what is allowed.": (
        VALID.replace("budgetingMethod: Occurrences", "budgetingMethod: Timeslices"),
        "spec.budgetingMethod: 'Timeslices' is not supported; allowed: Occurrences",
    ),
    "A calendar window should fail, showing the value as written.": (
        VALID.replace("isRolling: true", "isRolling: false"),
        "spec.timeWindow[0].isRolling: false is not supported: calendar windows are not; "
        "allowed: true (a rolling window)",
    ),
    "A thresholdMetric latency of 0 should fail naming it, not vanish.": (
        FULL.replace("      value: 0.25", "      value: 0"),
        "spec.objectives[0].value: 0 is out of range; allowed: a latency in seconds above 0, "
        "e.g. 0.25",
    ),
    "A negative thresholdMetric latency should fail naming it.": (
        FULL.replace("      value: 0.25", "      value: -0.5"),
        "spec.objectives[0].value: -0.5 is out of range; allowed: a latency in seconds above 0",
    ),
    "A thresholdMetric objective without op should fail naming the field.": (
        FULL.replace("    - op: lte\n      value: 0.25", "    - value: 0.25"),
        "spec.objectives[0].op: is required for a thresholdMetric; allowed: lt or lte, with "
        "value a latency in seconds",
    ),
    "A thresholdMetric objective without value should fail naming the field.": (
        FULL.replace("      value: 0.25\n", ""),
        "spec.objectives[0].value: is required for a thresholdMetric; allowed: a latency in "
        "seconds above 0, e.g. 0.25",
    ),
    "An unknown kind should fail.": (
        VALID.replace("kind: SLO", "kind: Dashboard"),
        "kind: 'Dashboard' is not supported; allowed: SLO, SLI, Service, DataSource, AlertPolicy",
    ),
    "An indicator with neither good nor bad should fail.": (
        VALID.replace("        good:", "        nice:"),
        "ratioMetric: has none of good, bad; allowed: exactly one of good or bad",
    ),
    "A name that is not a DNS label should fail.": (
        VALID.replace("name: home-availability\nspec", "name: Home Availability\nspec"),
        "metadata.name: 'Home Availability' is not allowed",
    ),
    "A duplicate SLO name in one file should fail.": (
        VALID + "---\n" + VALID,
        "SLO name 'home-availability' is already defined",
    ),
    "A YAML syntax error should fail with its line.": (
        VALID.replace("  service: recommender", "  service: [recommender"),
        "YAML syntax",
    ),
    "A Sloth spec of another version should fail.": (
        SLOTH.replace('version: "prometheus/v1"', 'version: "prometheus/v2"'),
        "version: 'prometheus/v2' is not supported; allowed: prometheus/v1",
    ),
    "A Sloth objective above 100 should fail.": (
        SLOTH.replace("objective: 99.9", "objective: 999"),
        "slo 'myservice-requests-availability' → slos[0].objective: 999 is out of range",
    ),
    "An events-query annotation on an SLO with a total query should fail.": (
        VALID.replace(
            "  name: home-availability\nspec",
            f"  name: home-availability\n  annotations:\n    loadgate/events-query: '{COUNT}'\nspec",
        ),
        "metadata.annotations.loadgate/events-query: only a raw ratio (rawType and raw) takes it",
    ),
    "An events-query annotation without {{window}} should fail.": (
        ANNOTATED.replace("[{{window}}]))'\nspec", "[5m]))'\nspec"),
        "metadata.annotations.loadgate/events-query: the query must contain the {{window}} placeholder",
    ),
    "An events-query annotation on both the SLO and its indicator should fail.": (
        TWICE,
        "metadata.annotations.loadgate/events-query: is also given on the SLI; allowed: one of the two",
    ),
    "Sloth SLO labels that are not a mapping should fail, not crash.": (
        SLOTH.replace(
            "    labels:\n      category: availability\n", "    labels: [availability]\n"
        ),
        "slos[0].labels: ['availability'] is not allowed; allowed: a mapping of label names",
    ),
    "A Sloth query without {{.window}} should fail.": (
        SLOTH.replace("[{{.window}}]))\n        total_query", "[5m]))\n        total_query"),
        "the query must contain the {{.window}} placeholder",
    ),
}


@pytest.mark.parametrize("case", list(BAD_SPECS))
def test_bad_specs_fail_with_a_message_naming_the_field(case: str, tmp_path: Path) -> None:
    text, message = BAD_SPECS[case]
    assert text not in (VALID, FULL, SLOTH, ANNOTATED), "the case did not change its input"
    path = write(tmp_path / "slo.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    rendered = str(caught.value)
    assert message in rendered
    assert str(path) in rendered
    assert all(problem.line for problem in caught.value.problems), "every problem names its line"


@pytest.mark.parametrize("case", list(BAD_SPECS))
def test_loadgate_validate_exits_2_on_each_bad_spec(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "slo.yaml", BAD_SPECS[case][0])

    assert main(["validate", str(path)]) == 2
    assert BAD_SPECS[case][1] in capsys.readouterr().err


def test_duplicate_names_across_files_fail_naming_both_files(tmp_path: Path) -> None:
    first = write(tmp_path / "a.yaml", VALID)
    second = write(tmp_path / "b.yaml", VALID)

    with pytest.raises(InputError, match=r"already defined in .*a\.yaml"):
        load_slo_files([first, second])


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = VALID.replace("target: 0.99", "target: 7").replace("[{{window}}]", "[5m:1m]", 1)
    path = write(tmp_path / "slo.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    assert len(caught.value.problems) == 2


REFERENCED_RAW_SLI = f"""\
apiVersion: openslo/v1
kind: SLI
metadata:
  name: home-raw-sli
  annotations:
    loadgate/events-query: '{COUNT}'
spec:
  ratioMetric:
    counter: true
    rawType: failure
    raw:
      metricSource:
        type: Prometheus
        spec:
          query: '{RATIO}'
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: home-raw
spec:
  service: recommender
  indicatorRef: home-raw-sli
  budgetingMethod: Occurrences
  objectives:
    - target: 0.99
"""
RAW_SPECS = {
    "An OpenSLO raw ratio without an annotation is counted by the load generator's requests.": (
        raw_slo("home-raw", RATIO, 0.99),
        None,
    ),
    "An OpenSLO raw ratio annotated on the SLO is counted by its own query.": (ANNOTATED, COUNT),
    "An OpenSLO raw ratio annotated on its referenced SLI is counted by its own query.": (
        REFERENCED_RAW_SLI,
        COUNT,
    ),
    "A Sloth raw SLI (its spec has no place for a count) is counted by the load generator's requests.": (
        sloth_raw_slo("raw", "1 - " + RATIO, 99),
        None,
    ),
}


@pytest.mark.parametrize("case", list(RAW_SPECS))
def test_raw_ratios_know_what_counts_their_events(case: str, tmp_path: Path) -> None:
    text, own_count = RAW_SPECS[case]
    path = write(tmp_path / "slo.yaml", text)

    raw = [slo for slo in load_slo_files([path]) if slo.raw_query is not None]

    assert len(raw) == 1
    assert raw[0].events_query == own_count
    assert raw[0].count_query == (own_count or CLIENT_EVENTS_QUERY)
