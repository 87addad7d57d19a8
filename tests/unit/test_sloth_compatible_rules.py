"""``loadgate rules`` writes the rules Sloth writes (#15): compared with what Sloth generates for
a spec of our own (the features of Sloth's examples), its names for every window and period, ids
in its form for OpenSLO SLOs too (loadgate's convention); and promtool tests that expect exactly the alerts that fire when SLOs of
two services read one metric."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.errors import InputError
from harness.slo.alert_templates import expand, unsupported
from harness.slo.generate import write_rules
from harness.slo.loader import load_slo_files
from harness.slo.policy import DEFAULT_POLICY, load_policy
from harness.slo.promtool_tests import promtool_test_file
from harness.slo.rules import alert_rules, recording_rules
from harness.slo.rules_meta import meta_recording_rules
from harness.slo.sloth_conventions import go_fixed, go_float
from tests.conftest import REPO, write

SPEC = REPO / "tests/testdata/slo/sloth-two-services.yaml"
SLOTH_GENERATED = REPO / "tests/testdata/sloth-generated/sloth-two-services.yml"
LOADGATE_LABELS = {"loadgate_slo", "loadgate_service"}
SLOTH_IDS = {"sloth_id", "sloth_service", "sloth_slo"}


def generated(spec: Path, tmp_path: Path) -> dict[str, list[dict[str, Any]]]:
    """Every group loadgate writes for ``spec`` (recordings and alerts), by name."""
    files = write_rules(load_slo_files([spec]), load_policy(DEFAULT_POLICY), tmp_path, "/key")
    groups = [
        group
        for path in (files.recording, files.alerts)
        for group in yaml.safe_load(path.read_text())["groups"]
    ]
    return {group["name"]: group["rules"] for group in groups}


def as_sloth_writes_it(rule: dict[str, Any]) -> dict[str, Any] | None:
    """A loadgate rule without what loadgate adds beside Sloth's (docs/slo.md lists it), or None
    for a rule of loadgate's own. Every removal is asserted, so nothing else can hide here."""
    rule = {**rule, "labels": dict(rule.get("labels", {}))}
    if rule.get("expr", "").startswith("absent("):
        assert rule["alert"].endswith("SLIMissing")
        return None  # the absent() alert is loadgate's own
    if "record" in rule:
        if rule["labels"].keys() == {*SLOTH_IDS, "sloth_window"}:  # the whole-period SLI
            for label in SLOTH_IDS:
                del rule["labels"][label]  # the values it inherits, written out for promtool
        else:
            assert rule["labels"].keys() >= LOADGATE_LABELS, rule["record"]
            for label in LOADGATE_LABELS:
                del rule["labels"][label]
        if rule["record"] == "sloth_slo_info":
            assert rule["labels"].pop("sloth_version") == "loadgate"
    else:
        assert rule["labels"].pop("sloth_window") == ""  # removes the inherited label
        severity = rule["labels"]["sloth_severity"]
        if rule["labels"]["severity"] == severity:  # loadgate's default, the spec set none
            del rule["labels"]["severity"]
        description = rule["annotations"].pop("description")
        assert description.startswith("The error ratio of ")
    return rule


def whitespace(text: str) -> str:
    """PromQL with its insignificant whitespace dropped: one space between words, none by a
    bracket (loadgate strips a query's trailing newline; Sloth keeps it inside its brackets)."""
    return re.sub(r"\s*([(){}\[\]])\s*", r"\1", re.sub(r"\s+", " ", text)).strip()


def test_the_rules_are_the_ones_sloth_generates_for_the_same_spec(tmp_path: Path) -> None:
    ours = generated(SPEC, tmp_path)
    sloth = {
        group["name"]: group["rules"]
        for group in yaml.safe_load(SLOTH_GENERATED.read_text())["groups"]
    }

    assert sorted(ours) == sorted(sloth)  # no alert group for an SLO whose alerts are disabled
    for name, rules in sloth.items():
        mine = [r for r in map(as_sloth_writes_it, ours[name]) if r is not None]
        assert [r.get("record") or r["alert"] for r in mine] == [
            r.get("record") or r["alert"] for r in rules
        ], name
        for expected, actual in zip(rules, mine, strict=True):
            what = f"{name}: {expected.get('record') or expected['alert']}"
            assert whitespace(actual["expr"]) == whitespace(expected["expr"]), what
            assert actual["labels"] == expected.get("labels", {}), what
            assert actual.get("annotations") == expected.get("annotations"), what


def test_a_28_day_slo_keeps_sloths_window_names_and_names_its_period_4w(tmp_path: Path) -> None:
    records = [
        rule["record"]
        for rule in generated(SPEC, tmp_path)["sloth-slo-sli-recordings-till-checkout-availability"]
    ]

    assert records == [
        f"slo:sli_error:ratio_rate{w}" for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "4w")
    ]


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


