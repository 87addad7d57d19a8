"""result.json on disk: the one writer's atomic write and the reader every later command uses
(``loadgate page``, ``baseline save``). The document's shape: harness/values/result_doc.py."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.errors import InputError, Problem
from harness.run_folder import RESULT_JSON, write_atomically
from harness.values.status import VERDICTS

__all__ = ["SCHEMA_VERSION", "read_result", "write_result"]

SCHEMA_VERSION = 1


def write_result(run_dir: Path, result: Mapping[str, Any]) -> Path:
    path = run_dir / RESULT_JSON
    write_atomically(path, json.dumps(result, indent=2, allow_nan=False) + "\n")
    return path


def read_result(path: Path) -> dict[str, Any]:
    """A result.json, checked just enough to page on or to keep as a baseline (an InputError
    naming the file otherwise)."""

    def problem(field: str, message: str) -> InputError:
        return InputError([Problem(str(path), field, message)])

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise problem("(file)", "no such file; allowed: a run's result.json") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise problem("(file)", f"cannot read it ({exc}); allowed: a run's result.json") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            [Problem(str(path), "(file)", f"not JSON: {exc.msg}", line=exc.lineno)]
        ) from None
    if not isinstance(document, dict):
        raise problem("(file)", "not a JSON object; allowed: a run's result.json")
    if not isinstance(document.get("schema"), int):
        raise problem(
            "schema", "missing; allowed: a result.json written by loadgate run (schema 1)"
        )
    if document.get("verdict") not in VERDICTS:
        raise problem("verdict", f"{document.get('verdict')!r}; allowed: {', '.join(VERDICTS)}")
    run = document.get("run")
    if not isinstance(run, dict) or not isinstance(run.get("scenario"), str) or not run["scenario"]:
        raise problem("run.scenario", "missing; allowed: the scenario the run gated")
    return document
