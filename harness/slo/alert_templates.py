"""The part of Prometheus's alert templates that generated rules may hold in their labels and
annotations: ``{{ $labels.NAME }}`` and ``{{ $value }}`` (and their ``.Labels.NAME``/``.Value``
spellings).

Prometheus expands templates before promtool compares an alert with what a test expects, so the
generated tests must expand them too; loadgate does not run Go's template language, so a spec
that uses more of it is refused when read (``unsupported``) rather than given failing tests.
"""

from __future__ import annotations

import re

from harness.slo.sloth_conventions import go_float

__all__ = ["ALLOWED", "expand", "unsupported"]

ALLOWED = "text, {{ $labels.NAME }} and {{ $value }}"
_ACTION = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_LABEL = re.compile(r"^\s*(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)\s*$")
_VALUE = re.compile(r"^\s*(?:\$value|\.Value)\s*$")


def unsupported(text: str) -> str | None:
    """The first template action in ``text`` that ``expand`` cannot evaluate, or None."""
    for action in _ACTION.finditer(text):
        if not (_LABEL.match(action.group(1)) or _VALUE.match(action.group(1))):
            return action.group(0)
    if "{{" in _ACTION.sub("", text):
        return "{{"  # an action that is never closed
    return None


def expand(text: str, labels: dict[str, str], value: float) -> str:
    """``text`` as Prometheus renders it for an alert on a series with ``labels`` and ``value``.

    ``$labels`` are the series' labels, not the rule's (Prometheus expands with the sample's);
    a label the series lacks prints ``<no value>``, as Go's templates print a missing map key.
    """

    def action(match: re.Match[str]) -> str:
        label = _LABEL.match(match.group(1))
        if label:
            return labels.get(label.group(1), "<no value>")
        return go_float(value)

    return _ACTION.sub(action, text)
