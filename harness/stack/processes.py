"""Starting child processes so that none outlives the harness.

Each child gets its own process group (so Locust's forked workers are stopped with it) and, on
Linux, a parent-death signal (so even a ``kill -9`` of the harness takes its children along).
``ProcessGroup`` stops everything it started when its ``with`` block ends — on success, failure,
timeout or Ctrl-C. Each child's output goes to ``<log_dir>/<name>.log`` through a ``BoundedLog``,
so a chatty child cannot fill the disk.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from harness.run_folder import log_file
from harness.secret import KEY_ENV as ROUTING_KEY_ENV
from harness.stack.bounded_log import DEFAULT_HEAD_BYTES, DEFAULT_TAIL_BYTES, BoundedLog

__all__ = ["RUN_ID_ENV", "ProcessGroup", "StartedProcess", "inherited_environment"]

RUN_ID_ENV = "LOADGATE_RUN_ID"
SECRET_ENV = frozenset({ROUTING_KEY_ENV})  # never passed to a child

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    os.setsid()
    # A shell starts background jobs (`make test &`, some CI runners) with SIGINT ignored, and an
    # ignored signal stays ignored across exec: Locust is stopped with SIGINT, so restore it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class StartedProcess:
    def __init__(self, name: str, popen: subprocess.Popen[bytes], log: BoundedLog) -> None:
        self.name = name
        self.popen = popen
        self.log = log
        self.log_path = log.path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def exited(self) -> int | None:
        """The exit code if the process has ended, else ``None``."""
        return self.popen.poll()

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of its output (from memory too, once its log has been cut)."""
        if self.popen.poll() is not None:
            self.log.wait(timeout_s=1.0)  # the output's last bytes may still be in the pipe
        return self.log.text_tail(lines)


class ProcessGroup:
    """A ``with`` block owning child processes; leaving it stops them all, newest first."""

    def __init__(
        self,
        log_dir: Path,
        run_id: str = "",
        stop_timeout_s: float = 10.0,
        log_bytes: tuple[int, int] = (DEFAULT_HEAD_BYTES, DEFAULT_TAIL_BYTES),  # head, tail
    ) -> None:
        self.log_dir = log_dir
        self.run_id = run_id
        self.stop_timeout_s = stop_timeout_s
        self.log_bytes = log_bytes
        self.started: list[StartedProcess] = []

    def start(
        self,
        name: str,
        argv: Sequence[str],
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> StartedProcess:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        read_fd, write_fd = os.pipe()
        try:
            popen = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=write_fd,
                stderr=subprocess.STDOUT,
                # The run id marks every descendant, so leftovers can be found (tests check none are).
                env={**inherited_environment(), RUN_ID_ENV: self.run_id, **(env or {})},
                cwd=cwd,
                preexec_fn=_die_with_parent,
            )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)  # the child's copy is the only writer: its exit is the log's end
        head, tail = self.log_bytes
        process = StartedProcess(
            name, popen, BoundedLog(self.log_dir / log_file(name), read_fd, head, tail)
        )
        self.started.append(process)
        log.debug("started %s (pid %d): %s", name, popen.pid, " ".join(argv))
        return process

    def stop(self, process: StartedProcess) -> int | None:
        """SIGTERM the process's group, then SIGKILL what is left after the timeout."""
        self._terminate(process)
        return self._reap(process)

    def stop_all(self) -> None:
        """Every process told to stop before any is waited for, newest first (the load generator
        before the service it loads), so their shutdowns overlap: the verdict waits for the
        slowest, not for the sum."""
        newest_first = list(reversed(self.started))
        for process in newest_first:
            self._terminate(process)
        for process in newest_first:
            self._reap(process)

    def _terminate(self, process: StartedProcess) -> None:
        if process.popen.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)

    def _reap(self, process: StartedProcess) -> int | None:
        """Wait for a process told to stop; SIGKILL its group after the timeout, and what its
        leader left behind either way."""
        if process.popen.poll() is None:
            try:
                process.popen.wait(timeout=self.stop_timeout_s)
            except subprocess.TimeoutExpired:
                log.warning(
                    "%s did not stop within %.0fs; killing it", process.name, self.stop_timeout_s
                )
        # The leader may be gone while forked children linger: sweep the group either way.
        _signal_group(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.popen.wait(timeout=self.stop_timeout_s)
        process.log.close()
        if process.log.cut_bytes:
            log.warning(
                "%s wrote %d bytes; its log keeps the head and the tail",
                process.name,
                process.log.written,
            )
        return process.popen.returncode

    def __enter__(self) -> ProcessGroup:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Ctrl-C again while stopping must not leave children behind: finish stopping first.
        if threading.current_thread() is not threading.main_thread():
            self.stop_all()
            return
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            self.stop_all()
        finally:
            signal.signal(signal.SIGINT, previous)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def inherited_environment() -> dict[str, str]:
    """The harness's environment less its secrets: a locustfile, the service or Prometheus have
    no business with the PagerDuty routing key (children's environments are readable in /proc)."""
    return {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
