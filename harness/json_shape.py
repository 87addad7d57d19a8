"""Does a parsed JSON document have the shape of the type it is about to be used as?

The result document is typed (harness/values/result_doc.py): its readers index it as the types
say, trusting mypy. That trust holds for the document the writer builds; a result.json read back
from disk is only text someone may have edited, truncated or written with another version. So a
reader checks the file against the very type it returns, and an unfit file is an input error that
names each bad field — never a KeyError half-way through paging.

What the types can say is checked: objects with their required fields (fields a type does not name
are allowed: documents gain fields within a schema version), lists, maps, strings, whole numbers,
finite numbers (a JSON integer is a number too; a boolean is neither), booleans, null, literal
choices and unions of these. Ranges and patterns are the published JSON Schema's business
(docs/result-json.schema.json, which the tests hold to the same fields).
"""

from __future__ import annotations

import json
import math
import types
from functools import cache
from typing import (
    Any,
    Literal,
    NotRequired,
    Required,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    is_typeddict,
)

__all__ = ["describe", "shape_problems", "typed_fields"]

SHOWN = 40  # characters of a bad value quoted in a problem
WORDS = (
    (str, "a string"), (int, "a whole number"), (float, "a number"), (bool, "true or false"),
    (type(None), "null"),
)  # fmt: skip


def shape_problems(value: object, expected: object, where: str = "") -> list[tuple[str, str]]:
    """Each place where ``value`` is not of type ``expected`` (a type: ``ResultDoc``,
    ``list[str]``, ``float | None``): (its path, what is wrong and what is allowed). Empty when the
    value fits. Paths read like ``run.load_window.seconds`` and ``slos[2].status``."""
    if expected is Any or expected is object:
        return []
    if is_typeddict(expected):
        return _object(value, expected, where)
    origin, args = get_origin(expected), get_args(expected)
    if origin in (Union, types.UnionType):
        return _union(value, args, where)
    if origin is list and isinstance(value, list):
        return [
            p
            for i, item in enumerate(value)
            for p in shape_problems(item, args[0], f"{where}[{i}]")
        ]
    if origin is dict and isinstance(value, dict):
        return [
            p for key, item in value.items() for p in shape_problems(item, args[1], _at(where, key))
        ]
    if _fits(value, expected):
        return []
    return [(where or "(document)", f"{_show(value)}; allowed: {describe(expected)}")]


def describe(expected: object) -> str:
    """What a type allows, in words: "a number or null"."""
    origin, args = get_origin(expected), get_args(expected)
    if origin in (Union, types.UnionType):
        return " or ".join(describe(arg) for arg in args)
    if origin is Literal:
        return "one of " + ", ".join(json.dumps(arg) for arg in args)
    if is_typeddict(expected) or origin is dict:
        return "an object"
    if origin is list:
        return "a list"
    return next((word for kind, word in WORDS if expected is kind), str(expected))


def _object(value: object, expected: object, where: str) -> list[tuple[str, str]]:
    if not isinstance(value, dict):
        return [(where or "(document)", f"{_show(value)}; allowed: an object")]
    problems = []
    for key, (field_type, required) in typed_fields(expected).items():
        if key in value:
            problems += shape_problems(value[key], field_type, _at(where, key))
        elif required:
            problems.append((_at(where, key), f"missing; allowed: {describe(field_type)}"))
    return problems


def _union(value: object, choices: tuple[object, ...], where: str) -> list[tuple[str, str]]:
    """Fits one of the choices; if not, the problems inside the one choice of the value's kind
    (an object that is not quite a ``LoadWindowDoc`` says which field is wrong)."""
    found = [shape_problems(value, choice, where) for choice in choices]
    if any(not problems for problems in found):
        return []
    same_kind = [
        problems for choice, problems in zip(choices, found, strict=True) if _kind(value, choice)
    ]
    if len(same_kind) == 1:
        return same_kind[0]
    allowed = " or ".join(describe(choice) for choice in choices)
    return [(where or "(document)", f"{_show(value)}; allowed: {allowed}")]


def _kind(value: object, expected: object) -> bool:
    """Whether ``value`` is at least the kind of thing ``expected`` is (an object, a list, …)."""
    if is_typeddict(expected) or get_origin(expected) is dict:
        return isinstance(value, dict)
    if get_origin(expected) is list:
        return isinstance(value, list)
    return _fits(value, expected)


def _fits(value: object, expected: object) -> bool:
    if get_origin(expected) is Literal:
        return any(type(value) is type(choice) and value == choice for choice in get_args(expected))
    if expected is type(None):
        return value is None
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        )
    if expected is str:
        return isinstance(value, str)
    return False  # a list or dict where a scalar belongs, or a type this module does not know


@cache
def typed_fields(typed: object) -> dict[str, tuple[object, bool]]:
    """Each field's type and whether it is required. Not ``__required_keys__``: Python 3.11 counts
    a ``NotRequired`` field as required when annotations are postponed (PEP 563), as they are in
    harness/values/."""
    fields = {}
    total = getattr(typed, "__total__", True)
    for key, hint in get_type_hints(typed, include_extras=True).items():
        origin = get_origin(hint)
        if origin in (NotRequired, Required):
            [hint] = get_args(hint)
        fields[key] = (hint, origin is Required or (total and origin is not NotRequired))
    return fields


def _at(where: str, key: object) -> str:
    return f"{where}.{key}" if where else str(key)


def _show(value: object) -> str:
    shown = (
        json.dumps(value) if not isinstance(value, float) or math.isfinite(value) else str(value)
    )
    return shown if len(shown) <= SHOWN else shown[: SHOWN - 1] + "…"
