"""Generated promtool unit tests proving each generated alert fires on its burn and stays quiet
when healthy. They load the alert rules only and feed the recorded SLI series directly, so they
test the alerting logic for any SLI query, whatever metrics it reads.

promtool compares every alert of the name a test names. Alerts may share a name — Sloth gives an
SLO's page and ticket alerts one name, and SLOs of several services may share theirs, or read the
same metric — so each case expects every alert of that name that must fire, whichever SLO's.
"""

from __future__ import annotations

import re

from harness.slo.alert_templates import expand
from harness.slo.policy import BurnAlert, BurnPolicy
from harness.slo.rules import AlertRule, absent_selector, alert_name, alert_rules, sli_labels
from harness.slo.sloth_conventions import SEVERITY_LABEL, sli_error_record, window_name
from harness.values.slo import SLO

__all__ = ["promtool_test_file"]

STEPS = 20  # samples per input series, one a minute
EVAL = "10m"
_MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
Matcher = tuple[str, str, str]  # label, operator, value (unescaped)
Expected = dict[str, object]  # one of a test's exp_alerts


def promtool_test_file(
    slos: list[SLO], policy_for: dict[str, BurnPolicy], rule_file: str
) -> dict[str, object]:
    rules = {slo.name: alert_rules(slo, policy_for[slo.name])["rules"] for slo in slos}
    absent: dict[str, list[tuple[SLO, AlertRule]]] = {}  # SLIMissing alerts by name, every SLO's
    for slo in slos:
        for rule in rules[slo.name]:
            if rule["expr"].startswith("absent("):
                absent.setdefault(rule["alert"], []).append((slo, rule))
    tests: list[dict[str, object]] = []
    for slo in slos:
        burn_rules = [r for r in rules[slo.name] if not r["expr"].startswith("absent(")]
        tests.extend(_burn_tests(slo, policy_for[slo.name], burn_rules))
        tests.extend(_absent_tests(slo, policy_for[slo.name], absent))
    return {"rule_files": [rule_file], "evaluation_interval": "1m", "tests": tests}


def _burn_tests(slo: SLO, policy: BurnPolicy, rules: list[AlertRule]) -> list[dict[str, object]]:
    if not rules:
        return []
    budget = 1 - slo.objective
    windows = policy.windows()

    def case(name: str, ratios: dict[float, float], firing: BurnAlert | None = None) -> Expected:
        return _case(slo, name, ratios, rules, firing)

    # Healthy is half the lowest threshold: a policy scaled to a short SLO window may ticket
    # below 1× (a 7-day SLO's 3d/6h ticket: 0.23×), so half the budget rate is not always quiet.
    quiet = 0.5 * min(a.burn for a in policy.alerts) * budget
    tests = [
        case(
            f"healthy: every window burns at {quiet / budget:.4g}×, half the lowest threshold; no alert",
            {w: quiet for w in windows},
        )
    ]
    for alert in policy.alerts:
        if not any(r["labels"][SEVERITY_LABEL] == alert.severity for r in rules):
            continue  # this severity's alert is disabled
        pair = f"{window_name(alert.long_s)}/{window_name(alert.short_s)}"
        burn = f"{alert.burn:.4g}×"
        both = (alert.long_s, alert.short_s)
        above, below = alert.burn * 1.1 * budget, alert.burn * 0.9 * budget
        tests += [
            case(
                f"{pair} both above {burn}: {alert.severity} fires",
                _only(windows, both, above),
                alert,
            ),
            # Just below the threshold must stay quiet: this pins the threshold from both sides.
            case(f"{pair} both just below {burn}: quiet", _only(windows, both, below)),
            case(
                f"{pair} only the long window above {burn}: quiet", _only(windows, both[:1], above)
            ),
        ]
    return tests


def _only(windows: list[float], burning: tuple[float, ...], ratio: float) -> dict[float, float]:
    """``ratio`` in the ``burning`` windows, no error at all in the others."""
    return {w: (ratio if w in burning else 0.0) for w in windows}


