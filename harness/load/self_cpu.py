"""A Locust process's own CPU, sampled from inside it (imports gevent, not Locust).

The harness samples the Locust processes on its own machine; a worker on another machine only
the worker itself can measure. It sends its in-window maximum with its results.
"""

from __future__ import annotations

import time

import gevent
import psutil

from harness.load.window import WindowRecorder

__all__ = ["CPU_SAMPLE_S", "sample_own_cpu"]

CPU_SAMPLE_S = 0.5  # as often as the harness samples the processes it can see


def sample_own_cpu(window: WindowRecorder) -> gevent.Greenlet:
    def run() -> None:
        # cpu_percent covers the real time since the previous call, so a greenlet that runs late
        # in a saturated process still reads the whole interval right.
        process = psutil.Process()
        process.cpu_percent(None)
        since = time.time()
        while True:
            gevent.sleep(CPU_SAMPLE_S)
            now = time.time()
            window.cpu_sample(since, now, process.cpu_percent(None))
            since = now

    return gevent.spawn(run)
