"""Running the service: one process, or ``--workers N`` processes sharing the port (SO_REUSEPORT).

With several workers, metrics go through prometheus_client's multiprocess mode: each worker writes
its values to a shared folder and /metrics, answered by any worker, aggregates all of them. The
``process_*`` metrics (RSS, open fds, which a soak watches for leaks) are then absent: see metrics.py.
SIGTERM drains: no new connections, in-flight requests finish (up to 10 s), then resources close;
gRPC (``--grpc-port``) drains at the same time (grpc_server.py).
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
from types import FrameType

from aiohttp import web

from services_under_test.recommender.eventloop import new_event_loop
from services_under_test.recommender.settings import Settings, parse_settings

PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies

__all__ = ["main", "serve"]

log = logging.getLogger("recommender")


def serve(settings: Settings) -> None:
    from services_under_test.recommender.main import (  # after PROMETHEUS_MULTIPROC_DIR is set
        SHUTDOWN_TIMEOUT_S,
        init_app,
    )

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s recommender[%(process)d] %(message)s"
    )
    web.run_app(
        init_app(settings),
        host=settings.host,
        port=settings.port,
        reuse_port=settings.workers > 1,
        access_log=None,
        print=lambda message: log.info(message.strip()),
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
        loop=new_event_loop(settings.loop),
    )


def _worker(settings: Settings) -> None:
    """One worker process: it ends with its parent, even one killed with SIGKILL (no orphan
    keeps the port or a metrics file after its supervisor is gone)."""
    if sys.platform == "linux":
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    serve(settings)


def main(argv: list[str] | None = None) -> None:
    settings = parse_settings(argv)
    if settings.workers == 1:
        serve(settings)
        return
    metrics_dir = tempfile.mkdtemp(prefix="recommender-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    # "spawn": each worker imports prometheus_client afresh, in multiprocess mode.
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_worker, args=(settings,), daemon=False)
        for _ in range(settings.workers)
    ]
    for worker in workers:
        worker.start()

    def forward(signum: int, frame: FrameType | None) -> None:
        for worker in workers:
            if worker.pid is not None and worker.is_alive():
                os.kill(worker.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    try:
        for worker in workers:
            worker.join()
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
