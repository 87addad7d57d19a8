"""The building blocks of OpenSLO v1's rules, each reporting through a ``FieldReader``: a mapping
with the keys the spec defines, a required string, a description of at most 1,050 characters, a
duration in the spec's shorthand, an object's ``metadata``. openslo_schema.py applies them kind by
kind. Every problem names the field, the value found and what the spec allows.

Where the spec's README, its published JSON Schema and its Go SDK disagree, the README — the
specification — decides (openslo_schema.py lists where)."""

from __future__ import annotations

import re

from harness.fields import MISSING, FieldReader
from harness.slo.openslo_index import NAME, NAME_ALLOWED, NAME_MAX

__all__ = [
    "DESCRIPTION_MAX",
    "check_description",
    "check_metadata",
    "check_name",
    "check_shorthand",
    "check_string",
    "exactly_one",
    "mapping",
    "present",
    "shown",
]

Path_ = tuple[str | int, ...]
DESCRIPTION_MAX = 1050
# OpenSLO's duration shorthand: a positive whole number and a case-sensitive unit.
SHORTHAND = re.compile(r"[1-9]\d*[mhdwMQY]")
SHORTHAND_ALLOWED = "a whole number and one of m, h, d, w, M, Q, Y, e.g. 5m, 1h or 4w"
# Label keys and annotation names: up to 63 characters, alphanumeric at both ends, "-_." between.
_KEY = r"[a-zA-Z0-9](?:[-._a-zA-Z0-9]{0,61}[a-zA-Z0-9])?"
LABEL_KEY = re.compile(_KEY)
ANNOTATION_KEY = re.compile(
    rf"(?:(?=[^/]{{1,253}}/)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?{_KEY}"
)
METADATA_KEYS = {"name", "displayName", "labels", "annotations"}


def shown(value: object) -> str:
    """A value as a message shows it: its repr, cut short when long (a 2,000-character text)."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}… ({len(str(value))} characters)"


def present(reader: FieldReader, path: Path_, allowed: str | None) -> object | None:
    """The value at ``path``, or None when absent; then, when ``allowed`` says what the spec
    wants there (a required field), a problem saying so."""
    value = reader.get(path, None)
    if value is MISSING:  # under something that is no mapping: reported
        return None
    if value is None and allowed is not None:
        reader.problem(path, f"is required; allowed: {allowed}")
    return value


def a_list(reader: FieldReader, path: Path_, allowed: str, required: bool) -> list[object] | None:
    """The list at ``path``; None when absent (a problem when required) or no list (reported)."""
    value = present(reader, path, allowed if required else None)
    if value is not None and not isinstance(value, list):
        reader.problem(path, f"{shown(value)} is not allowed; allowed: {allowed}")
        return None
    return value


def mapping(
    reader: FieldReader, path: Path_, keys: set[str] | None, required: bool = True
) -> dict[str, object] | None:
    """The mapping at ``path`` (None when absent, or not a mapping: reported), its keys checked
    against ``keys`` (None: any key, as for a data source's connection details)."""
    wanted = f"a mapping of {', '.join(sorted(keys))}" if keys else "a mapping"
    value = present(reader, path, wanted if required else None)
    if value is None:
        return None
    if not isinstance(value, dict):
        reader.problem(path, f"{shown(value)} is not allowed; allowed: a mapping")
        return None
    if keys is not None:
        reader.unknown_keys(path, keys)
    return value


def check_string(reader: FieldReader, path: Path_, required: bool, allowed: str) -> str | None:
    """The non-empty string at ``path``; None when absent (a problem when required) or wrong."""
    value = present(reader, path, allowed if required else None)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        reader.problem(path, f"{shown(value)} is not allowed; allowed: {allowed}")
        return None
    return value


def check_description(reader: FieldReader, path: Path_) -> None:
    value = check_string(reader, path, False, f"a text of at most {DESCRIPTION_MAX} characters")
    if value is not None and len(value) > DESCRIPTION_MAX:
        reader.problem(
            path,
            f"{shown(value)} is {len(value)} characters long; allowed: at most {DESCRIPTION_MAX}",
        )


def check_name(reader: FieldReader, path: Path_, required: bool = True) -> None:
    """The name of an object (its own, or one it refers to), as the index files names."""
    name = check_string(reader, path, required, NAME_ALLOWED)
    if name is not None and (len(name) > NAME_MAX or not NAME.fullmatch(name)):
        reader.problem(path, f"{shown(name)} is not allowed; allowed: {NAME_ALLOWED}")


def check_shorthand(reader: FieldReader, path: Path_, required: bool) -> None:
    value = reader.get(path) if required else reader.get(path, None)
    if (
        value is not None
        and value is not MISSING
        and not (isinstance(value, str) and SHORTHAND.fullmatch(value))
    ):
        reader.problem(path, f"{shown(value)} is not allowed; allowed: {SHORTHAND_ALLOWED}")


def exactly_one(
    reader: FieldReader, path: Path_, found: object, keys: tuple[str, ...], why: str
) -> str | None:
    """Which one of ``keys`` the mapping ``found`` holds; a problem naming them when none or
    several (or when ``found`` is no mapping)."""
    present = [key for key in keys if isinstance(found, dict) and found.get(key) is not None]
    if len(present) == 1:
        return present[0]
    given = f"has {' and '.join(present)}" if present else f"has none of {', '.join(keys)}"
    reader.problem(path, f"{given}; allowed: exactly one of {' or '.join(keys)} ({why})")
    return None


def check_metadata(reader: FieldReader, path: Path_, name_checked: bool = False) -> None:
    """An object's ``metadata``: its name (unless the index already checked it), display name,
    labels (values a string or a list of strings) and annotations (string values)."""
    found = mapping(reader, path, METADATA_KEYS)
    if found is None:
        return
    if not name_checked:
        check_name(reader, (*path, "name"))
    check_string(reader, (*path, "displayName"), False, "a non-empty text")
    labels = mapping(reader, (*path, "labels"), None, required=False) or {}
    for key, value in labels.items():
        where = (*path, "labels", str(key))
        if not (isinstance(key, str) and LABEL_KEY.fullmatch(key)):
            reader.problem(where, f"the key {shown(key)} is not allowed; allowed: {_KEY_ALLOWED}")
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) for v in values):
            reader.problem(
                where,
                f"{shown(value)} is not allowed; allowed: a string or a list of strings "
                "(quote values YAML reads otherwise: 'true', '1')",
            )
    annotations = mapping(reader, (*path, "annotations"), None, required=False) or {}
    for key, value in annotations.items():
        where = (*path, "annotations", str(key))
        if not (isinstance(key, str) and ANNOTATION_KEY.fullmatch(key)):
            reader.problem(
                where,
                f"the key {shown(key)} is not allowed; allowed: an optional DNS-subdomain prefix "
                f"and '/' (example.com/), then {_KEY_ALLOWED}",
            )
        if not isinstance(value, str):
            reader.problem(where, f"{shown(value)} is not allowed; allowed: a string")


_KEY_ALLOWED = (
    "1 to 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit"
)
