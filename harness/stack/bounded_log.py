"""A child's log with a bound: its first ``head_bytes`` on disk, its last ``tail_bytes`` kept.

A locustfile that prints on every request wrote 81 MB of ``locust.log`` in 13 s: over an hour's
soak that fills the disk. The child writes into a pipe; a thread here copies the first
``head_bytes`` to the file as they come (so a start-up failure is on disk at once), then keeps
only a rolling ``tail_bytes`` in memory, and at the end appends a line saying how much was cut and
then the tail — start-up and the end of a run are what a reader needs, the middle is repetition.

The thread drains the pipe whatever happens (a failing disk included): a child blocked on a full
pipe would stall the load.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections import deque
from pathlib import Path
from typing import BinaryIO

__all__ = ["DEFAULT_HEAD_BYTES", "DEFAULT_TAIL_BYTES", "BoundedLog"]

DEFAULT_HEAD_BYTES = 4 * 1024 * 1024
DEFAULT_TAIL_BYTES = 4 * 1024 * 1024
_CHUNK = 64 * 1024

log = logging.getLogger(__name__)


class BoundedLog:
    """Drains ``read_fd`` into ``path`` on its own thread; ``close`` waits for the end of it."""

    def __init__(
        self,
        path: Path,
        read_fd: int,
        head_bytes: int = DEFAULT_HEAD_BYTES,
        tail_bytes: int = DEFAULT_TAIL_BYTES,
    ) -> None:
        self.path = path
        self.head_bytes = head_bytes
        self.tail_bytes = tail_bytes
        self.written = 0  # bytes the child wrote, in all
        self._head_written = 0
        self._head_full = False
        self._fd = read_fd
        self._tail: deque[bytes] = deque()
        self._tail_size = 0
        self._lock = threading.Lock()
        self._file: BinaryIO | None = path.open("ab")
        self._thread = threading.Thread(target=self._drain, name=f"log {path.name}", daemon=True)
        self._thread.start()

    @property
    def cut_bytes(self) -> int:
        """How many bytes in the middle are not kept (0 while the log is within its bound)."""
        return max(0, self.written - self._head_written - self.tail_bytes)

    def text_tail(self, lines: int) -> str:
        """The last ``lines`` lines the child wrote, whether or not they reached the file yet."""
        with self._lock:
            on_disk_is_recent = self._file is None or self.cut_bytes == 0
            ring = b"" if self._file is None else b"".join(self._tail)
        data = (_file_end(self.path) if on_disk_is_recent else b"") + ring
        return "\n".join(data.decode("utf-8", errors="replace").splitlines()[-lines:])

    def wait(self, timeout_s: float) -> bool:
        """Wait (bounded) for the end of the child's output; ``True`` once it is all in."""
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def close(self, timeout_s: float = 5.0) -> None:
        """Wait (bounded) for the child's last output and write the tail; idempotent."""
        if not self.wait(timeout_s):
            # A descendant outside the process group still holds the pipe: keep what we have.
            log.warning(
                "%s: the log is still open after %.0fs; writing its tail now", self.path, timeout_s
            )
            self._finish()

    def _drain(self) -> None:
        try:
            while chunk := os.read(self._fd, _CHUNK):
                self._take(chunk)
        except OSError as exc:
            log.warning("%s: reading the child's output failed: %s", self.path, exc)
        finally:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._finish()

    def _take(self, chunk: bytes) -> None:
        with self._lock:
            self.written += len(chunk)
            if not self._head_full:
                head = chunk[: self.head_bytes - self._head_written]
                if len(head) < len(chunk):  # the head is full: end it at a whole line
                    self._head_full = True
                    head = head[: head.rfind(b"\n") + 1]
                self._write(head)
                self._head_written += len(head)
                chunk = chunk[len(head) :]
            if chunk:
                self._tail.append(chunk)
                self._tail_size += len(chunk)
                while self._tail_size - len(self._tail[0]) >= self.tail_bytes:
                    self._tail_size -= len(self._tail.popleft())

    def _finish(self) -> None:
        with self._lock:
            if self._file is None:
                return
            tail = b"".join(self._tail)[-self.tail_bytes :] if self._tail else b""
            cut = self.written - self._head_written - len(tail)
            if cut > 0:
                # Start the kept tail at a whole line, and say what is missing and why.
                newline = tail.find(b"\n")
                if 0 <= newline < len(tail) - 1:
                    cut, tail = cut + newline + 1, tail[newline + 1 :]
                self._write(
                    f"\n[loadgate: {cut:,} bytes of this log were cut here; it keeps the first "
                    f"{_size(self.head_bytes)} and the last {_size(self.tail_bytes)} of the "
                    f"{self.written:,} bytes written]\n".encode()
                )
            self._write(tail)
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None

    def _write(self, data: bytes) -> None:
        if self._file is None or not data:
            return
        try:
            self._file.write(data)
            self._file.flush()  # readers (start-up failures, tests) look at the file while it runs
        except OSError as exc:  # a full disk must not stall the child: keep draining
            log.warning("%s: writing the log failed: %s", self.path, exc)


def _file_end(path: Path, size: int = 256 * 1024) -> bytes:
    try:
        with path.open("rb") as file:
            file.seek(max(0, path.stat().st_size - size))
            return file.read()
    except OSError:
        return b""


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"
