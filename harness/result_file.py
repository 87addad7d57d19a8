"""result.json on disk: the one writer's atomic write and the reader every later command uses
(``loadgate page``, ``baseline save``). The document's shape: harness/values/result_doc.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

from harness.errors import InputError, Problem
from harness.json_shape import shape_problems
from harness.run_folder import RESULT_JSON, write_atomically
from harness.values.result_doc import ResultDoc

__all__ = ["MAX_PROBLEMS", "SCHEMA_VERSION", "read_result", "write_result"]

SCHEMA_VERSION = 1
MAX_PROBLEMS = 10  # of a file that is not a result.json: the first few say enough
ALLOWED = f"allowed: a result.json written by loadgate run or soak (schema {SCHEMA_VERSION})"


def write_result(run_dir: Path, result: ResultDoc) -> Path:
    path = run_dir / RESULT_JSON
    write_atomically(path, json.dumps(result, indent=2, allow_nan=False) + "\n")
    return path


def read_result(path: Path) -> ResultDoc:
    """A result.json, checked against ``ResultDoc`` — the type its readers index it by — so a file
    of another version or shape is an InputError naming the file and each bad field, never a
    failure half-way through the reader."""

    def problem(field: str, message: str) -> InputError:
        return InputError([Problem(str(path), field, message)])

    try:
        document: object = json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse)
    except FileNotFoundError:
        raise problem("(file)", f"no such file; {ALLOWED}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise problem("(file)", f"cannot read it ({exc}); {ALLOWED}") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            [Problem(str(path), "(file)", f"not JSON: {exc.msg}", line=exc.lineno)]
        ) from None
    except ValueError as exc:  # NaN or Infinity: result.json is strict JSON
        raise problem("(file)", f"not strict JSON: {exc}; {ALLOWED}") from None
    if not isinstance(document, dict):
        raise problem("(file)", f"not a JSON object; {ALLOWED}")
    # The version first: a file of another schema is refused for that, not for its fields.
    schema = document.get("schema")
    if schema != SCHEMA_VERSION or isinstance(schema, bool):
        shown = "missing" if schema is None else json.dumps(schema)
        raise problem("schema", f"{shown}; {ALLOWED}")
    found = shape_problems(document, ResultDoc)
    if found:
        problems = [Problem(str(path), field, message) for field, message in found]
        if len(problems) > MAX_PROBLEMS:
            more = f"and {len(problems) - MAX_PROBLEMS} more problems; {ALLOWED}"
            problems = [*problems[:MAX_PROBLEMS], Problem(str(path), "…", more)]
        raise InputError(problems)
    return cast(ResultDoc, document)  # checked above, field by field


def _refuse(constant: str) -> object:
    raise ValueError(f"{constant} is not a number JSON allows")
