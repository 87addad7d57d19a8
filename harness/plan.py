"""Scenario file + command-line flags ─► a validated ``Plan``, before anything starts.

Flags override the scenario file. Paths in a scenario file are relative to that file; paths on the
command line are relative to the working directory. Every problem is reported at once (exit 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from harness.durations import DURATION_HELP, parse_duration
from harness.errors import InputError, Problem
from harness.model import LoadProfile, Plan
from harness.slo.loader import load_slo_files
from harness.slo.model import SLO
from harness.targets import check_target_url
from harness.validation import FieldReader
from harness.yamlfile import load_yaml_documents

__all__ = ["RunOptions", "build_plan"]

CLI = "command line"
DEFAULTS: dict[str, Any] = {"users": 10, "spawn_rate": 10.0, "duration": 30.0, "warmup": 5.0}
SCENARIO_KEYS = {"name", "description", "target", "service", "load", "slos", "gate"}
LOAD_KEYS = {"locustfile", "users", "spawn_rate", "duration", "warmup", "processes"}
GATE_KEYS = {"min_events", "max_generator_cpu", "max_burn_rate"}


@dataclass(frozen=True)
class RunOptions:
    """The ``loadgate run`` flags; ``None`` means "not given", so the scenario file decides."""

    scenario: Path | None = None
    locustfile: Path | None = None
    slo_files: tuple[Path, ...] = field(default_factory=tuple)
    target: str | None = None
    users: int | None = None
    spawn_rate: float | None = None
    duration: str | None = None
    warmup: str | None = None
    processes: int | None = None
    out: Path = Path("reports")
    prometheus_url: str | None = None
    allow_remote: bool = False


def build_plan(options: RunOptions) -> Plan:
    """Validate the scenario and flags together; raises ``InputError`` with every problem."""
    problems: list[Problem] = []
    scenario = _read_scenario(options.scenario, problems) if options.scenario else None
    base = options.scenario.parent if options.scenario else Path.cwd()

    def from_file(path: tuple[str, ...], kind: type | tuple[type, ...], allowed: str) -> Any:
        return scenario.typed(path, kind, allowed, None) if scenario else None

    name = from_file(("name",), str, "a short name") or (
        options.scenario.stem if options.scenario else "adhoc"
    )
    locustfile = options.locustfile or _scenario_path(
        from_file(("load", "locustfile"), str, "a path"), base
    )
    if locustfile is None:
        problems.append(
            Problem(CLI, "--locustfile", "is required when the scenario file does not name one")
        )
    elif not locustfile.is_file() or locustfile.suffix != ".py":
        problems.append(
            Problem(
                _where(options.locustfile, options.scenario),
                "locustfile",
                f"{str(locustfile)!r} is not a Python file that exists",
            )
        )

    slo_entries = from_file(("slos",), list, "a list of SLO file paths") or []
    for i, entry in enumerate(slo_entries):
        if not isinstance(entry, str) and scenario:
            scenario.problem(
                ("slos", i), f"{entry!r} is not allowed; allowed: a path to an SLO file"
            )
    slo_files = options.slo_files or tuple(base / p for p in slo_entries if isinstance(p, str))
    target = options.target or from_file(("target", "url"), str, "an http(s) URL")
    if target:
        wrong = check_target_url(target, allow_remote=options.allow_remote)
        if wrong:
            problems.append(Problem(_where(options.target, options.scenario), "target", wrong))

    load = _load_profile(options, scenario, problems)
    min_events = from_file(("gate", "min_events"), int, "a whole number ≥ 1")
    if isinstance(min_events, int) and min_events < 1 and scenario:
        scenario.problem(
            ("gate", "min_events"), f"{min_events} is not allowed; allowed: a whole number ≥ 1"
        )
    max_cpu = from_file(
        ("gate", "max_generator_cpu"), (int, float), "a percentage of one core, 1 to 100"
    )
    if isinstance(max_cpu, int | float) and not 1 <= max_cpu <= 100 and scenario:
        scenario.problem(
            ("gate", "max_generator_cpu"),
            f"{max_cpu} is not allowed; allowed: a percentage of one core, 1 to 100",
        )
    max_burn = from_file(("gate", "max_burn_rate"), (int, float), "a burn-rate bound > 0, e.g. 1")
    if isinstance(max_burn, int | float) and max_burn <= 0 and scenario:
        scenario.problem(
            ("gate", "max_burn_rate"),
            f"{max_burn} is not allowed; allowed: a burn-rate bound > 0, e.g. 1",
        )
    service_args = (
        from_file(("service", "args"), list, "a list of flags for the reference service") or []
    )
    if scenario and not all(isinstance(a, str | int | float) for a in service_args):
        scenario.problem(
            ("service", "args"), f"{service_args!r} is not allowed; allowed: a list of flags"
        )
    service_args = [str(a) for a in service_args]
    if scenario:
        problems.extend(scenario.problems)

    slos: tuple[SLO, ...] = ()
    try:
        slos = load_slo_files(slo_files)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems or load is None or locustfile is None:
        raise InputError(problems)
    return Plan(
        name=name,
        scenario_path=options.scenario,
        locustfile=locustfile.resolve(),
        slo_files=tuple(p.resolve() for p in slo_files),
        slos=slos,
        load=load,
        out_dir=options.out,
        target_url=target.rstrip("/") if target else None,
        prometheus_url=options.prometheus_url.rstrip("/") if options.prometheus_url else None,
        min_events=min_events if min_events is not None else 100,
        max_generator_cpu=float(max_cpu) if max_cpu is not None else 90.0,
        max_burn_rate=float(max_burn) if max_burn is not None else None,
        service_args=tuple(service_args),
    )


def _read_scenario(path: Path, problems: list[Problem]) -> FieldReader | None:
    try:
        documents = load_yaml_documents(path)
    except InputError as exc:
        problems.extend(exc.problems)
        return None
    if len(documents) != 1 or not isinstance(documents[0].data, dict):
        problems.append(
            Problem(str(path), "(file)", "expected one YAML mapping with name, load and slos")
        )
        return None
    reader = FieldReader(documents[0])
    reader.unknown_keys((), SCENARIO_KEYS)
    reader.unknown_keys(("load",), LOAD_KEYS)
    reader.unknown_keys(("gate",), GATE_KEYS)
    reader.unknown_keys(("target",), {"url"})
    reader.unknown_keys(("service",), {"args"})
    return reader


def _load_profile(
    options: RunOptions, scenario: FieldReader | None, problems: list[Problem]
) -> LoadProfile | None:
    values: dict[str, Any] = {}
    checks: list[tuple[str, Any, Any, str]] = [
        # (field, flag value, parse, allowed)
        ("users", options.users, _positive(int), "a whole number ≥ 1"),
        (
            "spawn_rate",
            options.spawn_rate,
            _positive((int, float)),
            "a number of users per second > 0",
        ),
        ("duration", options.duration, _duration(minimum=1.0), f"{DURATION_HELP}, at least 1s"),
        ("warmup", options.warmup, _duration(minimum=0.0), DURATION_HELP),
        ("processes", options.processes, _positive(int), "a whole number ≥ 1"),
    ]
    for name, flag, parse, allowed in checks:
        flag_name = "--" + name.replace("_", "-")
        if flag is not None:
            raw, where, line = flag, CLI, None
            field_name = flag_name
        elif scenario is not None and scenario.get(("load", name), None) is not None:
            raw, where = scenario.get(("load", name)), scenario.document.source
            line, field_name = scenario.document.line("load", name), f"load.{name}"
        else:
            values[name] = DEFAULTS.get(name, 1)
            continue
        try:
            values[name] = parse(raw)
        except ValueError:
            problems.append(
                Problem(where, field_name, f"{raw!r} is not allowed; allowed: {allowed}", line)
            )
    if len(values) != len(checks):
        return None
    return LoadProfile(
        users=values["users"],
        spawn_rate=float(values["spawn_rate"]),
        duration_s=values["duration"],
        warmup_s=values["warmup"],
        processes=values["processes"],
    )


def _positive(kind: type | tuple[type, ...]) -> Any:
    def parse(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, kind) or cast(float, value) <= 0:
            raise ValueError("must be positive")
        return value

    return parse


def _duration(minimum: float) -> Any:
    def parse(value: Any) -> float:
        seconds = parse_duration(value)
        if seconds < minimum:
            raise ValueError(f"shorter than {minimum:g}s")
        return seconds

    return parse


def _scenario_path(value: str | None, base: Path) -> Path | None:
    return base / value if value else None


def _where(flag: object, scenario: Path | None) -> str:
    return CLI if flag is not None or scenario is None else str(scenario)
