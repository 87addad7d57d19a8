"""harness/ stays layered and acyclic: import-linter checks the contracts in pyproject.toml.

Values at the bottom import nothing else from harness/; no module imports from a layer above its
own; no package holds an import cycle. A new upward import or cycle fails here, naming the import.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_values_import_only_values() -> None:
    """The bottom layer, stated directly: a value module imports no other part of harness/."""
    for module in sorted((ROOT / "harness" / "values").glob("*.py")):
        for line in module.read_text(encoding="utf-8").splitlines():
            if line.startswith(("from harness", "import harness")):
                assert line.startswith("from harness.values"), f"{module.name}: {line}"
