"""Service settings, from command-line flags."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from services_under_test.recommender.faults import Faults

__all__ = ["Settings", "parse_settings"]


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    seed: int = 42
    items: int = 10_000
    users: int = 20_000
    categories: int = 40
    faults: Faults = field(default_factory=Faults)


def parse_settings(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m services_under_test.recommender",
        description="The reference recommendation service (aiohttp, Prometheus metrics).",
    )
    parser.add_argument(
        "--host", default=Settings.host, help="address to bind (default: %(default)s)"
    )
    parser.add_argument("--port", type=int, default=Settings.port, help="port (0 picks a free one)")
    parser.add_argument("--seed", type=int, default=Settings.seed, help="catalog generator seed")
    parser.add_argument("--items", type=int, default=Settings.items, help="catalog size")
    parser.add_argument("--users", type=int, default=Settings.users, help="number of known users")
    parser.add_argument(
        "--fault-error-rate", type=float, default=0.0, help="share of requests answered 500"
    )
    parser.add_argument(
        "--fault-latency-ms", type=float, default=0.0, help="latency added to requests"
    )
    parser.add_argument(
        "--fault-latency-share", type=float, default=1.0, help="share of requests delayed"
    )
    args = parser.parse_args(argv)
    for name in ("fault_error_rate", "fault_latency_share"):
        if not 0.0 <= getattr(args, name) <= 1.0:
            parser.error(f"--{name.replace('_', '-')} must be between 0 and 1")
    if args.fault_latency_ms < 0:
        parser.error("--fault-latency-ms must be ≥ 0")
    faults = Faults(
        error_rate=args.fault_error_rate,
        latency_ms=args.fault_latency_ms,
        latency_share=args.fault_latency_share,
    )
    return Settings(
        host=args.host,
        port=args.port,
        seed=args.seed,
        items=args.items,
        users=args.users,
        faults=faults,
    )
