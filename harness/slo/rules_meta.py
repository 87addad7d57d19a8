"""The SLO's metadata as recording rules, as Sloth writes them (its "meta recordings"): objective,
error budget, period, current and whole-period burn rates, the budget remaining, and the
``sloth_slo_info`` series. Sloth's dashboards are built on these; nothing in loadgate reads them.
"""

from __future__ import annotations

from harness.slo.policy import BurnPolicy
from harness.slo.rules import RecordingRule, RuleGroup, period_source_window, slo_labels
from harness.slo.sloth_conventions import (
    go_fixed,
    go_float,
    id_labels,
    label_filter,
    objective_percent,
    sloth_id,
    window_name,
)
from harness.values.slo import SLO

__all__ = ["GENERATOR", "meta_recording_rules"]

# ``sloth_version`` on the info series: which tool wrote the rules (Sloth writes its own version).
GENERATOR = "loadgate"
# ``sloth_mode``: how Sloth would have generated rules from the same spec format.
_MODES = {"prometheus/v1": "cli-gen-prom"}


def meta_recording_rules(slo: SLO, policy: BurnPolicy) -> RuleGroup:
    labels = slo_labels(slo)
    where = label_filter(id_labels(slo))
    percent = objective_percent(slo)
    ratio = go_float(percent / 100)  # 99.9 / 100 prints 0.9990000000000001 in Go, and here

    def burn_rate(window_s: float) -> str:
        # Sloth divides on its three ids, so the spec's own labels may differ between the sides.
        return (
            f"slo:sli_error:ratio_rate{window_name(window_s)}{where}\n"
            "/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
            f"slo:error_budget:ratio{where}"
        )

    def rule(record: str, expr: str) -> RecordingRule:
        return {"record": record, "expr": expr, "labels": labels}

    info = {
        **labels,
        "sloth_version": GENERATOR,
        "sloth_mode": _MODES.get(slo.spec, "cli-gen-openslo"),
        "sloth_spec": slo.spec,
        "sloth_objective": go_fixed(percent),  # Sloth: FormatFloat(objective, 'f', -1, 64)
    }
    rules: list[RecordingRule] = [
        rule("slo:objective:ratio", f"vector({ratio})"),
        rule("slo:error_budget:ratio", f"vector(1-{ratio})"),
        rule("slo:time_period:days", f"vector({go_float(slo.time_window_s / 86400)})"),
        rule("slo:current_burn_rate:ratio", burn_rate(period_source_window(policy))),
        rule("slo:period_burn_rate:ratio", burn_rate(slo.time_window_s)),
        rule(
            "slo:period_error_budget_remaining:ratio",
            f"1 - slo:period_burn_rate:ratio{where}",
        ),
        {"record": "sloth_slo_info", "expr": "vector(1)", "labels": dict(sorted(info.items()))},
    ]
    return {"name": f"sloth-slo-meta-recordings-{sloth_id(slo)}", "rules": rules}
