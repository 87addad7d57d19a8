"""The service under test: start the reference service (and its re-ranking dependency), or check
that a named target answers."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from harness.errors import InconclusiveError
from harness.stack.processes import ProcessGroup, StartedProcess
from harness.stack.readiness import free_port, http_answers, wait_until
from harness.values.plan import ServiceCommand

PORT = "{port}"  # in a service's command: the port the harness chose

__all__ = ["check_target_answers", "start_command_service", "start_reference_service"]

START_TIMEOUT_S = 60.0


def start_reference_service(
    group: ProcessGroup,
    args: Sequence[str] = (),
    port: int | None = None,
    checkout: Path | None = None,
    role: str = "service",
) -> tuple[str, StartedProcess]:
    """Start the re-ranking service, then the recommender using it (on ``port``, or a free one);
    returns the recommender's URL.

    ``args`` are extra flags for the recommender (a store, faults…). ``checkout``: run the code of
    that folder (a duet's baseline, e.g. main in a git worktree) instead of this one; ``role``
    names the processes' logs ("service", "baseline").
    """
    # Both start at once (each takes seconds to import and build its state): the recommender
    # calls the re-ranker only when a request comes, and none comes before both are healthy.
    reranker = "reranker" if role == "service" else f"{role}-reranker"
    port = port or free_port()
    reranker_port = free_port()
    while reranker_port == port:  # neither is bound yet: the OS could offer the same one twice
        reranker_port = free_port()
    reranker_url, reranking = _start(
        group, reranker, "services_under_test.reranker", [], reranker_port, checkout
    )
    url, recommender = _start(
        group,
        role,
        "services_under_test.recommender",
        ["--downstream", reranker_url, *args],
        port,
        checkout,
    )
    _wait_healthy(reranking, reranker, f"{reranker_url}/healthz")
    _wait_healthy(recommender, role, f"{url}/healthz")
    return url, recommender


def start_command_service(
    group: ProcessGroup, command: ServiceCommand, role: str, port: int, cwd: Path | None = None
) -> tuple[str, StartedProcess]:
    """A user's service from its command (``{port}`` → ``port``), healthy or inconclusive;
    ``cwd``: a duet's checkout to run it in instead of the scenario's folder."""
    argv = [a.replace(PORT, str(port)) for a in command.argv]
    process = group.start(role, argv, cwd=cwd or command.cwd)
    url = f"http://127.0.0.1:{port}"
    _wait_healthy(process, role, f"{url}{command.health}")
    return url, process


def _start(
    group: ProcessGroup,
    name: str,
    module: str,
    args: list[str],
    port: int,
    checkout: Path | None = None,
) -> tuple[str, StartedProcess]:
    """Started on ``port``, not yet healthy."""
    # `python -m` from the checkout's folder imports its modules first: the folder is sys.path[0],
    # ahead of this checkout's editable install.
    process = group.start(
        name,
        [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", str(port), *args],
        cwd=checkout,
    )
    return f"http://127.0.0.1:{port}", process


def _wait_healthy(process: StartedProcess, name: str, health_url: str) -> None:
    healthy = wait_until(
        lambda: process.exited() is not None or http_answers(health_url, ok_only=True),
        START_TIMEOUT_S,
        interval_s=0.1,
    )
    if process.exited() is not None or not healthy:
        raise InconclusiveError(
            f"the {name} did not become healthy within {START_TIMEOUT_S:.0f}s: {process.log_tail(3) or 'no output'}"
        )


def check_target_answers(url: str, what: str = "the target") -> None:
    """A running target must answer HTTP before load starts; otherwise there is nothing to measure."""
    if not http_answers(url, timeout_s=3.0):
        parts = urlsplit(url)
        raise InconclusiveError(f"{what} {parts.scheme}://{parts.netloc} does not answer HTTP")
