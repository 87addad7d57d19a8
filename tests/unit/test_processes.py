"""Every process the harness starts is stopped: its forked children too, even if they resist."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import psutil
import pytest

from harness.stack.processes import ProcessGroup

# A parent that forks a child; both ignore SIGTERM, as a wedged process would.
STUBBORN = """
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
child = os.fork()
if child == 0:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
os.write(1, f"{os.getpid()}\\n".encode())  # one write: the two processes' lines never mix
time.sleep(600)
"""


def test_stubborn_processes_and_their_forked_children_are_killed(tmp_path: Path) -> None:
    with ProcessGroup(tmp_path / "logs", run_id="t", stop_timeout_s=1.0) as group:
        process = group.start("stubborn", [sys.executable, "-c", STUBBORN])
        pids: list[int] = []
        while len(pids) < 2:
            pids = [int(x) for x in process.log_path.read_text().split()]
            assert process.exited() is None
    # SIGKILL is delivered asynchronously: on a busy machine an orphaned child may still be
    # scheduled for a few milliseconds after the group was signalled. A bounded look, not a sleep.
    assert [pid for pid in pids if _alive_after(pid, timeout_s=3.0)] == []


def _alive_after(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return False
        except psutil.NoSuchProcess:
            return False
        time.sleep(0.01)
    return True


def test_an_exception_inside_the_block_still_stops_everything(tmp_path: Path) -> None:
    started = None
    try:
        with ProcessGroup(tmp_path / "logs") as group:
            started = group.start("sleeper", [sys.executable, "-c", "import time; time.sleep(600)"])
            raise RuntimeError("the run failed")
    except RuntimeError:
        pass
    assert started is not None and started.exited() is not None


def test_children_carry_the_run_id_so_leftovers_can_be_found(tmp_path: Path) -> None:
    with ProcessGroup(tmp_path / "logs", run_id="run-42") as group:
        process = group.start(
            "env", [sys.executable, "-c", "import os; print(os.environ['LOADGATE_RUN_ID'])"]
        )
        process.popen.wait(timeout=30)
    assert process.log_path.read_text().strip() == "run-42"


def test_children_never_inherit_the_pagerduty_routing_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOADGATE_PAGERDUTY_ROUTING_KEY", "k" * 32)
    monkeypatch.setenv("LOADGATE_SOMETHING_ELSE", "kept")
    with ProcessGroup(tmp_path / "logs", run_id="run-7") as group:
        process = group.start(
            "env",
            [
                sys.executable,
                "-c",
                "import os; print(sorted(k for k in os.environ if k.startswith('LOADGATE_')))",
            ],
        )
        process.popen.wait(timeout=30)
    assert process.log_path.read_text().strip() == "['LOADGATE_RUN_ID', 'LOADGATE_SOMETHING_ELSE']"


# Numbered lines, far more than the bound; the last line is printed after a pause, so a reader
# can look at the tail while the process still runs.
CHATTY = """
import sys, time
for i in range(200_000):
    sys.stdout.write(f"line {i:06d} " + "x" * 20 + "\\n")
sys.stdout.flush()
print("still running", flush=True)
time.sleep(float(sys.argv[1]))
print("the last line", flush=True)
"""


def test_a_chatty_child_keeps_the_head_and_tail_of_its_log_and_says_what_was_cut(
    tmp_path: Path,
) -> None:
    with ProcessGroup(tmp_path / "logs", log_bytes=(64 * 1024, 32 * 1024)) as group:
        process = group.start("chatty", [sys.executable, "-c", CHATTY, "0"])
        process.popen.wait(timeout=60)
        assert process.log_tail(2) == "still running\nthe last line"
    text = process.log_path.read_text()
    written = 200_000 * 33 + len("still running\nthe last line\n")
    assert process.log.written == written
    assert len(text) < 64 * 1024 + 32 * 1024 + 300, "the log is bounded"
    assert text.startswith("line 000000 ")  # the head: how it started
    assert text.endswith("still running\nthe last line\n")  # the tail: how it ended
    marker = [line for line in text.splitlines() if line.startswith("[loadgate:")]
    assert len(marker) == 1 and f"of the {written:,} bytes written" in marker[0]
    cut = int(marker[0].split()[1].replace(",", ""))
    kept_lines = [line for line in text.splitlines() if line.startswith("line ")]
    # Whole lines on both sides of the cut, and nothing lost or counted twice.
    assert all(len(line) == 32 for line in kept_lines)
    assert len(text.encode()) - len(marker[0]) - 2 + cut == written


def test_the_tail_of_a_cut_log_is_readable_while_the_child_runs(tmp_path: Path) -> None:
    with ProcessGroup(tmp_path / "logs", log_bytes=(1024, 1024), stop_timeout_s=2.0) as group:
        process = group.start("chatty", [sys.executable, "-c", CHATTY, "600"])
        deadline = time.monotonic() + 60
        while process.log_tail(1) != "still running":
            assert time.monotonic() < deadline, process.log_tail(3)
            time.sleep(0.05)
        assert process.log_tail(2).startswith("line 199999 ")
        head = process.log_path.read_text()
        assert len(head) <= 1024 and head.endswith("\n"), (
            "only the head, whole lines, while it runs"
        )


# Takes 1.5 s to shut down once asked, as a service draining its connections would.
SLOW_TO_STOP = """
import os, signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: (time.sleep(1.5), sys.exit(0)))
os.write(1, b"ready\\n")
time.sleep(600)
"""


def test_leaving_the_block_stops_every_process_at_once_not_one_after_the_other(
    tmp_path: Path,
) -> None:
    with ProcessGroup(tmp_path / "logs", run_id="t", stop_timeout_s=10.0) as group:
        slow = [group.start(f"slow-{i}", [sys.executable, "-c", SLOW_TO_STOP]) for i in range(3)]
        for process in slow:
            while "ready" not in process.log_path.read_text():
                assert process.exited() is None
                time.sleep(0.05)
        leaving = time.monotonic()
    took = time.monotonic() - leaving

    assert [process.exited() for process in slow] == [0, 0, 0]  # each stopped on its own
    assert took < 3.0, took  # one after the other: 4.5 s at least
