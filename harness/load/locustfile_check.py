"""Checking a locustfile and the Locust options passed through, before anything starts.

A locustfile that fails to import, has no User class or has a ``LoadTestShape`` used to be found
only once the service and Prometheus were up and the load had "stopped before the warm-up ended".
``probe.py`` loads it the way Locust does, in a subprocess (Locust is never imported here), bounded
in time; its findings become ``Problem``s, so they exit 2 with everything else wrong with the input.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from harness.errors import Problem
from harness.stack.processes import inherited_environment
from harness.values.client_metrics import ENV_GRPC_TARGET, ENV_PARAMETERS

__all__ = ["PROBE", "PROBE_TIMEOUT_S", "check_locustfile"]

PROBE = Path(__file__).with_name("probe.py")
PROBE_TIMEOUT_S = 30.0  # importing Locust takes about a second; a locustfile may do more
LOCUST_CONFIG = "Locust's configuration (locust.conf, ~/.locust.conf, pyproject.toml, LOCUST_*)"


def check_locustfile(
    locustfile: Path,
    locust_args: Sequence[str],
    args_source: str,
    args_field: str,
    parameters: str | None = None,
    grpc_target: str | None = None,
) -> list[Problem]:
    """What would go wrong when Locust loads ``locustfile`` with ``locust_args`` (and the
    scenario's ``load.parameters``, as the run will give them); with ``grpc_target``, also a
    ``GrpcUser`` whose stub calls a method that target does not serve; with ``""`` (the run has
    no gRPC target), any ``GrpcUser``."""
    where = str(locustfile)
    with tempfile.TemporaryDirectory(prefix="loadgate-probe-") as folder:
        report = Path(folder) / "report.json"
        log = Path(folder) / "probe.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, str(PROBE), str(report), str(locustfile), *locust_args],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                env={
                    **inherited_environment(),
                    **({ENV_PARAMETERS: parameters} if parameters is not None else {}),
                    **({ENV_GRPC_TARGET: grpc_target} if grpc_target is not None else {}),
                    "PYTHONUNBUFFERED": "1",
                },
                start_new_session=True,  # a timeout stops whatever the locustfile started too
            )
            try:
                process.wait(timeout=PROBE_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                return [
                    Problem(
                        where,
                        "import",
                        f"loading it did not finish within "
                        f"{PROBE_TIMEOUT_S:.0f}s; allowed: a locustfile that imports "
                        "without waiting on anything (do slow set-up in on_start or a "
                        "test_start listener)",
                    )
                ]
        try:
            found = json.loads(report.read_text(encoding="utf-8"))["problems"]
        except (OSError, ValueError, KeyError):
            last = _last_line(log)
            return [
                Problem(
                    where,
                    "import",
                    f"Locust could not load it (exit code "
                    f"{process.returncode}): {last or 'no output'}",
                )
            ]
    sources = {"locustfile": where, "args": args_source, "config": LOCUST_CONFIG}
    return [
        Problem(
            sources[item["about"]],
            args_field if item["about"] == "args" else item["field"],
            item["message"],
            item["line"],
        )
        for item in found
    ]


def _last_line(log: Path) -> str:
    try:
        lines = log.read_bytes()[-4096:].decode("utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return next((line.strip() for line in reversed(lines) if line.strip()), "")
