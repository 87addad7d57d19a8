"""A Sloth SLO's ``labels`` and ``alerting``, read the way Sloth reads them and carried into the
rules: ``alerting.name``, ``labels`` and ``annotations`` for every alert, ``page_alert`` and
``ticket_alert`` with their own ``labels`` and ``annotations`` merged over those (the alert's own
win, as in Sloth), and ``disable: true`` to generate no such alert. Anything else is refused:
a converter that drops what a user wrote (a routing label, a runbook) must not pass silently.
"""

from __future__ import annotations

import re

from harness.fields import MISSING, FieldPath, FieldReader, Missing
from harness.slo.alert_templates import ALLOWED, unsupported
from harness.slo.sloth_conventions import LABEL_NAME, RESERVED_LABELS
from harness.values.slo import AlertSettings

__all__ = ["ALERT_NAME", "Alerting", "read_alerting", "read_labels"]

ALERTING_KEYS = {"name", "labels", "annotations", "page_alert", "ticket_alert"}
ALERT_KEYS = {"disable", "labels", "annotations"}
ALERT_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")  # a Prometheus metric name
Alerting = tuple[str, AlertSettings, AlertSettings]  # name ("" when not given), page, ticket


def read_alerting(reader: FieldReader, at: FieldPath) -> Alerting | Missing:
    """The SLO's ``alerting`` at ``at``; ``MISSING`` once a problem with it is recorded."""
    before = len(reader.problems)
    if (
        reader.typed(at, dict, "a mapping: name, labels, annotations, page_alert, ticket_alert", {})
        is MISSING
    ):
        return MISSING
    reader.unknown_keys(at, ALERTING_KEYS)
    name = reader.typed((*at, "name"), str, "an alert name such as CheckoutHighErrorRate", "")
    if name is not MISSING and name and not ALERT_NAME.match(name):
        reader.problem(
            (*at, "name"),
            f"{name!r} is not allowed; allowed: an alert name of letters, digits, '_' and ':', "
            "not starting with a digit (a Prometheus metric name)",
        )
    labels = read_labels(reader, (*at, "labels"), templates=True)
    annotations = _annotations(reader, (*at, "annotations"))
    page, ticket = (
        _alert(reader, (*at, key), labels, annotations) for key in ("page_alert", "ticket_alert")
    )
    if len(reader.problems) > before or name is MISSING or page is MISSING or ticket is MISSING:
        return MISSING
    return name, page, ticket


def _alert(
    reader: FieldReader,
    at: FieldPath,
    labels: dict[str, str] | Missing,
    annotations: dict[str, str] | Missing,
) -> AlertSettings | Missing:
    if reader.typed(at, dict, "a mapping: disable, labels, annotations", {}) is MISSING:
        return MISSING
    reader.unknown_keys(at, ALERT_KEYS)
    disabled = reader.typed((*at, "disable"), bool, "true or false", False)
    own_labels = read_labels(reader, (*at, "labels"), templates=True)
    own_annotations = _annotations(reader, (*at, "annotations"))
    if (
        disabled is MISSING
        or labels is MISSING
        or annotations is MISSING
        or own_labels is MISSING
        or own_annotations is MISSING
    ):
        return MISSING
    return AlertSettings(disabled, {**labels, **own_labels}, {**annotations, **own_annotations})


def read_labels(
    reader: FieldReader, at: FieldPath, templates: bool = False
) -> dict[str, str] | Missing:
    """Label values as Sloth writes them into rules: as written (``True``, ``1.50``). Alert labels
    (``templates``) may use ``{{ $labels.NAME }}``, as Prometheus expands them."""
    given = reader.typed(at, dict, "a mapping of label names to values", {})
    if given is MISSING:
        return MISSING
    labels = {}
    before = len(reader.problems)
    for key, value in given.items():
        path = (*at, str(key))
        if _name_problem(reader, path, key, "label"):
            continue
        if str(key) in RESERVED_LABELS:
            reader.problem(
                path,
                f"{key!r} is a label the generated rules write themselves; allowed: any other "
                f"label name (not {', '.join(sorted(RESERVED_LABELS))})",
            )
        elif (text := _scalar(reader, path, value)) is None:
            reader.problem(
                path,
                f"{value!r} is not allowed; allowed: a label value (a string, number, true or false)",
            )
        elif not text:
            reader.problem(
                path,
                "'' is not allowed; allowed: a label value that is not empty (Prometheus "
                "drops a label whose value is empty)",
            )
        else:
            labels[str(key)] = text
            if templates:
                _template_problem(reader, path, text)
    return labels if len(reader.problems) == before else MISSING


def _annotations(reader: FieldReader, at: FieldPath) -> dict[str, str] | Missing:
    given = reader.typed(at, dict, "a mapping of annotation names to texts", {})
    if given is MISSING:
        return MISSING
    annotations = {}
    before = len(reader.problems)
    for key, value in given.items():
        path = (*at, str(key))
        if _name_problem(reader, path, key, "annotation"):
            continue
        text = _scalar(reader, path, value)
        if text:
            annotations[str(key)] = text
            _template_problem(reader, path, text)
        else:
            reader.problem(path, f"{value!r} is not allowed; allowed: a text that is not empty")
    return annotations if len(reader.problems) == before else MISSING


def _scalar(reader: FieldReader, path: FieldPath, value: object) -> str | None:
    """A YAML scalar as the text Sloth writes; None if no scalar (or null). Sloth reads labels and
    annotations with Go's yaml.v2 into ``map[string]string``, which keeps a scalar's text as
    written: ``True``, ``yes``, ``1.50``, ``0x1F`` and ``2024-01-01`` stay as they are, where
    PyYAML builds True, True, 1.5, 31 and a date."""
    if value is None or isinstance(value, dict | list):
        return None
    return reader.document.text(*path)


def _name_problem(reader: FieldReader, path: FieldPath, key: object, what: str) -> bool:
    if isinstance(key, str) and LABEL_NAME.match(key) and not key.startswith("__"):
        return False
    reader.problem(
        path,
        f"{key!r} is not allowed as {'an' if what[0] == 'a' else 'a'} {what} name; allowed: "
        "letters, digits and '_', not starting with a digit or '__'",
    )
    return True


def _template_problem(reader: FieldReader, path: FieldPath, text: str) -> None:
    action = unsupported(text)
    if action is not None:
        reader.problem(
            path,
            f"{action!r} is a template loadgate cannot check in the generated promtool tests; "
            f"allowed: {ALLOWED}",
        )
