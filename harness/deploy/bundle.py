"""A scenario as a deployment carries it: the files it needs under one folder, and what the
manifests must know of it.

    scenario.yaml              the scenario, its paths rewritten relative to this folder
    locust/<locustfile>.py     its locustfile, and the modules beside it that it imports
    slo/<file>.yaml            its SLO files

The scenario is read the way ``loadgate run`` reads it (``build_plan``, with the remote-worker
flags the master will be given), so a deployment is refused for exactly what would make its
master exit 2 — and before anything is written, with every problem at once. loadgate's Locust
plugin is not carried: it is the image's (``image.PLUGIN``), so the workers' plugin is always
the master's, whose messages it must understand.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from harness.deploy.image import MASTER_PORT
from harness.errors import COMMAND_LINE, InputError, Problem
from harness.load.locustfile_check import check_locustfile
from harness.plan import Probe, RunOptions, build_plan
from harness.values.slo import SLO
from harness.yamlfile import load_yaml_documents

__all__ = ["LOCUST_DIR", "SCENARIO_FILE", "SLO_DIR", "Bundle", "local_modules", "read_bundle"]

SCENARIO_FILE = "scenario.yaml"
LOCUST_DIR = "locust"
SLO_DIR = "slo"


@dataclass(frozen=True)
class Bundle:
    """A scenario's files (``files``: path in the bundle → text, sorted) and its facts."""

    name: str  # the scenario's name: names every object deployed
    source: str  # the scenario file's name, for the comments of what is generated
    files: tuple[tuple[str, str], ...]
    locustfile: str  # its path in the bundle
    target_url: str  # what the workers load
    load_s: float  # warm-up + measured window: how long the load runs
    parameters: str | None  # load.parameters as JSON: the workers' locustfile reads them too
    notes: tuple[str, ...] = ()  # what was left out, and why
    slos: tuple[SLO, ...] = ()  # its SLOs as read: `loadgate deploy kubernetes`'s dashboards


def read_bundle(
    scenario: Path,
    workers: int,
    target: str | None,
    prometheus_url: str,
    probe: Probe | None = check_locustfile,
) -> Bundle:
    """The scenario checked as its master will run it; ``InputError`` lists every problem.

    ``probe`` loads the locustfile in a subprocess, as ``loadgate run`` does (``None``: not)."""
    problems: list[Problem] = []
    if workers < 1:
        problems.append(Problem(COMMAND_LINE, "--workers", f"{workers} is not allowed; allowed: "
                                "≥ 1, the number of Locust workers to start"))  # fmt: skip
    raw = _raw_scenario(scenario)
    if target is None and not (isinstance(raw, dict) and _scenario_target(raw)):
        problems.append(Problem(COMMAND_LINE, "--target", "is required when the scenario has no "
                                "target.url: the workers load a running service, which this "
                                "deployment does not start; allowed: an http(s) URL they reach"))  # fmt: skip
    options = RunOptions(
        scenario=scenario,
        target=target,
        allow_remote=True,  # a service in the cluster or the VPC is never on the workers' loopback
        prometheus_url=prometheus_url,
        expect_workers=max(workers, 1),
        master_bind=f"0.0.0.0:{MASTER_PORT}",
    )
    try:
        plan = build_plan(options, probe)
    except InputError as exc:
        problems.extend(p for p in _for_deploy(exc.problems, scenario, raw) if p not in problems)
    if problems:
        raise InputError(problems)
    assert isinstance(raw, dict) and plan.target_url is not None  # both checked just above

    files: dict[str, str] = {}
    base = plan.locustfile.parent
    for module in local_modules(plan.locustfile):
        files[_join(LOCUST_DIR, module.relative_to(base))] = _read(module)
    slo_paths = []
    for slo in plan.slo_files:
        path = _unique(_join(SLO_DIR, PurePosixPath(slo.name)), files)
        files[path] = _read(slo)
        slo_paths.append(path)
    locustfile = _join(LOCUST_DIR, PurePosixPath(plan.locustfile.name))
    rewritten, notes = _rewrite(raw, locustfile, slo_paths)
    files[SCENARIO_FILE] = _scenario_text(rewritten, scenario.name)
    return Bundle(
        name=plan.name,
        source=scenario.name,
        files=tuple(sorted(files.items())),
        locustfile=locustfile,
        target_url=plan.target_url,
        load_s=plan.load.warmup_s + plan.load.duration_s,
        parameters=plan.load.parameters,
        notes=notes,
        slos=plan.slos,
    )