def _case(
    slo: SLO,
    name: str,
    ratios: dict[float, float],
    rules: list[AlertRule],
    firing: BurnAlert | None,
) -> dict[str, object]:
    checks: dict[str, list[Expected]] = {}  # by alert name: page and ticket may share one
    for rule in rules:
        expected = checks.setdefault(rule["alert"], [])
        if firing is not None and rule["labels"][SEVERITY_LABEL] == firing.severity:
            # The alert carries the labels of the pair's short window, the left operand of
            # Sloth's ``and ignoring (sloth_window)`` (but sloth_window: see rules.py), and
            # its value.
            series = sli_labels(slo, firing.short_s)
            value = float(f"{ratios[firing.short_s]:.10g}")
            expected.append(_expected(rule, series, value))
    return {
        "name": f"{slo.name}: {name}",
        "interval": "1m",
        "input_series": [
            {
                "series": _series(sli_error_record(w), sli_labels(slo, w)),
                "values": f"{ratio:.10g}x{STEPS}",
            }
            for w, ratio in sorted(ratios.items())
        ],
        "alert_rule_test": [
            {"eval_time": EVAL, "alertname": alertname, "exp_alerts": exp}
            for alertname, exp in checks.items()
        ],
    }


def _absent_tests(
    slo: SLO, policy: BurnPolicy, absent: dict[str, list[tuple[SLO, AlertRule]]]
) -> list[dict[str, object]]:
    selector = absent_selector(slo)
    alertname = alert_name(slo, "SLIMissing")
    named = absent.get(alertname, [])
    if selector is None or all(other is not slo for other, _ in named):
        return []
    metric, matchers = _parse(selector)
    after = window_name(policy.absent_for_s + 120)
    # Each alert of this name with the selector it reads (it fires with that selector's labels).
    alerts = [(rule, *_parse(absent_selector(other) or "")) for other, rule in named]
    # No series at all: every SLIMissing alert of this name fires, this SLO's and any other's.
    missing: dict[str, object] = {
        "name": f"{slo.name}: the SLI metric is absent: {alertname} fires",
        "interval": "1m",
        "input_series": [],
        "alert_rule_test": [
            {
                "eval_time": after,
                "alertname": alertname,
                "exp_alerts": [_expected(rule, _equal(m), 1.0) for rule, _, m in alerts],
            }
        ],
    }
    if any(op == "=~" for _, op, _ in matchers):
        return [missing]  # a series matching a regular expression cannot be made up reliably
    equal = _equal(matchers)
    steps = int(policy.absent_for_s // 60) + 10
    # This SLO's metric present: its alert is quiet, and so is every other SLO's reading the
    # same series (two services' SLOs on one metric); one reading another metric still fires.
    still = [
        _expected(rule, _equal(m), 1.0)
        for rule, other_metric, m in alerts
        if not _selects(other_metric, m, metric, equal)
    ]
    present: dict[str, object] = {
        "name": f"{slo.name}: the SLI metric is present: quiet",
        "interval": "1m",
        "input_series": [{"series": _series(metric, equal), "values": f"0+1x{steps}"}],
        "alert_rule_test": [{"eval_time": after, "alertname": alertname, "exp_alerts": still}],
    }
    return [missing, present]


def _expected(rule: AlertRule, series: dict[str, str], value: float) -> Expected:
    """The alert ``rule`` raises on a series: its labels over the series', templates expanded."""
    labels = {k: expand(v, series, value) for k, v in rule.get("labels", {}).items()}
    return {
        # A label the rule sets empty is removed from the alert, as Prometheus does.
        "exp_labels": {k: v for k, v in {**series, **labels}.items() if v},
        "exp_annotations": {
            k: expand(v, series, value) for k, v in rule.get("annotations", {}).items()
        },
    }


def _parse(selector: str) -> tuple[str, list[Matcher]]:
    metric, _, inside = selector.partition("{")
    return metric, [(k, op, _unescape(v)) for k, op, v in _MATCHER.findall(inside)]


def _equal(matchers: list[Matcher]) -> dict[str, str]:
    """The labels absent() gives its series: those its selector matches with ``=``."""
    return {k: v for k, op, v in matchers if op == "="}


def _selects(metric: str, matchers: list[Matcher], name: str, labels: dict[str, str]) -> bool:
    """Whether a selector matches the series ``name{labels}`` (regular expressions anchored, as
    in PromQL; a missing label matches as the empty string)."""

    def one(label: str, op: str, value: str) -> bool:
        given = labels.get(label, "")
        if op in ("=~", "!~"):
            return bool(re.fullmatch(value, given)) == (op == "=~")
        return (given == value) == (op == "=")

    return metric == name and all(one(*m) for m in matchers)


def _series(metric: str, labels: dict[str, str]) -> str:
    inside = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return f"{metric}{{{inside}}}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _unescape(value: str) -> str:
    return value.replace('\\"', '"').replace("\\\\", "\\")
