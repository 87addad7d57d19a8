"""Service settings, from command-line flags (and faults also from ``RECOMMENDER_FAULTS``)."""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import dataclass, field

from services_under_test.recommender.eventloop import LOOPS
from services_under_test.recommender.faults import Faults, parse_latency, parse_slowdown

__all__ = ["Settings", "parse_settings"]


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    grpc_port: int | None = None  # None: no gRPC server
    seed: int = 42
    items: int = 50_000
    users: int = 100_000
    categories: int = 40
    store: str | None = None  # None: in memory; redis://127.0.0.1:6379/0: Redis
    downstream: str | None = None  # base URL of the re-ranking service; None: no re-ranking
    downstream_timeout_s: float = 0.1
    max_concurrency: int = 256  # in-flight requests before shedding with 503
    cache_ttl_s: float = 30.0
    cache_capacity: int = 50_000
    admin: bool = False  # the fault admin API (loopback clients only)
    workers: int = 1
    instrument: bool = True  # per-request HTTP metrics; off only to measure their cost
    loop: str = "asyncio"  # the event loop: asyncio or uvloop (eventloop.py)
    faults: Faults = field(default_factory=Faults)


def parse_settings(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m services_under_test.recommender",
        description="The reference recommendation service: aiohttp, Prometheus metrics, faults on demand.",
    )
    add = parser.add_argument
    add("--host", default=Settings.host, help="address to bind (default: %(default)s)")
    add("--port", type=int, default=Settings.port, help="port (default: %(default)s)")
    add(
        "--grpc-port",
        type=int,
        help="also serve gRPC (recommendations.proto, health, reflection) on this port",
    )
    add("--seed", type=int, default=Settings.seed, help="catalog generator seed")
    add("--items", type=int, default=Settings.items, help="catalog size (default: %(default)s)")
    add("--users", type=int, default=Settings.users, help="user base (default: %(default)s)")
    add("--store", help="memory:// (default) or redis://127.0.0.1:6379/0")
    add("--downstream", help="base URL of the re-ranking service (default: none)")
    add(
        "--downstream-timeout-ms", type=float, default=100.0, help="timeout of each re-ranking call"
    )
    add(
        "--max-concurrency",
        type=int,
        default=Settings.max_concurrency,
        help="in-flight limit before 503",
    )
    add("--workers", type=int, default=1, help="processes sharing the port (SO_REUSEPORT)")
    add(
        "--loop",
        choices=LOOPS,
        default=Settings.loop,
        help="event loop: asyncio's own or uvloop (default: %(default)s)",
    )
    add("--admin", action="store_true", help="enable PUT /admin/faults (loopback clients only)")
    add(
        "--no-instrumentation",
        action="store_true",
        help="skip per-request HTTP metrics (benchmarks)",
    )
    faults = parser.add_argument_group(
        "faults", "injected faults (also JSON in RECOMMENDER_FAULTS)"
    )
    faults.add_argument("--fault-latency", default="", help="MS@SHARE,...: e.g. 20@0.98,200@0.02")
    faults.add_argument("--fault-route", help="apply --fault-latency to this route only")
    faults.add_argument(
        "--fault-error-rate", type=float, default=0.0, help="share of requests answered 500"
    )
    faults.add_argument(
        "--fault-stall-ms", type=float, default=0.0, help="stop the process this long …"
    )
    faults.add_argument("--fault-stall-every-s", type=float, default=0.0, help="… this often")
    faults.add_argument("--fault-store-outage", action="store_true", help="every store call fails")
    faults.add_argument(
        "--fault-downstream-delay-ms", type=float, default=0.0, help="slow re-ranking calls"
    )
    faults.add_argument(
        "--fault-empty-results", type=float, default=0.0, help="share of empty responses"
    )
    faults.add_argument("--fault-leak-kb-per-s", type=float, default=0.0, help="memory never freed")
    faults.add_argument(
        "--fault-slowdown",
        type=_slowdown_flag,
        default=0.0,
        metavar="PCT",
        help="each request takes PCT %% longer than its own service time (0–1000, e.g. 10%%)",
    )
    args = parser.parse_args(argv)
    try:
        injected = Faults(**json.loads(os.environ.get("RECOMMENDER_FAULTS") or "{}"))
        injected.update(
            {
                key: value
                for key, value in {
                    "latency": parse_latency(args.fault_latency),
                    "latency_route": args.fault_route,
                    "error_rate": args.fault_error_rate,
                    "stall_ms": args.fault_stall_ms,
                    "stall_every_s": args.fault_stall_every_s,
                    "store_outage": args.fault_store_outage,
                    "downstream_delay_ms": args.fault_downstream_delay_ms,
                    "empty_results": args.fault_empty_results,
                    "leak_kb_per_s": args.fault_leak_kb_per_s,
                    "slowdown_pct": args.fault_slowdown,
                }.items()
                if value
            }
        )
    except (ValueError, TypeError) as exc:
        parser.error(f"invalid fault: {exc}")
    if args.grpc_port is not None and not 1 <= args.grpc_port <= 65535:
        parser.error(f"--grpc-port must be a port from 1 to 65535, got {args.grpc_port}")
    if args.grpc_port is not None and args.workers > 1:
        # One process only: several workers would each need the port shared, which is not built.
        parser.error("--grpc-port serves from one process: it cannot be combined with --workers")
    for name in ("max_concurrency", "workers", "items", "users"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return Settings(
        host=args.host,
        port=args.port,
        grpc_port=args.grpc_port,
        seed=args.seed,
        items=args.items,
        users=args.users,
        store=args.store,
        downstream=args.downstream,
        downstream_timeout_s=args.downstream_timeout_ms / 1000.0,
        max_concurrency=args.max_concurrency,
        admin=args.admin,
        workers=args.workers,
        instrument=not args.no_instrumentation,
        loop=args.loop,
        faults=injected,
    )


def _slowdown_flag(text: str) -> float:
    # argparse words it "argument --fault-slowdown: …" and exits 2, like any other bad flag.
    try:
        return parse_slowdown(text, "the slowdown")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
