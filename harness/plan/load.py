"""The load profile of a plan, from scenario ``load:`` and flags: closed or open model.

Closed: ``users`` loop over the locustfile's tasks, started at ``spawn_rate``.
Open: iterations arrive at ``arrival_rate`` per second (``arrivals: constant`` or ``poisson``),
or along ``stages`` (``{duration, arrival_rate}`` holds a rate, ``{duration, ramp_to}`` ramps to
one); ``users`` is then the pool of concurrent users the arrivals may use.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from harness.durations import DURATION_HELP, parse_duration
from harness.errors import COMMAND_LINE, Problem
from harness.fields import MISSING, FieldReader
from harness.plan.options import RunOptions
from harness.values.arrivals import ArrivalProfile, Stage
from harness.values.plan import LoadProfile

__all__ = ["LOAD_KEYS", "load_profile"]

CLI = COMMAND_LINE
LOAD_KEYS = {
    "locustfile", "users", "spawn_rate", "duration", "warmup", "processes",
    "arrival_rate", "arrivals", "stages", "max_lateness", "locust_args", "seed", "parameters",
}  # fmt: skip
DEFAULTS: dict[str, float] = {
    "users": 10,
    "spawn_rate": 10.0,
    "duration": 30.0,
    "warmup": 5.0,
    "processes": 1,
}
POOL_PER_ARRIVAL = (
    0.1  # default open-model pool: enough users for 100 ms of latency at the peak rate
)


def load_profile(
    options: RunOptions, scenario: FieldReader | None, problems: list[Problem]
) -> LoadProfile | None:
    values: dict[str, float | None] = {}  # (ints stay ints: users, processes)
    checks: list[tuple[str, object, Callable[[object], float], str]] = [
        # (field, flag value, parse, allowed)
        ("users", options.users, _positive(int), "a whole number ≥ 1"),
        (
            "spawn_rate",
            options.spawn_rate,
            _positive((int, float)),
            "a number of users per second > 0",
        ),
        ("arrival_rate", options.arrival_rate, _positive((int, float)), "arrivals per second > 0"),
        ("duration", options.duration, _duration(minimum=1.0), f"{DURATION_HELP}, at least 1s"),
        ("warmup", options.warmup, _duration(minimum=0.0), DURATION_HELP),
        ("processes", options.processes, _positive(int), "a whole number ≥ 1"),
    ]
    given: set[str] = set()
    for name, flag, parse, allowed in checks:
        if flag is not None:
            raw, where, line, field_name = flag, CLI, None, "--" + name.replace("_", "-")
        elif scenario is not None and scenario.get(("load", name), None) is not None:
            raw, where = scenario.get(("load", name)), scenario.document.source
            line, field_name = scenario.document.line("load", name), f"load.{name}"
        else:
            values[name] = DEFAULTS.get(name)
            continue
        given.add(name)
        try:
            values[name] = parse(raw)
        except ValueError:
            problems.append(
                Problem(where, field_name, f"{raw!r} is not allowed; allowed: {allowed}", line)
            )
            values[name] = None
    arrivals = _arrivals(values, scenario, given)
    if any(v is None for k, v in values.items() if k != "arrival_rate") or arrivals is False:
        return None
    users, spawn_rate, duration, warmup, processes = (
        values["users"], values["spawn_rate"], values["duration"], values["warmup"],
        values["processes"],
    )  # fmt: skip
    if (
        users is None
        or spawn_rate is None
        or duration is None
        or warmup is None
        or processes is None
    ):
        return None  # (not reached: a None above returned already; this tells mypy)
    if arrivals is not None and "users" not in given:
        users = max(10, math.ceil(arrivals.peak_rate * POOL_PER_ARRIVAL))
    return LoadProfile(
        users=int(users),
        spawn_rate=float(spawn_rate) if "spawn_rate" in given or arrivals is None else float(users),
        duration_s=duration,
        warmup_s=warmup,
        processes=int(processes),
        arrivals=arrivals,
    )


def _arrivals(
    values: dict[str, float | None], scenario: FieldReader | None, given: set[str]
) -> ArrivalProfile | Literal[False] | None:
    """The open model's profile; ``None`` for the closed model; ``False`` after a problem."""
    stages_raw = scenario.get(("load", "stages"), None) if scenario else None
    kind = scenario.get(("load", "arrivals"), "constant") if scenario else "constant"
    if kind not in ("constant", "poisson") and scenario:
        scenario.problem(
            ("load", "arrivals"), f"{kind!r} is not allowed; allowed: constant, poisson"
        )
        return False
    lateness = (
        scenario.converted(("load", "max_lateness"), parse_duration, "1s") if scenario else 1.0
    )
    if stages_raw is None:
        rate = values.get("arrival_rate")
        if rate is None:
            return False if "arrival_rate" in given else None
        if lateness is MISSING:
            return False  # its problem is recorded
        return ArrivalProfile(
            stages=(Stage(1.0, float(rate)),), poisson=kind == "poisson", max_lateness_s=lateness
        )
    assert scenario is not None
    if "arrival_rate" in given:
        scenario.problem(("load", "stages"), "give either arrival_rate or stages, not both")
        return False
    stages = []
    for i, stage in enumerate(stages_raw if isinstance(stages_raw, list) else []):
        duration = scenario.converted(("load", "stages", i, "duration"), parse_duration)
        hold, ramp = (
            (stage.get("arrival_rate"), stage.get("ramp_to"))
            if isinstance(stage, dict)
            else (None, None)
        )
        rate = hold if hold is not None else ramp
        if (
            (hold is None) == (ramp is None)
            or not isinstance(rate, int | float)
            or isinstance(rate, bool)
            or rate < 0
        ):
            scenario.problem(
                ("load", "stages", i),
                f"{stage!r} is not allowed; allowed: "
                "{duration: 30s, arrival_rate: 100} or {duration: 30s, ramp_to: 200}",
            )
            continue
        if isinstance(duration, float):
            stages.append(Stage(duration, float(rate), ramp=ramp is not None))
    if not stages or not any(s.rate > 0 for s in stages):
        scenario.problem(
            ("load", "stages"), "allowed: a list of stages with a rate above 0 somewhere"
        )
        return False
    if lateness is MISSING:
        return False  # its problem is recorded
    warmup = values["warmup"]
    if "duration" not in given and warmup is not None:
        values["duration"] = max(1.0, sum(s.duration_s for s in stages) - warmup)
    return ArrivalProfile(stages=tuple(stages), poisson=kind == "poisson", max_lateness_s=lateness)


def _positive(kind: type[int] | tuple[type[int], type[float]]) -> Callable[[object], float]:
    def parse(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, kind) or value <= 0:
            raise ValueError("must be positive")
        return value  # an int stays an int (users, processes)

    return parse


def _duration(minimum: float) -> Callable[[object], float]:
    def parse(value: object) -> float:
        seconds = parse_duration(value)
        if seconds < minimum:
            raise ValueError(f"shorter than {minimum:g}s")
        return seconds

    return parse
