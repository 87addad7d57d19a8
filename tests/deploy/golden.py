"""Golden files of ``loadgate deploy``'s output (tests/testdata/deploy/), compared file by file
with a readable diff. After an intended change, regenerate them and review the diff like code:

    UPDATE_GOLDEN=1 python -m pytest tests/deploy -m "not e2e and not load and not load_shared"
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from tests.conftest import REPO

GOLDEN = REPO / "tests/testdata/deploy"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
REGENERATE = (
    "UPDATE_GOLDEN=1 python -m pytest tests/deploy, then review the diff (docs/development.md)"
)
MAX_DIFF_LINES = 80


def check_golden_folder(written: Path, golden: Path) -> None:
    """Every file under ``written`` equals its golden twin, and no file is missing or extra."""
    actual = _texts(written)
    if UPDATE:
        shutil.rmtree(golden, ignore_errors=True)
        for name, text in actual.items():
            (golden / name).parent.mkdir(parents=True, exist_ok=True)
            (golden / name).write_text(text, encoding="utf-8")
    expected = _texts(golden)
    missing, extra = sorted(set(expected) - set(actual)), sorted(set(actual) - set(expected))
    assert not missing and not extra, (
        f"written files differ from {golden.relative_to(REPO)}: missing {missing}, "
        f"extra {extra}; if intended: {REGENERATE}"
    )
    diffs = [
        line
        for name in sorted(actual)
        for line in difflib.unified_diff(
            expected[name].splitlines(),
            actual[name].splitlines(),
            f"golden/{name}",
            f"written/{name}",
            lineterm="",
        )
    ]
    shown = diffs[:MAX_DIFF_LINES] + ([f"… {len(diffs) - MAX_DIFF_LINES} more lines"] if len(diffs) > MAX_DIFF_LINES else [])  # fmt: skip
    assert not diffs, "\n".join([*shown, f"if the change is intended: {REGENERATE}"])


def _texts(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