def test_an_openslo_slo_gets_ids_and_info_in_sloths_form(tmp_path: Path) -> None:
    """loadgate's own convention: <service>-<name>, in Sloth's labels, and which spec it came
    from. (Sloth reads only OpenSLO v1alpha and names its SLOs <service>-<name>-<index>.)"""
    [slo] = load_slo_files([write(tmp_path / "slo.yaml", OPENSLO)])
    policy = load_policy(DEFAULT_POLICY).scaled_to(slo.time_window_s)

    [*_, period] = recording_rules(slo, policy)["rules"]
    info = meta_recording_rules(slo, policy)["rules"][-1]["labels"]

    assert period["record"] == "slo:sli_error:ratio_rate4w"
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


@pytest.mark.parametrize(
    "text",
    [
        TWO_SERVICES.replace("service: till", "service: cart"),  # two specs of one file
        TWO_SERVICES.split("---")[0] + TWO_SERVICES.split("slos:\n")[2],
    ],
    ids=["two specs in one file", "one spec naming two SLOs alike"],
)
def test_two_sloth_slos_of_one_service_and_name_in_one_file_are_refused(
    text: str, tmp_path: Path
) -> None:
    """Their rules would be two groups of one name (sloth-slo-alerts-cart-requests), which
    promtool and Prometheus refuse: refused in one file as across files."""
    path = write(tmp_path / "slo.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    first, second = (
        i + 1 for i, line in enumerate(text.splitlines()) if "- name: requests" in line
    )
    assert (problem.source, problem.field, problem.line) == (
        str(path),
        "slo 'cart-requests'",
        second,
    )
    assert problem.message == (
        f"'cart-requests' is already the name of an SLO defined at {path}:{first}; allowed: a "
        "name no other SLO has, in this file or another"
    )


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("2fa-login", "SLO2faLogin"),  # OpenSLO allows a leading digit
        ("9.checkout", "SLO9Checkout"),
        ("login-2fa", "Login2fa"),  # a digit inside is fine as it is
    ],
)
def test_an_alert_name_never_starts_with_a_digit(name: str, base: str, tmp_path: Path) -> None:
    """Prometheus refuses an alert name that is no metric name: a digit first gets SLO before it."""
    text = OPENSLO.replace("name: checkout.availability", f"name: {name}")
    [slo] = load_slo_files([write(tmp_path / "slo.yaml", text)])
    policy = load_policy(DEFAULT_POLICY).scaled_to(slo.time_window_s)

    names = [rule["alert"] for rule in alert_rules(slo, policy)["rules"]]

    assert names == [f"{base}BurnRatePage", f"{base}BurnRateTicket", f"{base}SLIMissing"]
    assert all(re.fullmatch(r"[a-zA-Z_:][a-zA-Z0-9_:]*", n) for n in names)


@pytest.mark.parametrize(
    ("value", "g", "f"),
    [
        (1 - 0.999, "0.0010000000000000009", "0.0010000000000000009"),
        (6.0, "6", "6"),
        (999999.0, "999999", "999999"),
        (1e6, "1e+06", "1000000"),  # Go's %g: an exponent from 1e6 (Python's repr: from 1e16)
        (123456789.0, "1.23456789e+08", "123456789"),
        (0.0001, "0.0001", "0.0001"),
        (1.5e-05, "1.5e-05", "0.000015"),  # below 1e-4
        (5.6000000000000005, "5.6000000000000005", "5.6000000000000005"),
        (-2.5, "-2.5", "-2.5"),
        (0.0, "0", "0"),
    ],
)
def test_numbers_print_as_go_prints_them(value: float, g: str, f: str) -> None:
    """%g (FormatFloat 'g', -1) for Sloth's expressions; FormatFloat 'f', -1 for sloth_objective."""
    assert (go_float(value), go_fixed(value)) == (g, f)


def test_sloth_objective_is_never_written_with_an_exponent(tmp_path: Path) -> None:
    text = TWO_SERVICES.split("---")[0].replace("objective: 99.9", "objective: 0.00001")
    [slo] = load_slo_files([write(tmp_path / "slo.yaml", text)])
    policy = load_policy(DEFAULT_POLICY).scaled_to(slo.time_window_s)

    info = meta_recording_rules(slo, policy)["rules"][-1]

    assert info["labels"]["sloth_objective"] == "0.00001"  # Sloth: FormatFloat 'f', -1
    # %g of 0.00001 / 100, in Go as here: an exponent
    assert meta_recording_rules(slo, policy)["rules"][0]["expr"] == "vector(1.0000000000000001e-07)"
