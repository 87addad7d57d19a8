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
from collections.abc import Callable, Iterator

import gevent
from gevent.queue import Queue

from harness.load.window import WindowRecorder
from harness.values.arrivals import (
    ArrivalProfile,
    arrival_times,
    expected_arrivals,
    for_process,
    rate_at,
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
        self._schedule: Iterator[float] | None = None  # this process's arrivals, drawn lazily
        self._drawn: float | None = None  # drawn from the schedule, not yet issued

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
            self._greenlet.kill(block=False)  # it never runs again: what it had drawn is ours
        if (
            self.window.start is not None
            and self.window.end is not None
            and self._started_at is not None
        ):
            self.window.arrivals.expected = expected_arrivals(
                self.profile, self._started_at, self.window.start, self.window.end
            )
            self._count_unissued(self._started_at, self.window.start, self.window.end)
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

    def _count_unissued(self, started_at: float, window_start: float, window_end: float) -> None:
        """Make ``scheduled`` every arrival of this process's schedule due inside the window.

        The shortfall is judged against this realized schedule, not against the profile's mean
        (``expected``): a Poisson count over a short window is itself random (±2.6 % for 1,500
        arrivals), so the mean would call a generator that started every arrival short. Arrivals
        the issuing greenlet had not reached (it fell behind) are added here, and so are those
        of a window that opened before this process started its schedule: none of them started.
        """
        due = [self._drawn] if self._drawn is not None else []
        if self._schedule is not None:
            for intended in self._schedule:
                if intended > window_end:
                    break
                due.append(intended)
        self._schedule = self._drawn = None
        self.window.arrivals.scheduled += sum(self.window.is_open(t) for t in due)
        if started_at > window_start:
            missed = (min(started_at, window_end) - window_start) * rate_at(self.profile, 0.0)
            self.window.arrivals.scheduled += round(missed)

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
        self._schedule = arrival_times(self.profile, start, start + HORIZON_S)
        for intended in self._schedule:
            self._drawn = intended
            delay = intended - time.time()
            # Arrivals due within a millisecond go out together: one timer per millisecond, not
            # per arrival, keeps high rates affordable (a user never starts more than 1 ms early).
            if delay > BATCH_S:
                gevent.sleep(delay - BATCH_S / 2)
            if self.window.is_open(intended):
                self.window.arrivals.scheduled += 1
            self.queues[self._issued % len(self.queues)].put(intended)
            self._drawn = None
            self._issued += 1

    def _drop(self, intended: float) -> None:
        if self.window.is_open(intended):
            self.window.arrivals.dropped += 1
        self.on_drop()
