"""The SLO's metadata as recording rules, as Sloth writes them (its "meta recordings"): objective,
error budget, period, current and whole-period burn rates, the budget remaining, and the
``sloth_slo_info`` series. Sloth's dashboards are built on these; nothing in loadgate reads them.
"""

from __future__ import annotations

from harness.slo.policy import BurnPolicy
from harness.slo.rules import RecordingRule, RuleGroup, period_source_window, slo_labels
from harness.slo.sloth_conventions import (
    BUDGET_REMAINING_RECORD,
    CURRENT_BURN_RECORD,
    ERROR_BUDGET_RECORD,
    INFO_RECORD,
    OBJECTIVE_RECORD,
    PERIOD_BURN_RECORD,
    TIME_PERIOD_RECORD,
    go_fixed,
    go_float,
    id_labels,
    label_filter,
    objective_percent,
    sli_error_record,
    sloth_id,
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
            f"{sli_error_record(window_s)}{where}\n"
            "/ on(sloth_id, sloth_slo, sloth_service) group_left\n"
            f"{ERROR_BUDGET_RECORD}{where}"
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
        rule(OBJECTIVE_RECORD, f"vector({ratio})"),
        rule(ERROR_BUDGET_RECORD, f"vector(1-{ratio})"),
        rule(TIME_PERIOD_RECORD, f"vector({go_float(slo.time_window_s / 86400)})"),
        rule(CURRENT_BURN_RECORD, burn_rate(period_source_window(policy))),
        rule(PERIOD_BURN_RECORD, burn_rate(slo.time_window_s)),
        rule(BUDGET_REMAINING_RECORD, f"1 - {PERIOD_BURN_RECORD}{where}"),
        {"record": INFO_RECORD, "expr": "vector(1)", "labels": dict(sorted(info.items()))},
    ]
    return {"name": f"sloth-slo-meta-recordings-{sloth_id(slo)}", "rules": rules}
