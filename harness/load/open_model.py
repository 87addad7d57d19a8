"""The open-model dispatcher, inside each Locust process that generates load (imports gevent).

A dispatcher greenlet issues *tickets* at their intended start times, whatever the service is
doing. Users take a ticket before each iteration (a task) instead of sleeping a wait time, so
the pool of users is the concurrency available — like wrk2's connections. A ticket that waits
for a free user carries its wait into the iteration's first request: latency is timed from the
intended start (wrk2's correction against coordinated omission). A ticket no user could start
within ``max_lateness_s`` is dropped and counted.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import gevent
from gevent.queue import Queue

from harness.load.window import WindowRecorder
from harness.values.arrivals import (
    ArrivalProfile,
    arrival_times,
    expected_arrivals,
    for_process,
)

__all__ = ["Dispatcher"]

HORIZON_S = 366 * 86400  # arrivals are generated lazily; the run's end stops them
BATCH_S = 0.001


class Dispatcher:
    def __init__(
        self,
        profile: ArrivalProfile,
        window: WindowRecorder,
        on_drop: Callable[[], None],
        sides: int = 1,
    ) -> None:
        self.profile = profile
        self.window = window
        self.on_drop = on_drop
        # A duet has two: arrivals alternate between the baseline's users and the candidate's.
        self.queues: list[Queue[float]] = [Queue() for _ in range(sides)]
        self._issued = 0
        self._greenlet: gevent.Greenlet | None = None
        self._started_at: float | None = None

    def start(self, at: float, process: int = 0, processes: int = 1) -> None:
        """Issue this process's arrivals from ``at``: process ``process`` of ``processes``, so
        the processes' schedules merge into the run's (``for_process``)."""
        if self._started_at is not None:
            return  # started already (a worker hears of the run twice: message and event)
        self.profile = for_process(self.profile, process, processes)
        self._started_at = at
        self._greenlet = gevent.spawn(self._issue, at)

    def stop(self) -> None:
        if self._greenlet is not None:
            self._greenlet.kill(block=False)
        if (
            self.window.start is not None
            and self.window.end is not None
            and self._started_at is not None
        ):
            self.window.arrivals.expected = expected_arrivals(
                self.profile, self._started_at, self.window.start, self.window.end
            )
        # Tickets nobody started: those already too late are dropped, the rest are the run's end
        # (the ones due inside the window are counted as cut off by its end, not as a shortfall).
        now = time.time()
        for tickets in self.queues:
            while not tickets.empty():
                intended = tickets.get_nowait()
                if now - intended > self.profile.max_lateness_s:
                    self._drop(intended)
                elif self.window.is_open(intended):
                    self.window.arrivals.cut += 1

    def take(self, side: int = 0) -> float:
        """Block until an arrival is due for ``side`` (0 outside a duet); return its intended
        start (late ones are dropped)."""
        while True:
            intended: float = self.queues[side].get()
            if time.time() - intended <= self.profile.max_lateness_s:
                if self.window.is_open(intended):
                    self.window.arrivals.started += 1
                return intended
            self._drop(intended)

    def _issue(self, start: float) -> None:
        for intended in arrival_times(self.profile, start, start + HORIZON_S):
            delay = intended - time.time()
            # Arrivals due within a millisecond go out together: one timer per millisecond, not
            # per arrival, keeps high rates affordable (a user never starts more than 1 ms early).
            if delay > BATCH_S:
                gevent.sleep(delay - BATCH_S / 2)
            if self.window.is_open(intended):
                self.window.arrivals.scheduled += 1
            self.queues[self._issued % len(self.queues)].put(intended)
            self._issued += 1

    def _drop(self, intended: float) -> None:
        if self.window.is_open(intended):
            self.window.arrivals.dropped += 1
        self.on_drop()
