"""Reading fields out of a YAML document while collecting every problem, with its line.

Both scenario files and SLO files go through this, so their errors read alike (hence it sits
beside yamlfile.py, not in plan/: plan/ loads SLO files, so slo/ must not import plan/):
``slo/recommender.yaml:14: slo 'home-availability' → spec.objectives[0].target: 1.5 is out of range;
allowed: a ratio above 0 and below 1 (e.g. 0.999)``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TypeVar, overload

from harness.errors import Problem
from harness.yamlfile import YamlDocument

__all__ = ["MISSING", "FieldReader", "Missing", "show_path"]

T = TypeVar("T")
U = TypeVar("U")
D = TypeVar("D")
FieldPath = tuple[str | int, ...]


class Missing(Enum):
    """The type of ``MISSING``: a field that is absent or was wrong (its problem is recorded).

    An enum member, so ``value is MISSING`` narrows ``T | Missing`` to ``T`` for mypy. Truthy, like
    the bare ``object()`` it replaces, so ``reader.typed(...) or default`` still keeps it."""

    MISSING = "MISSING"


MISSING = Missing.MISSING


def show_path(path: FieldPath) -> str:
    """``("spec", "objectives", 0, "target")`` → ``spec.objectives[0].target``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class FieldReader:
    """Typed access to one document's fields; problems pile up in ``problems`` instead of raising.

    ``get`` returns the YAML value as it is (``object``: the caller checks its shape); ``typed``
    and ``converted`` return the type asked for. Each returns ``MISSING`` after recording a
    problem, or ``default`` (of its own type) when the field is absent."""

    def __init__(self, document: YamlDocument, label: str = "") -> None:
        self.document = document
        self.label = label  # prefix naming the object, e.g. "slo 'home-latency' → "
        self.problems: list[Problem] = []

    def problem(self, path: FieldPath, message: str) -> None:
        field = self.document.within + self.label + (show_path(path) or "(document)")
        self.problems.append(
            Problem(self.document.source, field, message, self.document.line(*path))
        )

    @overload
    def get(self, path: FieldPath) -> object: ...
    @overload
    def get(self, path: FieldPath, default: D) -> object | D: ...
    def get(self, path: FieldPath, default: object = MISSING) -> object:
        """The value at ``path``; ``MISSING`` (and a problem) when absent and no default is given."""
        node: object = self.document.data
        for i, part in enumerate(path):
            if isinstance(part, str) and isinstance(node, dict):
                node = node.get(part, MISSING)
            elif isinstance(part, int) and isinstance(node, list):
                node = node[part] if part < len(node) else MISSING
            else:
                if i and node is not MISSING:
                    kind = "a mapping" if isinstance(part, str) else "a list"
                    self.problem(path[:i], f"{node!r} is not {kind}")
                    return MISSING
                node = MISSING
                break
            if node is MISSING:
                break
        if node is MISSING or node is None:
            if default is MISSING:
                self.problem(path, "is required")
                return MISSING
            return default
        return node

    @overload
    def typed(self, path: FieldPath, kind: type[T], allowed: str) -> T | Missing: ...
    @overload
    def typed(
        self, path: FieldPath, kind: type[T], allowed: str, default: D
    ) -> T | D | Missing: ...
    @overload
    def typed(
        self, path: FieldPath, kind: tuple[type[T], type[U]], allowed: str
    ) -> T | U | Missing: ...
    @overload
    def typed(
        self, path: FieldPath, kind: tuple[type[T], type[U]], allowed: str, default: D
    ) -> T | U | D | Missing: ...
    def typed(
        self,
        path: FieldPath,
        kind: type[object] | tuple[type[object], ...],
        allowed: str,
        default: object = MISSING,
    ) -> object:
        """The value at ``path`` if it is of ``kind``; else a problem naming the value and ``allowed``."""
        value = self.get(path, default)
        if value is MISSING or value is default:
            return value
        bad_bool = isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind)
        if bad_bool or not isinstance(value, kind):
            self.problem(path, f"{value!r} is not allowed; allowed: {allowed}")
            return MISSING
        return value

    @overload
    def converted(self, path: FieldPath, convert: Callable[[object], T]) -> T | Missing: ...
    @overload
    def converted(
        self, path: FieldPath, convert: Callable[[object], T], default: object
    ) -> T | Missing: ...
    def converted(
        self, path: FieldPath, convert: Callable[[object], T], default: object = MISSING
    ) -> T | Missing:
        """``convert(value)`` (of ``default`` too, when absent); a ``ValueError`` from it becomes a
        problem carrying its message."""
        value = self.get(path, default)
        if value is MISSING:
            return MISSING
        try:
            return convert(value)
        except ValueError as exc:
            self.problem(path, str(exc))
            return MISSING

    def unknown_keys(self, path: FieldPath, known: set[str]) -> None:
        """Flag keys nobody reads: a typo such as ``dration`` must not be silently ignored."""
        value = self.get(path, {})
        if not isinstance(value, dict):
            return
        for key in value:
            if key not in known:
                allowed = ", ".join(sorted(known))
                self.problem((*path, str(key)), f"unknown field; allowed here: {allowed}")


def _as_tuple(kind: type[object] | tuple[type[object], ...]) -> tuple[type[object], ...]:
    return kind if isinstance(kind, tuple) else (kind,)
