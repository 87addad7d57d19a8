"""What ``loadgate deploy`` writes: YAML from plain data, the same bytes for the same input (keys
sorted, no anchors, no line folding, a file's text as a literal block), so the golden files in
tests/testdata/deploy/ mean something; each file written atomically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from harness.errors import COMMAND_LINE, InputError, Problem
from harness.run_folder import write_atomically

__all__ = ["dump_yaml", "write_files"]

_NEVER_FOLD = 1_000_000  # PyYAML's line width: a long command line stays one line


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True  # a dict used twice (a security context) is written out twice, readably


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # A file's text (a ConfigMap's locustfile) as a literal block, readable and diffable;
    # PyYAML falls back to a quoted scalar by itself where a block cannot hold the text.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(documents: Sequence[Mapping[str, object]], head: str = "") -> str:
    """``documents`` as one YAML stream (``---`` before each); ``head``: comment lines first."""
    body = yaml.dump_all(
        documents,
        Dumper=_Dumper,
        sort_keys=True,
        explicit_start=True,
        allow_unicode=True,
        width=_NEVER_FOLD,
    )
    return head + body


def write_files(out: Path, files: Mapping[str, str]) -> list[Path]:
    """Write each ``relative path → text`` under ``out``; a folder that cannot be written is
    invalid input naming it (exit 2), and nothing half-written is left in place."""
    written = []
    for name, text in sorted(files.items()):
        path = out / name
        try:
            write_atomically(path, text)
        except OSError as exc:
            raise InputError(
                [Problem(COMMAND_LINE, "--out", f"cannot write {str(path)!r}: {exc.strerror}")]
            ) from None
        written.append(path)
    return written
