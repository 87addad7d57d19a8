"""result.json against its published JSON Schema (docs/result-json.schema.json), for the tests.

The schema lets every object carry fields it does not list: readers must accept fields added
within schema 1. The tests hold the writer to more: ``check_result`` also refuses a field the
schema does not list, so a field added to result.json without being added to the schema (and so
to the docs beside it) fails the first e2e test that writes it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "result-json.schema.json"
CONDITIONS = ("if", "then", "else")


@cache
def schema() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return document


@cache
def validator() -> Draft202012Validator:
    """The published schema, as a reader outside the project would use it."""
    return Draft202012Validator(schema())


@cache
def strict_validator() -> Draft202012Validator:
    """The schema with no room for unlisted fields: the writer and the schema must agree."""
    return Draft202012Validator(closed(schema()))


def closed(node: Any) -> Any:
    """A copy in which every object schema that lists ``properties`` allows no others.

    Conditions (``if``/``then``/``else``) are left open: each speaks of a few fields of an object
    that has more.
    """
    if isinstance(node, list):
        return [closed(item) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {key: value if key in CONDITIONS else closed(value) for key, value in node.items()}
    if "properties" in copied and "additionalProperties" not in copied:
        copied["additionalProperties"] = False
    return copied


def problems(document: object, *, strict: bool = True) -> list[str]:
    """Each way ``document`` breaks the schema, as ``$.path: message`` (none: it is valid)."""
    checker = strict_validator() if strict else validator()
    return sorted(f"{error.json_path}: {error.message}" for error in checker.iter_errors(document))


def check_result(document: object, where: str = "result.json") -> None:
    """Fail the test, naming every problem, unless ``document`` is a valid result.json."""
    found = problems(document)
    assert not found, f"{where} does not match {SCHEMA_PATH.name}:\n" + "\n".join(found)
