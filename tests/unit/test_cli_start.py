"""The CLI starts fast: commands that stop at bad input, `validate` and `--help` never judge, so
they must not pay for scipy.stats (0.6 s of a 1.2 s start when it was imported at the top)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_cli_leaves_scipy_stats_unimported() -> None:
    probe = "import sys, harness.cli; print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", "a module the CLI imports imports scipy.stats at the top"
