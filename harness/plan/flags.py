"""The flags of the commands that run load (``run``, ``soak``), and the ``RunOptions`` they give."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.durations import DURATION_HELP
from harness.plan.options import RunOptions

__all__ = [
    "LOCUST_ARGS_HELP",
    "add_load_arguments",
    "add_remote_arguments",
    "run_options",
    "split_locust_args",
]

LOCUST_ARGS_HELP = (
    "Locust's own options go after `--`, e.g. `-- --tags home` (or load.locust_args in the "
    "scenario; the command line's replace them): --tags, --exclude-tags, User class names, "
    "--reset-stats, --equal-weights, --enable-rebalancing, --profile, --otel and the "
    "locustfile's own options. Options loadgate sets itself (-f, --host, --users, --run-time, "
    "--headless, --processes, --master…, --json-file, --html, --loglevel…) are refused (exit 2)."
)


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    """The same flags for ``run`` and ``soak``: a scenario file, flags alone, or both."""
    parser.add_argument(
        "scenario", nargs="?", type=Path, help="scenario YAML file (optional with flags)"
    )
    parser.add_argument("--locustfile", type=Path, help="locustfile to run (any ordinary one)")
    parser.add_argument(
        "--slo",
        dest="slo_files",
        action="append",
        type=Path,
        default=[],
        help="OpenSLO file to judge by (repeatable; replaces the scenario's)",
    )
    parser.add_argument(
        "--target", help="base URL of a running service (loopback unless --allow-remote)"
    )
    parser.add_argument(
        "--grpc-target",
        metavar="HOST:PORT",
        help="the target's gRPC address, for GrpcUser locustfiles (needs --target: its HTTP "
        "/metrics is what Prometheus scrapes); loopback unless --allow-remote",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a target outside 127.0.0.0/8 and ::1 (be sure it is not production)",
    )
    parser.add_argument("--users", type=int, help="concurrent users (closed model)")
    parser.add_argument("--spawn-rate", type=float, help="users started per second")
    parser.add_argument(
        "--arrival-rate",
        type=float,
        help="open model: iterations started per second, on schedule (--users is then the pool)",
    )
    parser.add_argument("--duration", help=f"measured load window: {DURATION_HELP}")
    parser.add_argument("--warmup", help=f"load before the window opens: {DURATION_HELP}")
    parser.add_argument("--processes", type=int, help="Locust worker processes on this machine")
    parser.add_argument(
        "--seed",
        type=int,
        help="the traffic's random seed: the same seed, the same requests from each user "
        "(default: load.seed, else a new one, recorded in result.json)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("reports"), help="reports folder (default: reports)"
    )
    parser.add_argument(
        "--prometheus-url", help="use this Prometheus instead of starting a private one"
    )
    parser.add_argument(
        "--history",
        metavar="PATH|URL",
        help="record the run in this history once its reports are written: a file (SQLite, "
        "created when missing) or a postgresql://user@host/db URL (default: the scenario's "
        "history:, else not recorded); a history that fails never changes the verdict",
    )
    duet = parser.add_argument_group(
        "duet: the baseline loaded beside the candidate, at the same time (see docs/gate.md)"
    )
    duet.add_argument(
        "--duet-baseline",
        metavar="URL",
        help="base URL of a running baseline service; the target (--target, or the reference "
        "service) is the candidate. Both get the same traffic; each window is compared pairwise",
    )
    duet.add_argument(
        "--duet-baseline-checkout",
        metavar="DIR",
        type=Path,
        help="start the reference service from this checkout as the baseline (e.g. main in a "
        "git worktree; `.` for an A/A run of this checkout against itself)",
    )
    parser.add_argument(
        "--no-live",
        action="store_true",
        help="no live view on a terminal: a plain progress line every 15 s instead (as in CI logs)",
    )


def add_remote_arguments(parser: argparse.ArgumentParser) -> None:
    remote = parser.add_argument_group("workers on other machines (see docs/load.md)")
    remote.add_argument(
        "--expect-workers", type=int, help="run only the Locust master; wait for N workers"
    )
    remote.add_argument(
        "--master-bind", help="host:port the master listens on (default 127.0.0.1:5557)"
    )
    remote.add_argument(
        "--worker-metrics",
        action="append",
        default=[],
        help="host:port of a worker's metrics exporter (one each)",
    )


def split_locust_args(argv: list[str]) -> tuple[list[str], tuple[str, ...] | None]:
    """loadgate's arguments, and Locust's after the first ``--`` (``None`` without one)."""
    if "--" not in argv:
        return argv, None
    cut = argv.index("--")
    return argv[:cut], tuple(argv[cut + 1 :])


def run_options(args: argparse.Namespace) -> RunOptions:
    """The flags as given; ``None`` where not given, so the scenario file decides."""
    return RunOptions(
        scenario=args.scenario,
        locustfile=args.locustfile,
        slo_files=tuple(args.slo_files),
        target=args.target,
        grpc_target=args.grpc_target,
        users=args.users,
        spawn_rate=args.spawn_rate,
        arrival_rate=args.arrival_rate,
        duration=args.duration,
        warmup=args.warmup,
        processes=args.processes,
        seed=getattr(args, "seed", None),
        out=args.out,
        prometheus_url=args.prometheus_url,
        allow_remote=args.allow_remote,
        expect_workers=getattr(args, "expect_workers", None),
        master_bind=getattr(args, "master_bind", None),
        worker_metrics=tuple(getattr(args, "worker_metrics", ())),
        baseline=getattr(args, "baseline", None),
        duet_baseline=getattr(args, "duet_baseline", None),
        duet_baseline_checkout=getattr(args, "duet_baseline_checkout", None),
        locust_args=getattr(args, "locust_args", None),
        history=getattr(args, "history", None),
    )
