"""A duet's side of the plan: which baseline runs beside the candidate, checked before anything
starts. From ``--duet-baseline URL`` or ``--duet-baseline-checkout DIR``, or the scenario's
``duet: {baseline: URL}`` / ``duet: {checkout: DIR}`` (flags win; a checkout in a scenario is
relative to the scenario file)."""

from __future__ import annotations

from pathlib import Path

from harness.errors import Problem
from harness.fields import MISSING, FieldReader
from harness.plan.options import RunOptions
from harness.plan.service import read_command
from harness.plan.targets import check_target_url
from harness.values.plan import Duet, LoadProfile, RemoteWorkers, ServiceCommand

__all__ = ["DUET_KEYS", "REFERENCE_SERVICE", "read_duet"]

CLI = "(command line)"
DUET_KEYS = {"baseline", "checkout", "command", "seed"}
# What a checkout must hold for the harness to start the reference service from it.
REFERENCE_SERVICE = Path("services_under_test") / "recommender" / "__main__.py"


def read_duet(
    options: RunOptions,
    scenario: FieldReader | None,
    target: str | None,
    load: LoadProfile | None,
    remote: RemoteWorkers | None,
    problems: list[Problem],
    service: ServiceCommand | None = None,
) -> Duet | None:
    """The duet the flags and scenario ask for (``None``: none), every problem recorded."""
    where_file = str(options.scenario) if options.scenario else CLI
    url = options.duet_baseline
    checkout = options.duet_baseline_checkout
    seed = 1
    url_where = checkout_where = CLI
    if scenario is not None and url is None and checkout is None:
        raw_url = scenario.typed(("duet", "baseline"), str, "an http(s) URL", None)
        raw_checkout = scenario.typed(("duet", "checkout"), str, "a folder", None)
        url = None if raw_url is MISSING else raw_url
        if raw_checkout is not MISSING and raw_checkout is not None and options.scenario:
            checkout = options.scenario.parent / raw_checkout
        url_where = checkout_where = where_file
    command = None
    if scenario is not None:
        raw_seed = scenario.typed(("duet", "seed"), int, "an integer", None)
        seed = 1 if raw_seed is MISSING or raw_seed is None else raw_seed
        if url is None and checkout is None and options.scenario is not None:
            command = read_command(scenario, ("duet", "command"), options.scenario.parent,
                                   service.health if service else None)  # fmt: skip
    if url is None and checkout is None and command is None:
        return None
    if command is not None:
        if service is None:
            problems.append(Problem(where_file, "duet.command", "starts the baseline from a command, "
                                    "so the candidate must be one too; allowed: with service.command"))  # fmt: skip
        return Duet(baseline_command=command, seed=seed)

    if url is not None and checkout is not None:
        problems.append(Problem(CLI, "--duet-baseline", "and --duet-baseline-checkout are both given; "
                                "allowed: one baseline — a running service or a checkout to start"))  # fmt: skip
        return None
    if url is not None:
        wrong = check_target_url(url, allow_remote=options.allow_remote)
        if wrong:
            problems.append(Problem(url_where, "duet baseline", wrong))
        elif target is not None and url.rstrip("/") == target.rstrip("/"):
            problems.append(Problem(url_where, "duet baseline", f"{url!r} is the target itself; allowed: "
                                    "another service (the baseline), the target being the candidate"))  # fmt: skip
    if checkout is not None and service is None and not (checkout / REFERENCE_SERVICE).is_file():
        problems.append(Problem(checkout_where, "duet checkout", f"{str(checkout)!r} holds no reference "
                                f"service ({REFERENCE_SERVICE}); allowed: a loadgate checkout, e.g. "
                                "`git worktree add ../main main`"))  # fmt: skip
    if checkout is not None and not checkout.is_dir():
        problems.append(
            Problem(checkout_where, "duet checkout", f"{str(checkout)!r} is not a folder")
        )
    if checkout is not None and target is not None:
        problems.append(Problem(checkout_where, "duet checkout", "starts the service as the "
                                "baseline, so the candidate must be started too: drop --target, or "
                                "give --duet-baseline URL for a running baseline"))  # fmt: skip
    if remote is not None:
        problems.append(Problem(CLI, "--expect-workers", "a duet runs its users in pairs inside each "
                                "process, on this machine; allowed: --processes N instead"))  # fmt: skip
    if options.baseline is not None:
        problems.append(Problem(CLI, "--baseline", "and a duet both give a baseline; allowed: one — "
                                "the duet's (run at the same time) or a saved one"))  # fmt: skip
    if load is not None and load.arrivals is None and load.users % (2 * load.processes):
        problems.append(Problem(where_file if options.users is None else CLI, "users",
                                f"{load.users} with {load.processes} process(es); allowed in a duet: "
                                f"a multiple of {2 * load.processes}, so every process runs whole "
                                "pairs of users (one per side)"))  # fmt: skip
    return Duet(
        baseline_url=url.rstrip("/") if url else None,
        baseline_checkout=checkout.resolve() if checkout else None,
        seed=seed,
    )
