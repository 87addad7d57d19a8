"""The harness's exceptions, and the exit code each one means.

    LoadgateError                  base of everything the harness raises on purpose
     ├── InputError        (2)     bad CLI flags, scenario or SLO files; carries every problem found
     └── InconclusiveError (3)     could not measure: Prometheus or target unreachable, crashed tools

A breached objective is not an exception: it is a verdict (exit 1) computed from data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "COMMAND_LINE",
    "EXIT_FAIL",
    "EXIT_INCONCLUSIVE",
    "EXIT_INVALID_INPUT",
    "EXIT_PASS",
    "InconclusiveError",
    "InputError",
    "LoadgateError",
    "Problem",
]

COMMAND_LINE = "command line"  # the source named in problems with flags, not files

EXIT_PASS = 0
EXIT_FAIL = 1
EXIT_INVALID_INPUT = 2
EXIT_INCONCLUSIVE = 3


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely enough to fix it without guessing."""

    source: str  # a file path, or "command line"
    field: str  # where inside it, e.g. "load.users" or "slo 'x' → spec.objectives[0].target"
    message: str  # what is wrong and what is allowed
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.field}: {self.message}"


class LoadgateError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = EXIT_INCONCLUSIVE


class InputError(LoadgateError):
    """Invalid input. Holds every problem found, so users fix them all in one go."""

    exit_code = EXIT_INVALID_INPUT

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InconclusiveError(LoadgateError):
    """The harness could not measure; the message is one line saying why."""

    exit_code = EXIT_INCONCLUSIVE
