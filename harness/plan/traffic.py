"""What makes a run's traffic repeatable and shaped: its seed and the locustfile's parameters.

* **Seed** (``--seed N``, else ``load.seed``, else the older ``duet.seed``): every Locust process
  and every user in it derive their own random stream from it (harness/load/streams.py), and the
  open model's arrivals theirs, so the same seed gives each user the same requests. A run given
  no seed draws one and records it (result.json ``traffic.seed``): any run can be repeated.
* **Parameters** (``load.parameters``): a mapping the harness does not interpret; the locustfile
  reads it as JSON from ``LOADGATE_PARAMETERS`` (the shipped shopper traffic's session lengths,
  think times and id ranges: docs/load.md). The locustfile is checked with them before any load
  starts, so a bad parameter is an input error (exit 2), not a crashed run.
"""

from __future__ import annotations

import json
import random

from harness.errors import COMMAND_LINE, Problem
from harness.fields import FieldReader
from harness.plan.options import RunOptions
from harness.values.client_metrics import ENV_PARAMETERS

__all__ = ["SEED_MAX", "blame_parameters", "read_parameters", "read_seed"]

SEED_MAX = 2**63 - 1  # any int Python's Random accepts would do; this keeps JSON readers exact
SEED_ALLOWED = f"a whole number from 0 to {SEED_MAX}"


def read_seed(
    options: RunOptions, scenario: FieldReader | None, problems: list[Problem]
) -> tuple[int, bool]:
    """The run's seed, and whether it was given (False: drawn now, to be recorded)."""
    if options.seed is not None:
        if _allowed(options.seed):
            return options.seed, True
        problems.append(Problem(COMMAND_LINE, "--seed", f"{options.seed!r} is not allowed; "
                                f"allowed: {SEED_ALLOWED}"))  # fmt: skip
        return 0, True
    if scenario is not None:
        for path in (("load", "seed"), ("duet", "seed")):  # duet.seed: its spelling before #14
            raw = scenario.get(path, None)
            if raw is None:
                continue
            if isinstance(raw, int) and not isinstance(raw, bool) and _allowed(raw):
                return raw, True
            scenario.problem(path, f"{raw!r} is not allowed; allowed: {SEED_ALLOWED}")
            return 0, True
    return random.SystemRandom().randrange(1, 2**31), False


def read_parameters(scenario: FieldReader | None) -> str | None:
    """``load.parameters`` as the JSON the locustfile reads (None: not given)."""
    if scenario is None:
        return None
    raw = scenario.get(("load", "parameters"), None)
    if raw is None:
        return None
    allowed = "a mapping of names to numbers, strings, lists or mappings (JSON-like)"
    if not isinstance(raw, dict):
        scenario.problem(("load", "parameters"), f"{raw!r} is not allowed; allowed: {allowed}")
        return None
    try:
        return json.dumps(raw, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        scenario.problem(("load", "parameters"), f"cannot be passed on as JSON ({exc}); "
                         f"allowed: {allowed}")  # fmt: skip
        return None


def blame_parameters(problems: list[Problem], scenario: FieldReader | None) -> list[Problem]:
    """A locustfile that refuses its parameters names the variable it read them from
    (``LOADGATE_PARAMETERS: session_pages.mean: 0 is not allowed…``): point such a problem at the
    scenario's ``load.parameters``, where the user wrote the value, naming the locustfile that
    refused it."""
    if scenario is None or scenario.get(("load", "parameters"), None) is None:
        return problems
    marker = f"{ENV_PARAMETERS}: "
    blamed = []
    for problem in problems:
        _, found, refusal = problem.message.partition(marker)
        if found:
            where = ("load", "parameters")
            problem = Problem(scenario.document.source, "load.parameters",
                              f"{refusal} (refused by {problem.source})",
                              scenario.document.line(*where))  # fmt: skip
        blamed.append(problem)
    return blamed


def _allowed(seed: int) -> bool:
    return 0 <= seed <= SEED_MAX
