"""Sloth's naming conventions, which the generated rules follow so Sloth's dashboards and tools read
them unchanged: the label names, how an SLO is identified, how a window is spelled in a rule name,
and how numbers are printed (Sloth is written in Go; the same value must print the same).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from harness.values.slo import SLO

__all__ = [
    "BUDGET_REMAINING_RECORD",
    "CURRENT_BURN_RECORD",
    "ERROR_BUDGET_RECORD",
    "ID_LABELS",
    "INFO_RECORD",
    "LOADGATE_LABELS",
    "OBJECTIVE_RECORD",
    "PERIOD_BURN_RECORD",
    "RESERVED_LABELS",
    "SEVERITY_LABEL",
    "TIME_PERIOD_RECORD",
    "WINDOW_LABEL",
    "go_fixed",
    "go_float",
    "id_labels",
    "label_filter",
    "objective_percent",
    "sli_error_record",
    "sloth_id",
    "sloth_slo",
    "window_name",
]

ID_LABEL, SERVICE_LABEL, NAME_LABEL = "sloth_id", "sloth_service", "sloth_slo"
ID_LABELS = (ID_LABEL, SERVICE_LABEL, NAME_LABEL)
WINDOW_LABEL, SEVERITY_LABEL = "sloth_window", "sloth_severity"
INFO_LABELS = ("sloth_version", "sloth_mode", "sloth_spec", "sloth_objective")
# The recorded series' names, spelled here only: the rules write them and the dashboards
# (harness/dashboards/) query them, so a name changed here changes in both. A contract
# (docs/architecture.md): Sloth's dashboards read the same names.
SLI_ERROR_RECORD_PREFIX = "slo:sli_error:ratio_rate"  # + a window name: ratio_rate5m, …30d
OBJECTIVE_RECORD = "slo:objective:ratio"
ERROR_BUDGET_RECORD = "slo:error_budget:ratio"
TIME_PERIOD_RECORD = "slo:time_period:days"
CURRENT_BURN_RECORD = "slo:current_burn_rate:ratio"
PERIOD_BURN_RECORD = "slo:period_burn_rate:ratio"
BUDGET_REMAINING_RECORD = "slo:period_error_budget_remaining:ratio"
INFO_RECORD = "sloth_slo_info"
# loadgate's own labels, written beside Sloth's: the generated Alertmanager config reads them.
LOADGATE_LABELS = ("loadgate_slo", "loadgate_service")
# Labels the rules write themselves: a spec's label of the same name would overwrite one and
# break the matchers every rule filters on (Sloth merges the spec's labels last).
RESERVED_LABELS = frozenset(
    (*ID_LABELS, WINDOW_LABEL, SEVERITY_LABEL, *INFO_LABELS, *LOADGATE_LABELS)
)
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
# Prometheus's own duration spelling (model.Duration.String): weeks and years only when exact.
_UNITS = (
    ("y", 365 * 86_400_000, True),
    ("w", 7 * 86_400_000, True),
    ("d", 86_400_000, False),
    ("h", 3_600_000, False),
    ("m", 60_000, False),
    ("s", 1_000, False),
    ("ms", 1, False),
)


def sloth_slo(slo: SLO) -> str:
    """``sloth_slo``: the SLO's name within its service."""
    return slo.name_in_service or slo.name


def sloth_id(slo: SLO) -> str:
    """``sloth_id``: ``<service>-<name>``, as Sloth identifies a Sloth spec's SLO. For an OpenSLO
    SLO the same form is loadgate's own convention: Sloth reads only OpenSLO v1alpha, and names
    its SLOs ``<service>-<name>-<index of the objective>``."""
    return f"{slo.service}-{sloth_slo(slo)}"


def id_labels(slo: SLO) -> dict[str, str]:
    """The three labels every Sloth rule of the SLO carries and every query filters on."""
    return {ID_LABEL: sloth_id(slo), SERVICE_LABEL: slo.service, NAME_LABEL: sloth_slo(slo)}


def label_filter(labels: dict[str, str]) -> str:
    """``{a="x", b="y"}``, sorted, as Sloth writes its filters."""
    inside = ", ".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return f"{{{inside}}}"


def sli_error_record(window_s: float) -> str:
    """The error ratio recorded over one window: ``slo:sli_error:ratio_rate5m``."""
    return f"{SLI_ERROR_RECORD_PREFIX}{window_name(window_s)}"


def window_name(seconds: float) -> str:
    """A window as Sloth names it in ``slo:sli_error:ratio_rate<W>`` and ``sloth_window``: 5m, 1h,
    3d, 30d, and 28 days as ``4w`` (Prometheus's spelling, which Sloth uses)."""
    ms = round(seconds * 1000)
    if ms == 0:
        return "0s"
    text = ""
    for unit, size, exact in _UNITS:
        if exact and ms % size:
            continue
        if ms >= size:
            text += f"{ms // size}{unit}"
            ms %= size
    return text


def go_float(value: float) -> str:
    """A float as Go's ``%g`` and ``%v`` print it (``strconv.FormatFloat(v, 'g', -1, 64)``), as
    Sloth prints its objective ratio, error budget, period and burn factors: the shortest digits
    that read back the same (``1 - 0.999`` is ``0.0009999999999999432``, ``6.0`` is ``6``), in
    an exponent form when the decimal exponent is below -4 or 6 and above — Go decides with a
    precision of 6 for the shortest digits: ``1e+06``, ``1.5e-05`` (Python's repr switches only
    at 1e16, and writes ``1000000.0``)."""
    special = _special(value)
    if special is not None:
        return special
    negative, digits, point = _shortest(value)
    exponent = point - 1
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
        return f"{negative}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    return negative + _fixed(digits, point)


def go_fixed(value: float) -> str:
    """A float as Go's ``strconv.FormatFloat(v, 'f', -1, 64)`` prints it — the shortest digits
    that read back the same, never in an exponent form (``99.9``, ``1000000``, ``0.00001``): how
    Sloth writes ``sloth_objective``."""
    special = _special(value)
    if special is not None:
        return special
    negative, digits, point = _shortest(value)
    return negative + _fixed(digits, point)


def _special(value: float) -> str | None:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    return None


def _shortest(value: float) -> tuple[str, str, int]:
    """The sign, the shortest digits that read back as ``value`` (Python's repr finds the same
    ones as Go) without trailing zeros, and where the decimal point goes among them."""
    sign, digit_tuple, exp = Decimal(repr(float(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    assert isinstance(exp, int)  # (finite: _special took the rest)
    point = len(digit_tuple) + exp
    return ("-" if sign else ""), digits, point


def _fixed(digits: str, point: int) -> str:
    if point <= 0:
        return f"0.{'0' * -point}{digits}"
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return f"{digits[:point]}.{digits[point:]}"


def objective_percent(slo: SLO) -> float:
    """The objective as the percentage Sloth computes from (99.9, not 0.999): Sloth derives the
    objective ratio and the error budget from it, and the rules must print its exact values.
    Rounded to 10 decimals, which recovers any percentage a spec writes from the stored ratio."""
    return round(slo.objective * 100, 10)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