def _for_deploy(found: Sequence[Problem], scenario: Path, raw: object) -> list[Problem]:
    """The plan's problems, in deploy's words: it has no --locustfile, the scenario names it
    (and a scenario that could not be read has said so already)."""
    said = []
    for problem in found:
        if problem.source == COMMAND_LINE and problem.field == "--locustfile":
            if raw is None:
                continue
            problem = Problem(str(scenario), "load.locustfile", "is required: the locustfile "
                              "the workers run, relative to the scenario")  # fmt: skip
        said.append(problem)
    return said


def local_modules(locustfile: Path) -> list[Path]:
    """The locustfile and the modules beside it that it imports, transitively (a package beside
    it: all its ``.py`` files). Locust puts the locustfile's folder on ``sys.path``: these are
    the imports that would fail in a pod holding the locustfile alone."""
    folder = locustfile.parent
    found = {locustfile}
    queue = [locustfile]
    while queue:
        for name in _imported(queue.pop()):
            module = folder / f"{name}.py"
            package = folder / name
            if module.is_file():
                new = [module]
            elif (package / "__init__.py").is_file():
                new = sorted(package.rglob("*.py"))
            else:
                continue  # the standard library, or an installed package: the image's
            queue.extend(m for m in new if m not in found and m.suffix == ".py" and m.is_file())
            found.update(new)
    return sorted(found)


def _imported(module: Path) -> set[str]:
    """The top-level names ``module`` imports absolutely (``import a.b``, ``from a import b``)."""
    try:
        tree = ast.parse(module.read_text(encoding="utf-8"), filename=str(module))
    except (OSError, SyntaxError, ValueError):
        return set()  # the locustfile check names what is wrong with it; a module is best-effort
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _raw_scenario(scenario: Path) -> object:
    try:
        documents = load_yaml_documents(scenario)
    except InputError:
        return None  # build_plan reports it, once
    return documents[0].data if len(documents) == 1 else None


def _scenario_target(raw: dict[object, object]) -> object:
    target = raw.get("target")
    return target.get("url") if isinstance(target, dict) else None


def _rewrite(
    raw: dict[object, object], locustfile: str, slos: list[str]
) -> tuple[dict[object, object], tuple[str, ...]]:
    """The scenario with its paths in the bundle. A history kept in a file is left out: the file
    would live and die with the master's container (a ``postgresql://`` URL is kept)."""
    scenario = copy.deepcopy(raw)
    load = scenario.get("load")
    if isinstance(load, dict):
        load["locustfile"] = locustfile
    if "slos" in scenario:
        scenario["slos"] = slos
    notes: list[str] = []
    history = scenario.get("history")
    if isinstance(history, str) and "://" not in history:
        del scenario["history"]
        notes.append(f"history: {history!r} left out: a file in the master's container is lost "
                     "with it (a postgresql:// URL would be kept)")  # fmt: skip
    return scenario, tuple(notes)


def _scenario_text(scenario: dict[object, object], source: str) -> str:
    head = (
        f"# {source}, as `loadgate deploy` carries it: paths relative to this folder.\n"
        "# Regenerate it rather than editing it here.\n"
    )
    return head + yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True, width=1_000_000)


def _join(folder: str, relative: PurePosixPath | Path) -> str:
    return str(PurePosixPath(folder, *relative.parts))


def _unique(path: str, taken: dict[str, str]) -> str:
    """Two SLO files of one name from different folders keep both: ``slo/x-2.yaml``."""
    candidate, n = path, 1
    stem, dot, suffix = path.rpartition(".")
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}{dot}{suffix}" if dot else f"{path}-{n}"
    return candidate


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:  # checked readable by the plan; raced since
        raise InputError([Problem(str(path), "file", f"cannot be read: {exc}")]) from None
