"""A user's own service, started by the harness from a command in the scenario, instead of the
reference service — and a duet's baseline started from another command or checkout.

    service:
      command: [python, -m, myservice, --port, "{port}"]   # or one string, split like a shell
      health: /healthz                                       # polled until 2xx (the default)
    duet:
      checkout: ../main        # the same command, run in that folder (main in a git worktree)
      command: [...]           # or the baseline's own command

``{port}`` is replaced by a free loopback port the harness chose; the service must listen there
on 127.0.0.1. A command runs in the scenario's folder (a checkout: in the checkout).
"""

from __future__ import annotations

import shlex
from pathlib import Path

from harness.fields import MISSING, FieldReader
from harness.values.plan import ServiceCommand

__all__ = ["PORT", "read_command"]

PORT = "{port}"
ALLOWED = 'a command with {port}, as a list ([python, -m, app, --port, "{port}"]) or one string'


def read_command(
    scenario: FieldReader, path: tuple[str, ...], folder: Path, health: str | None = None
) -> ServiceCommand | None:
    """The command at ``path`` (None where absent), its problems recorded in ``scenario``."""
    raw = scenario.get(path, None)
    if raw is None or raw is MISSING:
        return None
    if isinstance(raw, str):
        try:
            argv = shlex.split(raw)
        except ValueError as exc:
            scenario.problem(path, f"{raw!r} cannot be split ({exc}); allowed: {ALLOWED}")
            return None
    elif isinstance(raw, list) and raw and all(isinstance(a, str | int | float) for a in raw):
        argv = [str(a) for a in raw]
    else:
        scenario.problem(path, f"{raw!r} is not allowed; allowed: {ALLOWED}")
        return None
    if not argv or not any(PORT in a for a in argv):
        scenario.problem(path, f"{raw!r} has no {PORT}; allowed: {ALLOWED}")
        return None
    health_path = health or "/healthz"
    if not health_path.startswith("/"):
        scenario.problem(
            ("service", "health"),
            f"{health_path!r} is not allowed; allowed: a path such as /healthz",
        )
        return None
    return ServiceCommand(tuple(argv), health_path, folder.resolve())
