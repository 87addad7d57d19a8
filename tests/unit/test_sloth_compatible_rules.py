"""``loadgate rules`` writes the rules Sloth writes (#15): its names for every window and period,
its ids and metadata recordings, for OpenSLO SLOs too, and its alerts."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.slo.alert_templates import expand, unsupported
from harness.slo.loader import load_slo_files
from harness.slo.policy import DEFAULT_POLICY, load_policy
from harness.slo.promtool_tests import promtool_test_file
from harness.slo.rules import alert_rules, recording_rules
from harness.slo.rules_meta import meta_recording_rules
from tests.conftest import write

OPENSLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout.availability
spec:
  service: shop
  indicator:
    metadata:
      name: checkout-errors
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: sum(increase(http_requests_total{code!~"5.."}[{{window}}]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(increase(http_requests_total[{{window}}]))
  timeWindow:
    - duration: 4w
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
"""


def test_an_openslo_slo_gets_sloths_ids_and_info_as_sloth_gives_them(tmp_path: Path) -> None:
    """Sloth names an OpenSLO SLO <service>-<name>, and says which spec it came from."""
    [slo] = load_slo_files([write(tmp_path / "slo.yaml", OPENSLO)])
    policy = load_policy(DEFAULT_POLICY).scaled_to(slo.time_window_s)

    records = [rule["record"] for rule in recording_rules(slo, policy)["rules"]]
    info = meta_recording_rules(slo, policy)["rules"][-1]["labels"]

    # A 28-day SLO keeps Sloth's window names; its period is 4w, as Prometheus spells 28 days.
    assert records == [
        f"slo:sli_error:ratio_rate{w}" for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "4w")
    ]
    assert {k: info[k] for k in ("sloth_id", "sloth_service", "sloth_slo")} == {
        "sloth_id": "shop-checkout.availability",
        "sloth_service": "shop",
        "sloth_slo": "checkout.availability",
    }
    assert (info["sloth_spec"], info["sloth_mode"], info["sloth_objective"]) == (
        "openslo/v1",
        "cli-gen-openslo",
        "99.9",
    )
    assert (info["loadgate_slo"], info["loadgate_service"]) == ("checkout.availability", "shop")


# Two services' SLOs on one metric, under one alert name (as Sloth's multifile example).
TWO_SERVICES = """\
version: prometheus/v1
service: cart
slos:
  - name: requests
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="shop",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="shop"}[{{.window}}]))
    alerting:
      name: ShopErrors
---
version: prometheus/v1
service: till
slos:
  - name: requests
    objective: 99.5
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="shop",code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total{job="shop"}[{{.window}}]))
    alerting:
      name: ShopErrors
"""


def test_a_sloth_specs_burn_alerts_are_both_named_alerting_name(tmp_path: Path) -> None:
    """As in Sloth: one name, told apart by sloth_severity; the absent() alert is loadgate's."""
    [cart, _] = load_slo_files([write(tmp_path / "slo.yaml", TWO_SERVICES)])
    policy = load_policy(DEFAULT_POLICY).scaled_to(cart.time_window_s)

    rules = alert_rules(cart, policy)["rules"]

    assert [(r["alert"], r["labels"]["sloth_severity"]) for r in rules] == [
        ("ShopErrors", "page"),
        ("ShopErrors", "ticket"),
        ("ShopErrorsSLIMissing", "ticket"),
    ]


def absent_cases(tmp_path: Path, text: str) -> dict[str, list[str]]:
    """The generated absent() test cases: name → the sloth_id of each alert they expect."""
    slos = load_slo_files([write(tmp_path / "slo.yaml", text)])
    policies = {s.name: load_policy(DEFAULT_POLICY).scaled_to(s.time_window_s) for s in slos}
    cases = promtool_test_file(list(slos), policies, "slo-alerts.yml")["tests"]
    return {
        case["name"]: [
            exp["exp_labels"]["sloth_id"]
            for check in case["alert_rule_test"]
            for exp in check["exp_alerts"]
        ]
        for case in cases  # type: ignore[attr-defined]
        if "SLI metric" in case["name"]
    }


def test_two_services_reading_one_metric_expect_both_absent_alerts_and_neither_when_present(
    tmp_path: Path,
) -> None:
    """#15 point 3: both services' ShopErrorsSLIMissing fire when the metric is absent, and
    neither when it is present: each case expects exactly those, whichever SLO it is about."""
    cases = absent_cases(tmp_path, TWO_SERVICES)
    both = ["cart-requests", "till-requests"]

    assert cases["cart-requests: the SLI metric is absent: ShopErrorsSLIMissing fires"] == both
    assert cases["till-requests: the SLI metric is absent: ShopErrorsSLIMissing fires"] == both
    assert cases["cart-requests: the SLI metric is present: quiet"] == []
    assert cases["till-requests: the SLI metric is present: quiet"] == []


def test_an_alert_of_the_same_name_on_another_metric_still_fires_when_one_metric_is_present(
    tmp_path: Path,
) -> None:
    till = TWO_SERVICES.index("service: till")
    other_metric = TWO_SERVICES[:till] + TWO_SERVICES[till:].replace(
        "http_requests_total", "till_requests_total"
    )
    cases = absent_cases(tmp_path, other_metric)

    assert cases["cart-requests: the SLI metric is present: quiet"] == ["till-requests"]


def test_the_generated_tests_expand_labels_and_value_as_prometheus_does() -> None:
    text = "(page) {{$labels.sloth_service}} at {{ $value }} for {{ .Labels.team }}"

    assert expand(text, {"sloth_service": "shop"}, 0.0158) == "(page) shop at 0.0158 for <no value>"
    assert unsupported(text) is None
    assert unsupported("{{ humanize $value }}") == "{{ humanize $value }}"


def test_two_slos_with_one_rules_id_are_refused(tmp_path: Path) -> None:
    """<service>-<name> identifies an SLO in the rules: shop/checkout-x and shop-checkout/x."""
    sloth = write(
        tmp_path / "sloth.yaml",
        TWO_SERVICES.split("---")[0]
        .replace("cart", "shop")
        .replace("name: requests", "name: checkout-x"),
    )
    openslo = write(
        tmp_path / "slo.yaml",
        OPENSLO.replace("name: checkout.availability", "name: x").replace(
            "service: shop", "service: shop-checkout"
        ),
    )

    with pytest.raises(InputError) as caught:
        load_slo_files([sloth, openslo])

    [problem] = caught.value.problems
    assert (problem.source, problem.field) == (str(openslo), "slo 'x'")
    assert problem.message == (
        f"has the rules' id 'shop-checkout-x' (<service>-<name>) of slo 'shop-checkout-x' in "
        f"{sloth}; allowed: SLOs whose service and name differ in another way"
    )
