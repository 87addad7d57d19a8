"""Every OpenSLO document checked against OpenSLO v1's rules, used by an SLO or not (#15, point 8):
each broken rule names the file, the line, the object and field, the value and what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import InputError
from harness.slo.loader import load_slo_files
from tests.conftest import write

# The kinds as the spec's README writes them, in names loadgate takes: a service, a data source,
# an SLI used by an SLO and one used by none, a condition, a notification target and a policy
# that references them, another with both inline, and an SLO naming policies all three ways.
VALID = """\
apiVersion: openslo/v1
kind: Service
metadata:
  name: shop
  displayName: The shop
  labels:
    team: payments
    tags: [checkout, tier-1]
  annotations:
    example.com/runbook: https://runbooks.example.com/shop
spec:
  description: Everything a shopper pays through.
---
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
  name: checkout-ok
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        metricSourceRef: prom
        spec:
          query: sum(increase(http_requests_total{route="/checkout", code!~"5.."}[{{window}}]))
    total:
      metricSource:
        metricSourceRef: prom
        spec:
          query: sum(increase(http_requests_total{route="/checkout"}[{{window}}]))
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: queue-ratio
spec:
  description: Used by no SLO, checked all the same.
  ratioMetric:
    rawType: failure
    raw:
      metricSource:
        type: Datadog
        spec:
          query: avg:queue.failed_ratio{*}
---
apiVersion: openslo/v1
kind: AlertCondition
metadata:
  name: fast-burn
spec:
  description: Two percent of a month's budget in an hour.
  severity: page
  condition:
    kind: burnrate
    op: gte
    threshold: 14.4
    lookbackWindow: 1h
    alertAfter: 5m
---
apiVersion: openslo/v1
kind: AlertNotificationTarget
metadata:
  name: on-call
spec:
  description: The payments on-call rotation.
  target: pagerduty
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: page-fast
spec:
  alertWhenBreaching: true
  alertWhenResolved: false
  alertWhenNoData: true
  conditions:
    - conditionRef: fast-burn
  notificationTargets:
    - targetRef: on-call
---
apiVersion: openslo/v1
kind: AlertPolicy
metadata:
  name: ticket-slow
spec:
  alertWhenBreaching: true
  conditions:
    - kind: AlertCondition
      metadata:
        name: slow-burn
      spec:
        severity: ticket
        condition:
          kind: burnrate
          threshold: 1
          lookbackWindow: 3d
  notificationTargets:
    - kind: AlertNotificationTarget
      metadata:
        name: tickets
      spec:
        target: jira
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
spec:
  service: shop
  indicatorRef: checkout-ok
  timeWindow:
    - duration: 4w
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Checkout succeeds
      target: 0.999
  alertPolicies:
    - page-fast
    - alertPolicyRef: ticket-slow
"""


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_documents_that_follow_the_spec_load_including_what_no_slo_uses(tmp_path: Path) -> None:
    [slo] = load_slo_files([write(tmp_path / "slos.yaml", VALID)])

    assert slo.alert_policies == ("page-fast", "ticket-slow")


def test_validate_and_rules_say_each_alert_policy_is_not_used_and_which_policy_alerts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An alert policy's threshold, lookbackWindow and severity are not translated: said where
    the files are read, never silently dropped."""
    path = write(tmp_path / "slos.yaml", VALID)

    assert main(["validate", str(path)]) == 0
    validated = capsys.readouterr().out
    assert main(["rules", str(path), "--out", str(tmp_path / "rules")]) == 0
    ruled = capsys.readouterr().out

    where = f"note: {path}:{line_of(VALID, 'name: checkout-availability')}: slo "
    for policy in ("page-fast", "ticket-slow"):
        note = (
            f"{where}'checkout-availability' → alert policy {policy!r} is not used: loadgate "
            "does not translate OpenSLO alert conditions (threshold, lookbackWindow, severity) "
            "or notification targets; loadgate's burn-rate policy 'google-30d'"
        )
        assert f"{note} (loadgate rules --policy names another) generates" in validated
        assert f"{note} generates this SLO's alerts" in ruled


