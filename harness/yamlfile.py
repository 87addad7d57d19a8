"""Reading YAML while remembering where each value came from, so errors can name the line.

PyYAML's composer keeps marks on nodes; we build plain Python values from the node tree and keep
a map from each value's path (a tuple of keys and indexes) to its 1-based line number, and
another to each scalar's text as written: ``True``, ``1.50`` and ``0x1F`` are built as ``True``,
``1.5`` and ``31``, but a reader that takes the value as a string (as Go's yaml.v2 does for a
``map[string]string``: Sloth's labels) needs the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from harness.errors import InputError, Problem

__all__ = ["YamlDocument", "load_yaml_documents"]

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """One YAML document: its data and the line of every value in it."""

    source: str
    data: object  # what PyYAML's safe loader builds: dicts, lists and scalars
    lines: dict[PathKey, int] = field(default_factory=dict)
    within: str = ""  # where an item of a list document sits, e.g. "[2] → ": messages name it
    texts: dict[PathKey, str] = field(default_factory=dict)  # each scalar value's text as written

    def items(self) -> list[YamlDocument]:
        """A list document's items, each a document of its own with its lines and its place.

        The OpenSLO Go SDK writes a file as one list of objects, where the spec's examples write
        one document per object: read as items, both layouts read alike."""
        if not isinstance(self.data, list):
            return [self]
        lines: list[dict[PathKey, int]] = [{} for _ in self.data]
        texts: list[dict[PathKey, str]] = [{} for _ in self.data]
        for key, line in self.lines.items():
            if key and isinstance(key[0], int):
                lines[key[0]][key[1:]] = line
        for key, text in self.texts.items():
            if key and isinstance(key[0], int):
                texts[key[0]][key[1:]] = text
        return [
            YamlDocument(self.source, item, lines[i], f"{self.within}[{i}] → ", texts[i])
            for i, item in enumerate(self.data)
        ]

    def text(self, *path: str | int) -> str | None:
        """The scalar at ``path`` as written (its quotes and escapes resolved, as YAML reads a
        string), or None when no scalar is there: ``yes``, not ``True``; ``1.50``, not ``1.5``."""
        return self.texts.get(tuple(path))

    def line(self, *path: str | int) -> int | None:
        """The line of ``path``, or of its nearest ancestor that exists."""
        key: PathKey = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)


def load_yaml_documents(path: Path) -> list[YamlDocument]:
    """Parse every document of a YAML file; a syntax error is an ``InputError`` with its line."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError([Problem(source, "file", f"cannot be read: {exc.strerror}")]) from None
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        what = exc.problem or "invalid YAML"
        raise InputError([Problem(source, "YAML syntax", what, line)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(source, "YAML syntax", str(exc))]) from None
    documents = []
    for node in nodes:
        if node is None:
            continue
        lines: dict[PathKey, int] = {}
        texts: dict[PathKey, str] = {}
        data = _build(node, (), lines, texts)
        documents.append(YamlDocument(source, data, lines, texts=texts))
    return documents


def _build(
    node: yaml.Node, path: PathKey, lines: dict[PathKey, int], texts: dict[PathKey, str]
) -> object:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        mapping: dict[object, object] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            mapping[key] = _build(value_node, (*path, str(key)), lines, texts)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines, texts) for i, item in enumerate(node.value)]
    texts[path] = str(node.value)  # a ScalarNode's value is its text, before its type is resolved
    return _scalar(node)


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _scalar(node: yaml.Node) -> object:
    # Resolve the tag (int, float, bool, null, str) the way safe_load would.
    return _CONSTRUCTOR.construct_object(node, deep=True)
