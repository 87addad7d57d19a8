"""The service under test: start the reference service, or check that a named target answers."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from harness.errors import InconclusiveError
from harness.stack.processes import ProcessGroup, StartedProcess
from harness.stack.readiness import free_port, http_answers, wait_until

__all__ = ["check_target_answers", "start_reference_service"]

START_TIMEOUT_S = 60.0


def start_reference_service(group: ProcessGroup) -> tuple[str, StartedProcess]:
    """Start the reference recommendation service on 127.0.0.1; returns its base URL once healthy."""
    port = free_port()
    process = group.start(
        "service",
        [
            sys.executable,
            "-m",
            "services_under_test.recommender",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
    )
    url = f"http://127.0.0.1:{port}"
    healthy = wait_until(
        lambda: process.exited() is not None or http_answers(f"{url}/healthz", ok_only=True),
        START_TIMEOUT_S,
        interval_s=0.1,
    )
    if process.exited() is not None or not healthy:
        raise InconclusiveError(
            f"the reference service did not become healthy within {START_TIMEOUT_S:.0f}s: "
            f"{process.log_tail(3) or 'no output'}"
        )
    return url, process


def check_target_answers(url: str) -> None:
    """A running target must answer HTTP before load starts; otherwise there is nothing to measure."""
    if not http_answers(url, timeout_s=3.0):
        parts = urlsplit(url)
        raise InconclusiveError(f"the target {parts.scheme}://{parts.netloc} does not answer HTTP")
