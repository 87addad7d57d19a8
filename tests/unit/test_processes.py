"""Every process the harness starts is stopped: its forked children too, even if they resist."""

from __future__ import annotations

import sys
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
print(os.getpid(), flush=True)
time.sleep(600)
"""


def test_stubborn_processes_and_their_forked_children_are_killed(tmp_path: Path) -> None:
    with ProcessGroup(tmp_path / "logs", run_id="t", stop_timeout_s=1.0) as group:
        process = group.start("stubborn", [sys.executable, "-c", STUBBORN])
        pids: list[int] = []
        while len(pids) < 2:
            pids = [int(x) for x in process.log_path.read_text().split()]
            assert process.exited() is None
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


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
