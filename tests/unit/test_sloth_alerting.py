"""A Sloth SLO's alerting settings (#15): every one carried into the alerts as Sloth carries it —
names, labels, annotations, page/ticket overrides, ``disable: true`` — or refused naming the
file, the field, the bad value and what is allowed; never dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InputError
from harness.slo.alertmanager import alertmanager_config
from harness.slo.loader import load_slo_files
from harness.slo.policy import DEFAULT_POLICY, load_policy
from harness.slo.rules import AlertRule, alert_rules
from tests.conftest import write

ALERTING = """\
version: prometheus/v1
service: shop
slos:
  - name: checkout
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))
        total_query: sum(rate(http_requests_total[{{.window}}]))
    alerting:
      name: CheckoutErrors
      labels:
        team: payments
      annotations:
        runbook: https://runbooks.example.com/checkout
      page_alert:
        labels:
          severity: critical
"""
AT = "slo 'shop-checkout' → slos[0].alerting"


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "        total_query:",
            "        good_query: sum(rate(http_requests_total[{{.window}}]))\n        total_query:",
            "slo 'shop-checkout' → slos[0].sli.events.good_query",
            "unknown field; allowed here: error_query, total_query",
        ),
        (
            "      name: CheckoutErrors\n",
            "      name: CheckoutErrors\n      disable: true\n",
            f"{AT}.disable",
            "unknown field; allowed here: annotations, labels, name, page_alert, ticket_alert",
        ),
        (
            "          severity: critical\n",
            "          severity: critical\n        for: 5m\n",
            f"{AT}.page_alert.for",
            "unknown field; allowed here: annotations, disable, labels",
        ),
        (
            "      page_alert:\n",
            "      page_alert:\n        disable: 'yes'\n",
            f"{AT}.page_alert.disable",
            "'yes' is not allowed; allowed: true or false",
        ),
        (
            "        team: payments\n",
            "        sloth_severity: page\n",
            f"{AT}.labels.sloth_severity",
            "'sloth_severity' is a label the generated rules write themselves; allowed: any "
            "other label name (not loadgate_service, loadgate_slo, sloth_id, sloth_mode, "
            "sloth_objective, sloth_service, sloth_severity, sloth_slo, sloth_spec, "
            "sloth_version, sloth_window)",
        ),
        (
            "        team: payments\n",
            "        team-name: payments\n",
            f"{AT}.labels.team-name",
            "'team-name' is not allowed as a label name; allowed: letters, digits and '_', not "
            "starting with a digit or '__'",
        ),
        (
            "        team: payments\n",
            "        team: ''\n",
            f"{AT}.labels.team",
            "'' is not allowed; allowed: a label value that is not empty (Prometheus drops a "
            "label whose value is empty)",
        ),
        (
            "        runbook: https://runbooks.example.com/checkout\n",
            "        summary: 'burning at {{ $value | humanizePercentage }}'\n",
            f"{AT}.annotations.summary",
            "'{{ $value | humanizePercentage }}' is a template loadgate cannot check in the "
            "generated promtool tests; allowed: text, {{ $labels.NAME }} and {{ $value }}",
        ),
        (
            "      name: CheckoutErrors\n",
            "      name: Checkout Errors\n",
            f"{AT}.name",
            "'Checkout Errors' is not allowed; allowed: an alert name of letters, digits, '_' "
            "and ':', not starting with a digit (a Prometheus metric name)",
        ),
        (
            "      page_alert:\n",
            "      ticket_alert: [disable]\n      page_alert:\n",
            f"{AT}.ticket_alert",
            "['disable'] is not allowed; allowed: a mapping: disable, labels, annotations",
        ),
    ],
    ids=[
        "sli.events.good_query",
        "alerting.disable",
        "page_alert.for",
        "disable: 'yes'",
        "a label the rules write",
        "a label name Prometheus refuses",
        "an empty label",
        "a template beyond labels and value",
        "an alert name with a space",
        "an alert that is a list",
    ],
)
def test_alerting_settings_loadgate_cannot_carry_are_refused_saying_what_is_allowed(
    old: str, new: str, field: str, message: str, tmp_path: Path
) -> None:
    assert old in ALERTING
    text = ALERTING.replace(old, new)
    path = write(tmp_path / "sloth.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert (problem.source, problem.field, problem.message) == (str(path), field, message)
    [bad, *_] = [line for line in new.splitlines() if line not in old.splitlines()]
    assert problem.line == text[: text.index(bad)].count("\n") + 1


def test_every_alerting_setting_reaches_the_rules(tmp_path: Path) -> None:
    [slo] = load_slo_files([write(tmp_path / "sloth.yaml", ALERTING)])
    policy = load_policy(DEFAULT_POLICY).scaled_to(slo.time_window_s)

    page, ticket, missing = alert_rules(slo, policy)["rules"]

    assert (page["alert"], ticket["alert"], missing["alert"]) == (
        "CheckoutErrors",
        "CheckoutErrors",
        "CheckoutErrorsSLIMissing",
    )
    assert page["labels"] == {
        "severity": "critical",
        "sloth_severity": "page",
        "sloth_window": "",
        "team": "payments",
    }
    assert ticket["labels"] == {
        "severity": "ticket",
        "sloth_severity": "ticket",
        "sloth_window": "",
        "team": "payments",
    }
    assert page["annotations"]["runbook"] == ticket["annotations"]["runbook"]


def rules_of(tmp_path: Path, text: str) -> list[AlertRule]:
    [slo] = load_slo_files([write(tmp_path / "sloth.yaml", text)])
    return alert_rules(slo, load_policy(DEFAULT_POLICY).scaled_to(slo.time_window_s))["rules"]


WITHOUT_PAGE_ALERT = "      page_alert:\n        labels:\n          severity: critical\n"


@pytest.mark.parametrize(
    ("disabled", "left"),
    [
        ("ticket_alert", [("CheckoutErrors", "page"), ("CheckoutErrorsSLIMissing", "ticket")]),
        ("page_alert", [("CheckoutErrors", "ticket"), ("CheckoutErrorsSLIMissing", "ticket")]),
    ],
)
def test_a_disabled_alert_is_not_generated(
    disabled: str, left: list[tuple[str, str]], tmp_path: Path
) -> None:
    text = ALERTING.replace(WITHOUT_PAGE_ALERT, "") + f"      {disabled}:\n        disable: true\n"

    rules = rules_of(tmp_path, text)

    assert [(r["alert"], r["labels"]["sloth_severity"]) for r in rules] == left


def test_with_both_alerts_disabled_there_is_no_alert_at_all(tmp_path: Path) -> None:
    """Sloth's no-alerts example. The SLIMissing alert guards burn alerts: with none, none."""
    text = ALERTING.replace(
        WITHOUT_PAGE_ALERT,
        "      page_alert:\n        disable: true\n      ticket_alert:\n        disable: true\n",
    )

    assert rules_of(tmp_path, text) == []


def test_the_absent_alert_is_routed_as_the_slos_tickets(tmp_path: Path) -> None:
    text = ALERTING + "      ticket_alert:\n        labels:\n          severity: warning\n"
    [*_, missing] = rules_of(tmp_path, text)

    assert missing["expr"] == "absent(http_requests_total)"
    assert missing["labels"] == {
        "loadgate_service": "shop",
        "loadgate_slo": "shop-checkout",
        "severity": "warning",  # ticket_alert's own
        "sloth_id": "shop-checkout",
        "sloth_service": "shop",
        "sloth_severity": "ticket",
        "sloth_slo": "checkout",
        "team": "payments",  # alerting.labels: every alert of the SLO
    }


def test_alertmanager_routes_on_sloth_severity_so_a_specs_own_severity_is_still_routed() -> None:
    routes = alertmanager_config("/key")["route"]["routes"]  # type: ignore[index]

    assert [r["matchers"] for r in routes] == [
        ['sloth_severity="page"'],
        ['sloth_severity="ticket"'],
    ]
