"""Generated promtool unit tests proving each generated alert fires on its burn and stays quiet
when healthy. They load the alert rules only and feed the recorded SLI series directly, so they
test the alerting logic for any SLI query, whatever metrics it reads.
"""

from __future__ import annotations

import re

from harness.slo.policy import BurnAlert, BurnPolicy, prom_duration
from harness.slo.rules import AlertRule, absent_selector, alert_name, alert_rules, slo_labels
from harness.values.slo import SLO

__all__ = ["promtool_test_file"]

STEPS = 20  # samples per input series, one a minute
EVAL = "10m"
_MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')


def promtool_test_file(
    slos: list[SLO], policy_for: dict[str, BurnPolicy], rule_file: str
) -> dict[str, object]:
    tests: list[dict[str, object]] = []
    for slo in slos:
        policy = policy_for[slo.name]
        expected = {r["alert"]: r for r in alert_rules(slo, policy)["rules"]}
        tests.extend(_burn_tests(slo, policy, expected))
        tests.extend(_absent_tests(slo, policy, expected))
    return {"rule_files": [rule_file], "evaluation_interval": "1m", "tests": tests}


def _burn_tests(
    slo: SLO, policy: BurnPolicy, expected: dict[str, AlertRule]
) -> list[dict[str, object]]:
    budget = 1 - slo.objective
    windows = policy.windows()
    # Healthy is half the lowest threshold: a policy fitted to a short SLO window may ticket
    # below 1× (a 7-day SLO's 3d/6h ticket: 0.23×), so half the budget rate is not always quiet.
    quiet = 0.5 * min(a.burn for a in policy.alerts) * budget
    tests = [
        _case(
            slo,
            f"healthy: every window burns at {quiet / budget:.4g}×, half the lowest threshold; "
            "no alert",
            {w: quiet for w in windows},
            policy,
            expected,
            firing=None,
        )
    ]
    for alert in policy.alerts:
        ratio = alert.burn * 1.1 * budget
        pair = f"{prom_duration(alert.long_s)}/{prom_duration(alert.short_s)}"
        both = {w: (ratio if w in (alert.long_s, alert.short_s) else 0.0) for w in windows}
        tests.append(
            _case(
                slo,
                f"{pair} both above {alert.burn:.4g}×: {alert.severity} fires",
                both,
                policy,
                expected,
                firing=alert,
            )
        )
        # Just below the threshold must stay quiet: this pins the threshold from both sides.
        below = {
            w: (0.9 * alert.burn * budget if w in (alert.long_s, alert.short_s) else 0.0)
            for w in windows
        }
        tests.append(
            _case(
                slo,
                f"{pair} both just below {alert.burn:.4g}×: quiet",
                below,
                policy,
                expected,
                firing=None,
            )
        )
        long_only = {w: (ratio if w == alert.long_s else 0.0) for w in windows}
        tests.append(
            _case(
                slo,
                f"{pair} only the long window above {alert.burn:.4g}×: quiet",
                long_only,
                policy,
                expected,
                firing=None,
            )
        )
    return tests


def _case(
    slo: SLO,
    name: str,
    ratios: dict[float, float],
    policy: BurnPolicy,
    expected: dict[str, AlertRule],
    firing: BurnAlert | None,
) -> dict[str, object]:
    labels = slo_labels(slo)
    checks = []
    for severity in ("page", "ticket"):
        alertname = alert_name(slo, f"BurnRate{severity.capitalize()}")
        if alertname not in expected:
            continue
        rule = expected[alertname]
        fires = firing is not None and firing.severity == severity
        exp_alerts = [
            {"exp_labels": {**labels, **rule["labels"]}, "exp_annotations": rule["annotations"]}
        ]
        checks.append(
            {"eval_time": EVAL, "alertname": alertname, "exp_alerts": exp_alerts if fires else []}
        )
    return {
        "name": f"{slo.name}: {name}",
        "interval": "1m",
        "input_series": [
            {
                "series": _series(f"slo:sli_error:ratio_rate{prom_duration(w)}", labels),
                "values": f"{ratio:.10g}x{STEPS}",
            }
            for w, ratio in sorted(ratios.items())
        ],
        "alert_rule_test": checks,
    }


def _absent_tests(
    slo: SLO, policy: BurnPolicy, expected: dict[str, AlertRule]
) -> list[dict[str, object]]:
    selector = absent_selector(slo)
    alertname = alert_name(slo, "SLIMissing")
    if selector is None or alertname not in expected:
        return []
    rule = expected[alertname]
    metric, _, matchers = selector.partition("{")
    equal = {k: _unescape(v) for k, op, v in _MATCHER.findall(matchers) if op == "="}
    after = prom_duration(policy.absent_for_s + 120)
    missing: dict[str, object] = {
        "name": f"{slo.name}: the SLI metric is absent: {alertname} fires",
        "interval": "1m",
        "input_series": [],
        "alert_rule_test": [
            {
                "eval_time": after,
                "alertname": alertname,
                "exp_alerts": [
                    {
                        "exp_labels": {**equal, **rule["labels"]},
                        "exp_annotations": rule["annotations"],
                    }
                ],
            }
        ],
    }
    if any(op == "=~" for _, op, _ in _MATCHER.findall(matchers)):
        return [missing]  # a series matching a regular expression cannot be made up reliably
    steps = int(policy.absent_for_s // 60) + 10
    present: dict[str, object] = {
        "name": f"{slo.name}: the SLI metric is present: quiet",
        "interval": "1m",
        "input_series": [{"series": _series(metric, equal), "values": f"0+1x{steps}"}],
        "alert_rule_test": [{"eval_time": after, "alertname": alertname, "exp_alerts": []}],
    }
    return [missing, present]


def _series(metric: str, labels: dict[str, str]) -> str:
    inside = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return f"{metric}{{{inside}}}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _unescape(value: str) -> str:
    return value.replace('\\"', '"').replace("\\\\", "\\")
