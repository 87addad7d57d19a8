"""What the harness's Locust plugin exports and writes: shared by the plugin and the harness.

Imports nothing from Locust, so the orchestrating harness can read it too.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from itertools import pairwise

__all__ = [
    "BASELINE_SIDE",
    "CANDIDATE_SIDE",
    "CHECK_EVENT",
    "CHECK_FAILED",
    "CHECK_PASSED",
    "CLIENT_CHECKS",
    "CLIENT_CHECKS_TOTAL",
    "CLIENT_DROPPED_ITERATIONS",
    "CLIENT_HISTOGRAM",
    "CLIENT_HISTOGRAM_BUCKET",
    "CLIENT_METRIC_PREFIX",
    "CLIENT_PHASE",
    "CLIENT_PROCESS_CPU_TOTAL",
    "CLIENT_PROCESS_NAMESPACE",
    "CLIENT_REQUESTS",
    "CLIENT_REQUESTS_TOTAL",
    "CLIENT_SESSIONS",
    "CLIENT_TARGET_ARRIVAL_RATE",
    "CLIENT_USERS",
    "DROPPED_ITERATION_NAME",
    "ENV_ARRIVALS",
    "ENV_DUET",
    "ENV_GRPC_TARGET",
    "ENV_METRICS_ADDR",
    "ENV_METRICS_PORTS",
    "ENV_PARAMETERS",
    "ENV_RESULTS_DIR",
    "ENV_SEED",
    "ENV_WARMUP_S",
    "LATENCY_BUCKETS",
    "OUTCOME_ERROR",
    "OUTCOME_OK",
    "PHASE_LABEL",
    "PHASE_WARMUP",
    "PHASE_WINDOW",
    "ROUND_THRESHOLDS",
    "SESSION_EVENT",
    "SIDE_LABEL",
    "DuetTargets",
    "latency_buckets",
]

# Environment variables the harness sets for every Locust process it starts.
ENV_METRICS_PORTS = "LOADGATE_METRICS_PORTS"  # comma-separated ports; each process binds one
ENV_METRICS_ADDR = "LOADGATE_METRICS_ADDR"  # the exporter's address (default 127.0.0.1)
ENV_RESULTS_DIR = "LOADGATE_RESULTS_DIR"  # where each process writes its window results
ENV_WARMUP_S = "LOADGATE_WARMUP_S"  # seconds of load before the measured window opens
ENV_ARRIVALS = "LOADGATE_ARRIVALS"  # the open model's ArrivalProfile as JSON; absent: closed model
ENV_DUET = "LOADGATE_DUET"  # a duet's two base URLs as JSON ({"baseline": …, "candidate": …}); absent: one target
ENV_SEED = "LOADGATE_SEED"  # the run's seed: every process and user derives its own stream from it
ENV_GRPC_TARGET = "LOADGATE_GRPC_TARGET"  # host:port of the gRPC target, for GrpcUser
ENV_PARAMETERS = "LOADGATE_PARAMETERS"  # the scenario's load.parameters as JSON, for the locustfile

# The client metrics' ``side`` label in a duet (harness/load/duet.py); empty outside a duet.
SIDE_LABEL = "side"
BASELINE_SIDE = "baseline"
CANDIDATE_SIDE = "candidate"

# The metrics every Locust process exports (load/exporter.py), named here once for the queries
# that read them (gate samples, SLO event counts, the live view). A contract: docs/architecture.md.
CLIENT_METRIC_PREFIX = "loadgate_client_"  # every client metric's name starts so
CLIENT_REQUESTS = "loadgate_client_requests"  # counter, labels name, method, outcome, side
CLIENT_REQUESTS_TOTAL = f"{CLIENT_REQUESTS}_total"  # the series a counter is stored (and read) as
OUTCOME_OK, OUTCOME_ERROR = "ok", "error"  # the values of its ``outcome`` label
CLIENT_HISTOGRAM = "loadgate_client_request_duration_seconds"  # labels name, method, side
CLIENT_HISTOGRAM_BUCKET = f"{CLIENT_HISTOGRAM}_bucket"
CLIENT_DROPPED_ITERATIONS = "loadgate_client_dropped_iterations"  # counter, label name
DROPPED_ITERATION_NAME = "iteration"  # its one ``name``; the series exists (at 0) from the start
# Gauge, label phase: 1 while this process is in the warm-up or the measured window, else 0, so
# a dashboard can mark both on its time axis (Grafana annotations from a Prometheus query).
CLIENT_PHASE = "loadgate_client_phase"
PHASE_LABEL, PHASE_WARMUP, PHASE_WINDOW = "phase", "warmup", "window"
# prometheus_client's process collector under the client's prefix: the generator's own CPU
# (loadgate_client_process_cpu_seconds_total), memory and file descriptors, per process.
CLIENT_PROCESS_NAMESPACE = "loadgate_client"
CLIENT_PROCESS_CPU_TOTAL = f"{CLIENT_PROCESS_NAMESPACE}_process_cpu_seconds_total"
CLIENT_CHECKS = "loadgate_client_checks"  # counter, labels name, check, outcome, side
CLIENT_CHECKS_TOTAL = f"{CLIENT_CHECKS}_total"
CHECK_PASSED, CHECK_FAILED = "pass", "fail"  # the values of its ``outcome`` label
CLIENT_SESSIONS = "loadgate_client_sessions"  # counter, label side: sessions a locustfile began

# The Locust event hooks the plugin adds, for any locustfile to report through (a contract:
# docs/load.md): ``fire(name=…, check=…, passed=…)`` after checking a response, and
# ``fire(visitor=…)`` when a user begins a session as some visitor (a shopper, an account).
CHECK_EVENT = "loadgate_check"
SESSION_EVENT = "loadgate_session"
CLIENT_USERS = "loadgate_client_users"  # gauge
CLIENT_TARGET_ARRIVAL_RATE = "loadgate_client_target_arrival_rate"  # gauge, per second

# Thresholds SLOs are written with; each must be an exact bucket boundary.
ROUND_THRESHOLDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
MAX_BUCKET_RATIO = 1.1


def latency_buckets() -> tuple[float, ...]:
    """Bucket bounds from 1 ms to 10 s, no two neighbours more than 10 % apart.

    ``histogram_quantile`` interpolates inside a bucket, so its error is bounded by the bucket's
    width: 10 % apart keeps it within 10 % of the truth. Between each pair of round thresholds the
    bounds are spaced geometrically, so the round thresholds themselves are exact boundaries.
    """
    bounds: list[float] = []
    for low, high in pairwise(ROUND_THRESHOLDS):
        steps = math.ceil(math.log(high / low) / math.log(MAX_BUCKET_RATIO) - 1e-9)
        for step in range(steps):
            bounds.append(float(f"{low * (high / low) ** (step / steps):.4g}"))
    bounds.append(ROUND_THRESHOLDS[-1])
    return tuple(bounds)


LATENCY_BUCKETS = latency_buckets()


@dataclass(frozen=True)
class DuetTargets:
    """The two base URLs a duet loads; the harness passes them to Locust as JSON."""

    baseline: str
    candidate: str
    seed: int = 1  # the pairs' streams: the same seed, the same traffic in every run

    def url(self, side: str) -> str:
        return self.baseline if side == BASELINE_SIDE else self.candidate

    def to_json(self) -> str:
        return json.dumps(
            {"baseline": self.baseline, "candidate": self.candidate, "seed": self.seed}
        )

    @classmethod
    def from_json(cls, text: str) -> DuetTargets:
        data = json.loads(text)
        return cls(
            str(data["baseline"]).rstrip("/"),
            str(data["candidate"]).rstrip("/"),
            int(data.get("seed", 1)),
        )
