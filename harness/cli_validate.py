"""``loadgate validate``: check SLO and scenario files without starting anything."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from harness.errors import InputError, Problem
from harness.plan import RunOptions, build_plan
from harness.slo.loader import load_slo_files, rewrite_notes
from harness.yamlfile import load_yaml_documents

__all__ = ["validate_paths"]


def validate_paths(paths: Sequence[Path]) -> tuple[str, list[str]]:
    """A one-line summary when every file is valid, and a note for each query loadgate rewrote to
    read the window; else ``InputError`` with all problems of all files."""
    problems: list[Problem] = []
    scenario_paths = [path for path in paths if _looks_like_scenario(path)]
    slo_paths = [path for path in paths if path not in scenario_paths]
    scenarios = 0
    for path in scenario_paths:
        try:
            build_plan(RunOptions(scenario=path))
            scenarios += 1
        except InputError as exc:
            problems.extend(exc.problems)
    slos = 0
    notes: list[str] = []
    if slo_paths:
        # All SLO files are loaded together, as `loadgate rules` loads them: an SLO in one file
        # may name an SLI, alert policy or data source defined in another.
        try:
            loaded = load_slo_files(slo_paths)
            slos, notes = len(loaded), rewrite_notes(loaded)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return f"{slos} SLO(s) and {scenarios} scenario(s) in {len(paths)} file(s)", notes


def _looks_like_scenario(path: Path) -> bool:
    """OpenSLO documents carry ``apiVersion`` and Sloth specs ``version``; scenarios carry neither."""
    try:
        documents = load_yaml_documents(path)
    except InputError:
        return False  # let the SLO loader report the syntax error with its line
    first = documents[0].data if documents else None
    return isinstance(first, dict) and "apiVersion" not in first and "version" not in first
