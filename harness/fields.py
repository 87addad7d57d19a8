"""Reading fields out of a YAML document while collecting every problem, with its line.

Both scenario files and SLO files go through this, so their errors read alike (hence it sits
beside yamlfile.py, not in plan/: plan/ loads SLO files, so slo/ must not import plan/):
``slo/recommender.yaml:14: slo 'home-availability' → spec.objectives[0].target: 1.5 is out of range;
allowed: a ratio above 0 and below 1 (e.g. 0.999)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from harness.errors import Problem
from harness.yamlfile import YamlDocument

__all__ = ["MISSING", "FieldReader", "show_path"]

T = TypeVar("T")
MISSING: Any = object()


def show_path(path: tuple[str | int, ...]) -> str:
    """``("spec", "objectives", 0, "target")`` → ``spec.objectives[0].target``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class FieldReader:
    """Typed access to one document's fields; problems pile up in ``problems`` instead of raising."""

    def __init__(self, document: YamlDocument, label: str = "") -> None:
        self.document = document
        self.label = label  # prefix naming the object, e.g. "slo 'home-latency' → "
        self.problems: list[Problem] = []

    def problem(self, path: tuple[str | int, ...], message: str) -> None:
        field = self.label + (show_path(path) or "(document)")
        self.problems.append(
            Problem(self.document.source, field, message, self.document.line(*path))
        )

    def get(self, path: tuple[str | int, ...], default: Any = MISSING) -> Any:
        """The value at ``path``; ``MISSING`` (and a problem) when absent and no default is given."""
        node: Any = self.document.data
        for i, part in enumerate(path):
            container_ok = (
                isinstance(node, dict) if isinstance(part, str) else isinstance(node, list)
            )
            if not container_ok:
                if i and node is not MISSING:
                    kind = "a mapping" if isinstance(part, str) else "a list"
                    self.problem(path[:i], f"{node!r} is not {kind}")
                    return MISSING
                node = MISSING
                break
            if isinstance(part, str):
                node = node.get(part, MISSING)
            else:
                node = node[part] if part < len(node) else MISSING
            if node is MISSING:
                break
        if node is MISSING or node is None:
            if default is MISSING:
                self.problem(path, "is required")
                return MISSING
            return default
        return node

    def typed(
        self,
        path: tuple[str | int, ...],
        kind: type[T] | tuple[type, ...],
        allowed: str,
        default: Any = MISSING,
    ) -> Any:
        """The value at ``path`` if it is of ``kind``; else a problem naming the value and ``allowed``."""
        value = self.get(path, default)
        if value is MISSING or value is default:
            return value
        bad_bool = isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind)
        if bad_bool or not isinstance(value, kind):
            self.problem(path, f"{value!r} is not allowed; allowed: {allowed}")
            return MISSING
        return value

    def converted(
        self,
        path: tuple[str | int, ...],
        convert: Callable[[Any], T],
        default: Any = MISSING,
    ) -> Any:
        """``convert(value)``; a ``ValueError`` from it becomes a problem carrying its message."""
        value = self.get(path, default)
        if value is MISSING:
            return MISSING
        try:
            return convert(value)
        except ValueError as exc:
            self.problem(path, str(exc))
            return MISSING

    def unknown_keys(self, path: tuple[str | int, ...], known: set[str]) -> None:
        """Flag keys nobody reads: a typo such as ``dration`` must not be silently ignored."""
        value = self.get(path, {})
        if not isinstance(value, dict):
            return
        for key in value:
            if key not in known:
                allowed = ", ".join(sorted(known))
                self.problem((*path, str(key)), f"unknown field; allowed here: {allowed}")


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)
