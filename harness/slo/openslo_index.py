"""The OpenSLO objects of every loaded file, filed by kind and name so references resolve across
files: an SLO's ``indicatorRef`` may name an SLI of another file, an alert policy a condition."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.errors import Problem
from harness.fields import MISSING, FieldReader
from harness.yamlfile import YamlDocument

__all__ = ["API_VERSION", "KINDS", "OpenSLOIndex", "filed_name", "unknown_reference"]

API_VERSION = "openslo/v1"
KINDS = (
    "SLO",
    "SLI",
    "Service",
    "DataSource",
    "AlertPolicy",
    "AlertCondition",
    "AlertNotificationTarget",
)
# OpenSLO requires every tool to take RFC 1123 labels (``[a-z0-9-]``, 63 characters) and encourages
# up to 255 characters with ``.``, ``|``, ``/`` and ``\``. loadgate takes RFC 1123 subdomains (labels
# joined by dots) up to 255: the name becomes a PromQL label matcher and part of alert names,
# where a backslash is an escape and ``|`` or ``/`` no part of a name.
NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
NAME_MAX = 255
NAME_ALLOWED = (
    "lowercase letters, digits, '-' and '.' (an RFC 1123 subdomain such as shop.checkout-errors: "
    f"each part between dots starts and ends with a letter or digit), 1 to {NAME_MAX} characters"
)


@dataclass
class OpenSLOIndex:
    """Every named OpenSLO object of every loaded file, so references resolve across files."""

    named: dict[str, dict[str, YamlDocument]] = field(
        default_factory=lambda: {k: {} for k in KINDS}
    )
    problems: list[Problem] = field(default_factory=list)

    def add(self, document: YamlDocument) -> str | None:
        """File a document by kind and name, checking the envelope (apiVersion, kind, name); its
        kind when the envelope is right (a duplicate name is still reported), else None."""
        reader = FieldReader(document)
        version = reader.get(("apiVersion",))
        if version is not MISSING and version != API_VERSION:
            reader.problem(("apiVersion",), f"{version!r} is not supported; allowed: {API_VERSION}")
        kind = reader.get(("kind",))
        if kind is not MISSING and kind not in KINDS:
            reader.problem(("kind",), f"{kind!r} is not supported; allowed: {', '.join(KINDS)}")
        name = reader.typed(("metadata", "name"), str, "a name such as home-availability")
        if name is not MISSING and (len(name) > NAME_MAX or not NAME.fullmatch(name)):
            shown = repr(name) if len(name) <= 80 else f"{name[:60]!r}… ({len(name)} characters)"
            reader.problem(("metadata", "name"), f"{shown} is not allowed; allowed: {NAME_ALLOWED}")
            name = MISSING
        self.problems.extend(reader.problems)
        if reader.problems or not isinstance(kind, str) or name is MISSING:
            return (
                None  # (a kind that is not a string is not one of KINDS: its problem is recorded)
            )
        same = self.named[kind]
        if name in same and kind == "Service":
            return kind  # several SLO files may each declare the service they measure
        if name in same:
            self.problems.append(
                Problem(
                    document.source,
                    f"{document.within}metadata.name",
                    f"{kind} name {name!r} is already defined in {same[name].source}; names must be unique",
                    document.line("metadata", "name"),
                )
            )
            return kind
        same[name] = document
        return kind

    def check_references(self) -> None:
        """An alert policy's conditions and notification targets must name objects that exist."""
        references = (
            ("conditions", "conditionRef", "AlertCondition"),
            ("notificationTargets", "targetRef", "AlertNotificationTarget"),
        )
        for document in self.named["AlertPolicy"].values():
            reader = FieldReader(document, f"alert policy {filed_name(document)!r} → ")
            for field_name, ref_key, kind in references:
                entries = reader.typed(("spec", field_name), list, f"a list of {ref_key}s", [])
                for i, entry in enumerate(entries if entries is not MISSING else []):
                    ref = entry.get(ref_key) if isinstance(entry, dict) else None
                    if ref is not None and ref not in self.named[kind]:
                        reader.problem(
                            ("spec", field_name, i, ref_key), unknown_reference(kind, ref, self)
                        )
            self.problems.extend(reader.problems)


def filed_name(document: YamlDocument) -> str:
    """The name a document was filed under in the index (``add`` checked it is a string)."""
    name = FieldReader(document).get(("metadata", "name"))
    return name if isinstance(name, str) else str(name)


def unknown_reference(kind: str, ref: object, index: OpenSLOIndex) -> str:
    known = ", ".join(sorted(index.named[kind])) or f"no {kind} is defined in the loaded files"
    return f"{ref!r} is not a known {kind}; allowed: {known}"
