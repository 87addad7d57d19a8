"""OpenSLO v1's rules for the alerting kinds: ``AlertPolicy``, ``AlertCondition`` and
``AlertNotificationTarget``, standing alone or inline in a policy (and a policy inline in an SLO).

loadgate generates its alerts from its own burn-rate policy, not from these objects; it checks
them all the same, so a file it accepts is one every OpenSLO tool accepts: a policy holds exactly
one condition (the spec keeps the list "for future-proofing") and at least one notification
target, each a reference or the object inline, never both. openslo_schema.py says which source of
the spec's rules decides where they disagree.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.fields import FieldReader
from harness.slo.openslo_checks import (
    a_list,
    check_description,
    check_metadata,
    check_name,
    check_shorthand,
    check_string,
    mapping,
    present,
    shown,
)

__all__ = [
    "ALERTING_CHECKS",
    "ALERTING_KEYS",
    "OPERATORS",
    "Check",
    "check_alert_condition",
    "check_alert_policy",
    "check_notification_target",
    "ref_or_inline",
]

Path_ = tuple[str | int, ...]
Check = Callable[[FieldReader, Path_], None]
OPERATORS = ("lte", "gte", "lt", "gt")


def check_notification_target(reader: FieldReader, spec: Path_) -> None:
    check_description(reader, (*spec, "description"))
    check_string(reader, (*spec, "target"), True, "where notifications go, e.g. pagerduty")


def check_alert_condition(reader: FieldReader, spec: Path_) -> None:
    check_description(reader, (*spec, "description"))
    check_string(reader, (*spec, "severity"), True, "a severity such as page or ticket")
    keys = {"kind", "op", "threshold", "lookbackWindow", "alertAfter"}
    condition = mapping(reader, (*spec, "condition"), keys)
    if condition is None:
        return
    path = (*spec, "condition")
    kind = condition.get("kind", "burnrate")  # the README: kind defaults to burnrate
    if kind != "burnrate":
        reader.problem((*path, "kind"), f"{shown(kind)} is not allowed; allowed: burnrate")
        return
    op = condition.get("op")
    if op is not None and op not in OPERATORS:
        reader.problem(
            (*path, "op"), f"{shown(op)} is not allowed; allowed: {', '.join(OPERATORS)}"
        )
    threshold = present(reader, (*path, "threshold"), "the burn rate to alert on, e.g. 14.4")
    if threshold is not None and (
        isinstance(threshold, bool) or not isinstance(threshold, int | float)
    ):
        reader.problem(
            (*path, "threshold"), f"{shown(threshold)} is not allowed; allowed: a number"
        )
    check_shorthand(reader, (*path, "lookbackWindow"), required=True)
    check_shorthand(reader, (*path, "alertAfter"), required=False)


def check_alert_policy(reader: FieldReader, spec: Path_) -> None:
    check_description(reader, (*spec, "description"))
    for flag in ("alertWhenNoData", "alertWhenResolved", "alertWhenBreaching"):
        value = reader.get((*spec, flag), None)
        if value is not None and not isinstance(value, bool):
            reader.problem((*spec, flag), f"{shown(value)} is not allowed; allowed: true, false")
    parts = (
        ("conditions", "conditionRef", "AlertCondition", 1, 1),
        ("notificationTargets", "targetRef", "AlertNotificationTarget", 1, None),
    )
    for field, ref, kind, least, most in parts:
        entries = a_list(reader, (*spec, field), f"a list of {ref}s or inline {kind}s", True)
        if entries is None:
            continue
        if len(entries) < least or (most is not None and len(entries) > most):
            count = "exactly one" if most == 1 else f"at least {least}"
            reader.problem((*spec, field), f"has {len(entries)}; allowed: {count} (OpenSLO v1)")
        for i in range(len(entries)):
            ref_or_inline(reader, (*spec, field, i), ref, kind)


def ref_or_inline(reader: FieldReader, path: Path_, ref: str, kind: str) -> None:
    """A reference ``{ref: name}`` (a plain name too, for an SLO's alert policies), or the object
    inline: ``kind``, ``metadata`` and ``spec``, checked as that kind is."""
    if isinstance(reader.get(path), str) and ref == "alertPolicyRef":
        check_name(reader, path)
        return
    entry = mapping(reader, path, {ref, "kind", "metadata", "spec"})
    if entry is None:
        return
    if entry.get(ref) is not None:
        inline = [key for key in ("kind", "metadata", "spec") if key in entry]
        if inline:
            reader.problem(
                path, f"has {ref} and {', '.join(inline)}; allowed: {ref}, or the {kind} inline"
            )
        check_name(reader, (*path, ref))
        return
    if not any(key in entry for key in ("kind", "metadata", "spec")):
        reader.problem(
            path,
            f"{shown(entry)} is not allowed; allowed: {ref} (a {kind}'s name), or the {kind} "
            "inline (kind, metadata and spec)",
        )
        return
    if entry.get("kind") != kind:
        reader.problem(
            (*path, "kind"),
            f"{shown(entry.get('kind'))} is not allowed; allowed: {kind} (or {ref})",
        )
    check_metadata(reader, (*path, "metadata"))
    if mapping(reader, (*path, "spec"), ALERTING_KEYS[kind]) is not None:
        ALERTING_CHECKS[kind](reader, (*path, "spec"))


ALERTING_KEYS = {
    "AlertPolicy": {
        "description",
        "alertWhenNoData",
        "alertWhenResolved",
        "alertWhenBreaching",
        "conditions",
        "notificationTargets",
    },
    "AlertCondition": {"description", "severity", "condition"},
    "AlertNotificationTarget": {"description", "target"},
}
ALERTING_CHECKS: dict[str, Check] = {
    "AlertPolicy": check_alert_policy,
    "AlertCondition": check_alert_condition,
    "AlertNotificationTarget": check_notification_target,
}
