"""Scenario file + command-line flags ─► a validated ``Plan``, before anything starts.

Flags override the scenario file. Paths in a scenario file are relative to that file; paths on the
command line are relative to the working directory. Every problem is reported at once (exit 2).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from harness.baseline_file import fingerprint, load_baseline
from harness.errors import COMMAND_LINE, InputError, Problem
from harness.fields import MISSING, FieldReader
from harness.gate.duet import DUET_DEFAULT_CRITERIA
from harness.gate.relative import DEFAULT_CRITERIA
from harness.load.locustfile_check import check_locustfile
from harness.plan.duet import DUET_KEYS, read_duet
from harness.plan.gate import read_gate
from harness.plan.history import read_history
from harness.plan.load import LOAD_KEYS, load_profile
from harness.plan.options import RunOptions
from harness.plan.service import read_command
from harness.plan.targets import check_grpc_target, check_target_url
from harness.plan.traffic import blame_parameters, read_parameters, read_seed
from harness.slo.loader import load_slo_files
from harness.values.plan import Plan, RemoteWorkers
from harness.values.slo import SLO
from harness.yamlfile import load_yaml_documents

__all__ = ["Probe", "build_plan"]

# (locustfile, Locust options, where the options came from, their field) → problems found
# (locustfile, Locust options, their source, their field, load.parameters, the gRPC target: ""
# when the run has none, None when it is not known yet) → problems.
Probe = Callable[[Path, Sequence[str], str, str, str | None, str | None], list[Problem]]

T = TypeVar("T")
CLI = COMMAND_LINE
SCENARIO_KEYS = {
    "name", "description", "target", "service", "load", "slos", "gate", "duet", "history"
}  # fmt: skip
GATE_KEYS = {"min_events", "max_generator_cpu", "max_burn_rate", "criteria", "score", "history"}


def build_plan(options: RunOptions, probe: Probe | None = check_locustfile) -> Plan:
    """Validate the scenario and flags together; raises ``InputError`` with every problem.

    ``probe`` loads the locustfile in a subprocess to find what would fail once the load starts
    (``None`` skips it: unit tests with stand-in locustfiles)."""
    problems: list[Problem] = []
    scenario = _read_scenario(options.scenario, problems) if options.scenario else None
    base = options.scenario.parent if options.scenario else Path.cwd()

    def from_file(path: tuple[str, ...], kind: type[T], allowed: str) -> T | None:
        """The field if the file gives it as ``kind``; ``None`` if not (a problem is recorded)."""
        value = scenario.typed(path, kind, allowed, None) if scenario else None
        return None if value is MISSING else value

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

    grpc_target, service_grpc = _grpc(options, scenario, target, problems)

    locust_args, args_where = _locust_args(options, scenario)
    parameters = read_parameters(scenario)
    if probe is not None and locustfile is not None and locustfile.is_file():
        # A GrpcUser with no gRPC target to call is refused now; whether the target serves its
        # methods is asked once it runs (stages/start_stack.py).
        no_grpc = "" if grpc_target is None and not service_grpc else None
        found = probe(locustfile, locust_args, *args_where, parameters, no_grpc)
        problems.extend(blame_parameters(found, scenario))
    load = load_profile(options, scenario, problems)
    seed, seed_given = read_seed(options, scenario, problems)
    if load is not None:
        load = replace(load, seed=seed, seed_given=seed_given, parameters=parameters)
    gate = read_gate(scenario)
    service_args = (
        from_file(("service", "args"), list, "a list of flags for the reference service") or []
    )
    if scenario and not all(isinstance(a, str | int | float) for a in service_args):
        scenario.problem(
            ("service", "args"), f"{service_args!r} is not allowed; allowed: a list of flags"
        )
    service_args = [str(a) for a in service_args]
    service_command = None
    if scenario and options.scenario:
        health = from_file(("service", "health"), str, "a path such as /healthz")
        service_command = read_command(scenario, ("service", "command"), base, health)
    if service_command is not None and target:
        problems.append(Problem(_where(options.target, options.scenario), "target", "and "
                                "service.command both name the service; allowed: one — a running "
                                "service (--target) or a command the harness starts"))  # fmt: skip
    if service_command is not None and service_args:
        problems.append(Problem(str(options.scenario), "service.args", "are flags for the reference "
                                "service; allowed with service.command: put them in the command"))  # fmt: skip
    if scenario:
        problems.extend(scenario.problems)

    slos: tuple[SLO, ...] = ()
    try:
        slos = load_slo_files(slo_files)
    except InputError as exc:
        problems.extend(exc.problems)
    if slos:  # a criterion about an SLO that is not there would silently judge nothing
        names = sorted(s.name for s in slos)
        for criterion in gate.criteria.absolute:
            if criterion.slo is not None and criterion.slo not in names:
                problems.append(
                    Problem(
                        str(options.scenario),
                        f"gate.criteria ({criterion.metric}) → slo",
                        f"{criterion.slo!r} is not an SLO of this run; allowed: {', '.join(names)}",
                    )
                )
    remote = _remote_workers(options, problems)
    history = read_history(options, scenario, base, problems)
    duet = read_duet(options, scenario, target, load, remote, problems, service_command)
    if duet is not None and (grpc_target or service_grpc):
        # A duet points each user's HTTP client at its side; GrpcUser would call one target for
        # both sides, and the comparison would compare a service with itself.
        problems.append(Problem(_where(options.grpc_target, options.scenario), "grpc target",
                                "and a duet together are not supported; allowed: a duet over "
                                "HTTP, or a gRPC run judged alone or against a saved baseline"))  # fmt: skip
    if scenario:
        problems.extend(p for p in scenario.problems if p not in problems)
    if problems or load is None or locustfile is None:
        raise InputError(problems)
    plan = Plan(
        name=name,
        scenario_path=options.scenario,
        locustfile=locustfile.resolve(),
        slo_files=tuple(p.resolve() for p in slo_files),
        slos=slos,
        load=load,
        out_dir=options.out,
        target_url=target.rstrip("/") if target else None,
        grpc_target=grpc_target,
        service_grpc=service_grpc,
        prometheus_url=options.prometheus_url.rstrip("/") if options.prometheus_url else None,
        min_events=gate.min_events,
        max_generator_cpu=gate.max_generator_cpu,
        service_args=tuple(service_args),
        service_command=service_command,
        remote_workers=remote,
        relative_criteria=gate.criteria.relative
        or (DUET_DEFAULT_CRITERIA if duet else DEFAULT_CRITERIA),
        absolute_criteria=gate.criteria.absolute,
        score_thresholds=gate.score,
        history_gate=gate.history,
        locust_args=locust_args,
        duet=replace(duet, seed=seed) if duet else None,
        history=history,
    )
    if options.baseline is None:
        return plan
    return replace(plan, baseline=load_baseline(options.baseline, fingerprint(plan)))


def _grpc(
    options: RunOptions, scenario: FieldReader | None, target: str | None, problems: list[Problem]
) -> tuple[str | None, bool]:
    """The gRPC target (``--grpc-target`` or ``target.grpc``), or whether the reference service
    the harness starts serves gRPC too (``service.grpc``)."""

    grpc_target, service_grpc = options.grpc_target, False
    if scenario:
        given = scenario.typed(("target", "grpc"), str, "host:port", None)
        grpc_target = grpc_target or (None if given is MISSING else given)
        service_grpc = scenario.typed(("service", "grpc"), bool, "true or false", False) is True
    where = _where(options.grpc_target, options.scenario)
    if grpc_target:
        wrong = check_grpc_target(grpc_target, allow_remote=options.allow_remote)
        if wrong:
            problems.append(Problem(where, "grpc target", wrong))
        if not target:
            problems.append(Problem(where, "grpc target", f"{grpc_target!r} is given without "
                                    "a target; allowed: with --target (or target.url), the same "
                                    "service's HTTP address, whose /metrics Prometheus scrapes"))  # fmt: skip
    if options.target:
        service_grpc = False  # the flag's running service replaces the one the file would start
    elif service_grpc and target:
        problems.append(Problem(str(options.scenario), "service.grpc", "asks the reference "
                                "service to serve gRPC, but a target is given; allowed: "
                                "--grpc-target (or target.grpc) for a running service"))  # fmt: skip
    return grpc_target, service_grpc


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
    reader.unknown_keys(("target",), {"url", "grpc"})
    reader.unknown_keys(("service",), {"args", "command", "health", "grpc"})
    reader.unknown_keys(("duet",), DUET_KEYS)
    return reader


def _locust_args(
    options: RunOptions, scenario: FieldReader | None
) -> tuple[tuple[str, ...], tuple[str, str]]:
    """Locust's own options to pass through, and where they came from (for messages): the
    command line's (after ``--``) replace the scenario's ``load.locust_args``."""
    if options.locust_args is not None:
        return options.locust_args, (CLI, "-- (Locust options)")
    if scenario is None:
        return (), (CLI, "-- (Locust options)")
    where = (scenario.document.source, "load.locust_args")
    raw = scenario.get(("load", "locust_args"), None)
    if raw is None:
        return (), where
    if not isinstance(raw, list) or not all(
        isinstance(a, str | int | float) and not isinstance(a, bool) for a in raw
    ):
        scenario.problem(
            ("load", "locust_args"),
            f"{raw!r} is not allowed; allowed: a list of Locust options, e.g. [--tags, home]",
        )
        return (), where
    return tuple(str(a) for a in raw), where


def _remote_workers(options: RunOptions, problems: list[Problem]) -> RemoteWorkers | None:
    if options.expect_workers is None:
        if options.worker_metrics or options.master_bind:
            problems.append(
                Problem(
                    CLI, "--expect-workers", "is required with --master-bind and --worker-metrics"
                )
            )
        return None
    if options.expect_workers < 1:
        problems.append(
            Problem(
                CLI, "--expect-workers", f"{options.expect_workers} is not allowed; allowed: ≥ 1"
            )
        )
        return None
    bind = _host_port(options.master_bind or "127.0.0.1:5557", "--master-bind", problems)
    metrics = [_host_port(m, "--worker-metrics", problems) for m in options.worker_metrics]
    # The private Prometheus is told where each worker's exporter is. A Prometheus of the user's
    # (--prometheus-url) is configured by nobody here: it must find the workers itself (a
    # cluster's does, by their pods: `loadgate deploy`), so their addresses are not needed.
    external = options.prometheus_url is not None and not metrics
    if len(metrics) != options.expect_workers and not external:
        problems.append(Problem(CLI, "--worker-metrics", f"{len(metrics)} given for {options.expect_workers} "
                                "workers; allowed: one host:port per worker, so Prometheus scrapes them all (none with "
                                "--prometheus-url: that Prometheus finds them itself)"))  # fmt: skip
    scrape = tuple(f"{m[0]}:{m[1]}" for m in metrics if m is not None)
    if bind is None or len(scrape) != len(metrics):
        return None
    return RemoteWorkers(options.expect_workers, bind[0], bind[1], scrape)


def _host_port(value: str, flag: str, problems: list[Problem]) -> tuple[str, int] | None:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        problems.append(
            Problem(CLI, flag, f"{value!r} is not allowed; allowed: host:port, e.g. 127.0.0.1:5557")
        )
        return None
    return host.strip("[]"), int(port)


def _scenario_path(value: str | None, base: Path) -> Path | None:
    return base / value if value else None


def _where(flag: object, scenario: Path | None) -> str:
    return CLI if flag is not None or scenario is None else str(scenario)