LONG = "x" * 1051
CASES = {
    "an alert condition without its condition": (
        "  severity: page\n  condition:\n    kind: burnrate\n    op: gte\n    threshold: 14.4\n"
        "    lookbackWindow: 1h\n    alertAfter: 5m\n",
        "  severity: page\n",
        "alert condition 'fast-burn' → spec.condition",
        "is required; allowed: a mapping of alertAfter, kind, lookbackWindow, op, threshold",
        "description: Two percent",  # a field missing points at the mapping that lacks it
    ),
    "an alert condition without a severity": (
        "  severity: page\n",
        "",
        "alert condition 'fast-burn' → spec.severity",
        "is required; allowed: a severity such as page or ticket",
        "description: Two percent",
    ),
    "a burn-rate condition without its look-back window": (
        "    lookbackWindow: 1h\n",
        "",
        "alert condition 'fast-burn' → spec.condition.lookbackWindow",
        "is required",
        "kind: burnrate\n    op: gte",
    ),
    "a burn-rate condition without its threshold": (
        "    threshold: 14.4\n",
        "",
        "alert condition 'fast-burn' → spec.condition.threshold",
        "is required",
        "kind: burnrate\n    op: gte",
    ),
    "a raw ratio without its rawType": (
        "    rawType: failure\n",
        "",
        "sli 'queue-ratio' → spec.ratioMetric.rawType",
        "is required",
        "    raw:\n      metricSource:\n        type: Datadog",
    ),
    "a budgeting method the spec does not name": (
        "budgetingMethod: Occurrences",
        "budgetingMethod: Occurences",
        "slo 'checkout-availability' → spec.budgetingMethod",
        "'Occurences' is not allowed; allowed: Occurrences, Timeslices, RatioTimeslices",
        "budgetingMethod: Occurences",
    ),
    "a look-back window that is no duration shorthand": (
        "lookbackWindow: 1h",
        "lookbackWindow: 1 hour",
        "alert condition 'fast-burn' → spec.condition.lookbackWindow",
        "'1 hour' is not allowed; allowed: a whole number and one of m, h, d, w, M, Q, Y",
        "lookbackWindow: 1 hour",
    ),
    "an alert notification target without its target": (
        "  target: pagerduty\n",
        "",
        "alert notification target 'on-call' → spec.target",
        "is required; allowed: where notifications go, e.g. pagerduty",
        "description: The payments",
    ),
    "an alert policy with two conditions": (
        "    - conditionRef: fast-burn\n",
        "    - conditionRef: fast-burn\n    - conditionRef: fast-burn\n",
        "alert policy 'page-fast' → spec.conditions",
        "has 2; allowed: exactly one (OpenSLO v1)",
        "- conditionRef",
    ),
    "an alert policy with no condition": (
        "  conditions:\n    - conditionRef: fast-burn\n",
        "  conditions: []\n",
        "alert policy 'page-fast' → spec.conditions",
        "has 0; allowed: exactly one (OpenSLO v1)",
        "conditions: []",
    ),
    "an alert policy without notification targets": (
        "  notificationTargets:\n    - targetRef: on-call\n",
        "",
        "alert policy 'page-fast' → spec.notificationTargets",
        "is required",
        "alertWhenBreaching: true\n  alertWhenResolved",
    ),
    "a condition that is neither a reference nor inline": (
        "    - conditionRef: fast-burn\n",
        "    - foo: bar\n",
        "alert policy 'page-fast' → spec.conditions[0]",
        "{'foo': 'bar'} is not allowed; allowed: conditionRef (a AlertCondition's name), or the",
        "foo: bar",
    ),
    "an inline condition without its severity": (
        "        severity: ticket\n",
        "",
        "alert policy 'ticket-slow' → spec.conditions[0].spec.severity",
        "is required",
        "condition:\n          kind: burnrate\n          threshold: 1",
    ),
    "a service description over 1,050 characters": (
        "Everything a shopper pays through.",
        LONG,
        "service 'shop' → spec.description",
        "is 1051 characters long; allowed: at most 1050",
        "description: xxx",
    ),
    "an SLI no SLO uses, with good beside raw": (
        "    rawType: failure\n",
        "    rawType: failure\n    good:\n      metricSource:\n        type: Datadog\n"
        "        spec:\n          query: avg:queue.ok{*}\n",
        "sli 'queue-ratio' → spec.ratioMetric",
        "has raw and good; allowed: raw alone, with rawType",
        "    rawType: failure",
    ),
    "a metric source with neither type nor data source": (
        "        type: Datadog\n",
        "",
        "sli 'queue-ratio' → spec.ratioMetric.raw.metricSource",
        "has neither type nor metricSourceRef; allowed: type (e.g. Prometheus)",
        "spec:\n          query: avg:queue",
    ),
    "a data source without connection details": (
        "  connectionDetails:\n    url: http://prometheus:9090\n",
        "",
        "data source 'prom' → spec.connectionDetails",
        "is required",
        "type: Prometheus\n---",
    ),
    "an SLO without a budgeting method": (
        "  budgetingMethod: Occurrences\n",
        "",
        "slo 'checkout-availability' → spec.budgetingMethod",
        "is required; allowed: Occurrences, Timeslices, RatioTimeslices",
        "service: shop\n  indicatorRef",
    ),
    "an objective with target and targetPercent": (
        "      target: 0.999\n",
        "      target: 0.999\n      targetPercent: 99.9\n",
        "slo 'checkout-availability' → spec.objectives[0]",
        "has target and targetPercent; allowed: exactly one of target or targetPercent",
        "displayName: Checkout",
    ),
    "a rolling window with a calendar": (
        "      isRolling: true\n",
        "      isRolling: true\n      calendar:\n        startTime: 2026-01-01 00:00:00\n"
        "        timeZone: Europe/Berlin\n",
        "slo 'checkout-availability' → spec.timeWindow[0].calendar",
        "is set on a rolling window; allowed: no calendar when isRolling is true",
        "startTime",
    ),
    "a typo in a spec field": (
        "  description: The payments",
        "  descripton: The payments",
        "alert notification target 'on-call' → spec.descripton",
        "unknown field; allowed here: description, target",
        "descripton",
    ),
    "a label value YAML reads as a boolean": (
        "    team: payments\n",
        "    team: payments\n    paged: true\n",
        "service 'shop' → metadata.labels.paged",
        "True is not allowed; allowed: a string or a list of strings",
        "paged: true",
    ),
    "an annotation key with two prefixes": (
        "example.com/runbook",
        "example.com/ops/runbook",
        "service 'shop' → metadata.annotations.example.com/ops/runbook",
        "the key 'example.com/ops/runbook' is not allowed; allowed: an optional DNS-subdomain",
        "example.com/ops",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_broken_rule_is_reported_naming_file_line_field_value_and_what_is_allowed(
    case: str, tmp_path: Path
) -> None:
    old, new, field, message, at = CASES[case]
    assert old in VALID
    text = VALID.replace(old, new, 1)
    path = write(tmp_path / "slos.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    matching = [p for p in caught.value.problems if p.field == field]
    assert len(matching) == 1, [f"{p.field}: {p.message}" for p in caught.value.problems]
    assert matching[0].source == str(path)
    assert message in matching[0].message
    assert matching[0].line == line_of(text, at)


def test_a_problem_is_reported_once_though_the_slo_reader_sees_it_too(tmp_path: Path) -> None:
    """The SLO's SLI counts good and bad events: the spec's rules and the SLO reader both see it."""
    bad = "    bad:\n      metricSource:\n        metricSourceRef: prom\n        spec:\n          query: x\n"
    text = VALID.replace("    total:\n", bad + "    total:\n", 1)
    path = write(tmp_path / "slos.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert problem.field == "sli 'checkout-ok' → spec.ratioMetric"
    assert problem.message == (
        "has good and bad; allowed: exactly one of good or bad (the events counted against total)"
    )


def test_validate_exits_2_on_a_broken_document_no_slo_uses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slos = write(tmp_path / "slos.yaml", VALID)
    alerts = write(
        tmp_path / "alerts.yaml",
        "apiVersion: openslo/v1\nkind: AlertNotificationTarget\nmetadata:\n  name: slack\n"
        "spec:\n  description: Nothing says where.\n",
    )

    assert main(["validate", str(slos), str(alerts)]) == 2
    err = capsys.readouterr().err
    assert f"{alerts}:6: alert notification target 'slack' → spec.target: is required" in err


def test_in_a_list_file_the_problem_names_the_item(tmp_path: Path) -> None:
    """The Go SDK's layout: one YAML list of objects; the item's index leads the field."""
    text = (
        "- apiVersion: openslo/v1\n  kind: Service\n  metadata:\n    name: shop\n"
        "- apiVersion: openslo/v1\n  kind: AlertCondition\n  metadata:\n    name: fast-burn\n"
        "  spec:\n    condition:\n      threshold: 14.4\n      lookbackWindow: 1h\n"
    )
    path = write(tmp_path / "objects.yaml", text)

    with pytest.raises(InputError) as caught:
        load_slo_files([path])

    [problem] = caught.value.problems
    assert problem.field == "[1] → alert condition 'fast-burn' → spec.severity"
    assert problem.line == line_of(text, "condition:")
