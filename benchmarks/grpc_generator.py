"""The gRPC load generator's own cost, measured side by side: what GrpcUser and loadgate's
plugin add to each call, and the calls per second one generator core sustains.

    .venv/bin/python benchmarks/grpc_generator.py [--rounds 5] [--seconds 10]

A minimal gRPC server (benchmarks/hello_grpc.py) pinned to core 0 is the target; Locust, pinned
to core 1, is what saturates (20 users calling without pause). Three generators, interleaved in
every round, medians over rounds:

1. bare: a plain Locust ``User`` calling the generated stub, no interceptor, no events (the
   floor: grpcio's client under gevent);
2. GrpcUser: the same calls through GrpcUser (its interceptor fires Locust's request event,
   Locust's own statistics count it), without loadgate's plugin;
3. GrpcUser with loadgate's plugin (``-f plugin.py,locustfile``): the client metrics and the
   window's HDR histograms on top.

It reports the server's CPU share during each run too: a Python gRPC server saturates its core
near 1,000 calls/s here, below what one generator core can send, so the calls/s column is the
server's limit and a generator core's capacity is 10⁶ ÷ its CPU µs per call.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
import psutil
from generator import free_port, locust  # beside this file: run it as a script

from services_under_test.recommender.protos import recommendations_pb2 as pb
from services_under_test.recommender.protos import recommendations_pb2_grpc as pb_grpc

REPO = Path(__file__).resolve().parent.parent
COUNT_FILE = "BENCH_COUNT_FILE"
BARE = f"""
import os
from locust import User, constant, events, task
from harness.load.grpc_user import grpc_target  # the same init_gevent() as GrpcUser's
import grpc
import psutil
from services_under_test.recommender.protos import recommendations_pb2 as pb
from services_under_test.recommender.protos import recommendations_pb2_grpc as pb_grpc

CALLS = [0]

class Bare(User):
    wait_time = constant(0)

    def on_start(self):
        self.stub = pb_grpc.RecommendationsStub(grpc.insecure_channel(grpc_target(self.host)))

    @task
    def home(self):
        self.stub.Home(pb.HomeRequest(user_id=11, n=10), timeout=5.0)
        CALLS[0] += 1

@events.quitting.add_listener
def _count(environment, **_):
    with open(os.environ["{COUNT_FILE}"], "w") as out:
        out.write(str(CALLS[0]))
"""
GRPC_USER = """
from locust import constant, task
from harness.load.grpc_user import GrpcUser
from services_under_test.recommender.protos import recommendations_pb2 as pb
from services_under_test.recommender.protos import recommendations_pb2_grpc as pb_grpc

class Loop(GrpcUser):
    stub_class = pb_grpc.RecommendationsStub
    wait_time = constant(0)

    @task
    def home(self):
        self.stub.Home(pb.HomeRequest(user_id=11, n=10))
"""
NAMES = {
    "bare": "bare stub (no events)",
    "user": "GrpcUser",
    "plugin": "GrpcUser + loadgate plugin",
}


def run(kind: str, files: dict[str, Path], target: str, seconds: int) -> tuple[float, int]:
    """One generator's (CPU seconds, calls)."""
    count_file = Path(tempfile.mkdtemp()) / "count"
    env = {COUNT_FILE: str(count_file), "PYTHONPATH": str(REPO)}
    locustfile = files["bare" if kind == "bare" else "user"]
    cpu, counted, _ = locust(
        locustfile, target, seconds, 20, plugin=kind == "plugin", env=env, steady=False
    )
    return cpu, int(count_file.read_text()) if kind == "bare" else counted


def start_server() -> tuple[subprocess.Popen[bytes], int]:
    """A fresh server on core 0, once it answers a call. Fresh for every run: one that had served
    a Locust run before answered the next one at a third of the rate (its CPU idle), which
    would have made whichever generator ran first look three times as fast."""
    port = free_port()
    server = subprocess.Popen(
        ["taskset", "-c", "0", sys.executable, str(REPO / "benchmarks/hello_grpc.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        pb_grpc.RecommendationsStub(channel).Home(pb.HomeRequest(), timeout=30, wait_for_ready=True)  # type: ignore[no-untyped-call]
    return server, port


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    files = {"bare": folder / "bare.py", "user": folder / "grpc_user.py"}
    files["bare"].write_text(BARE)
    files["user"].write_text(GRPC_USER)
    per_call: dict[str, list[float]] = {kind: [] for kind in NAMES}
    rate: dict[str, list[float]] = {kind: [] for kind in NAMES}
    server_cpu: dict[str, list[float]] = {kind: [] for kind in NAMES}
    for _ in range(args.rounds):
        for kind in NAMES:
            server, port = start_server()
            try:
                serving = psutil.Process(server.pid)
                before, started = sum(serving.cpu_times()[:2]), time.monotonic()
                cpu, calls = run(kind, files, f"grpc://127.0.0.1:{port}", args.seconds)
                used = (sum(serving.cpu_times()[:2]) - before) / (time.monotonic() - started)
            finally:
                server.terminate()
                server.wait(timeout=10)
            server_cpu[kind].append(used)
            per_call[kind].append(cpu / calls * 1e6)
            rate[kind].append(calls / args.seconds)
    print(
        "| generator (one core) | CPU µs per call | calls/s | server CPU | calls/s per generator core (10⁶ ÷ µs) |"
    )
    print("|---|---:|---:|---:|---:|")
    for kind, name in NAMES.items():
        cost = statistics.median(per_call[kind])
        print(f"| {name} | {cost:.0f} | {statistics.median(rate[kind]):,.0f} | "
              f"{statistics.median(server_cpu[kind]):.0%} | {1e6 / cost:,.0f} |")  # fmt: skip
    for a, b in (("plugin", "user"), ("user", "bare"), ("plugin", "bare")):
        ratio = statistics.median(x / y for x, y in zip(per_call[a], per_call[b], strict=True))
        print(f"\nCPU per call, {NAMES[a]} / {NAMES[b]}: **{ratio:.2f}×**", end="")
    print(
        "\n\n"
        + json.dumps({"per_call_us": per_call, "calls_per_s": rate, "server_cpu": server_cpu})
    )


if __name__ == "__main__":
    main()
