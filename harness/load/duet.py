"""Duet runs inside each Locust process (imports gevent): one Locust run loads two services at once.

A duet runs the baseline and the candidate side by side on the same machine, under the same load,
so whatever the machine does to one side it does to the other (Bulej et al., ICPE 2020). What
makes the two sides' samples comparable, window by window:

* **Matched pairs** (closed model): users are spawned in pairs, the first of each pair loads the
  baseline, the second the candidate. The two users of a pair draw the same random numbers (they
  share one stream of ``streams.py``), so they choose the same tasks, ids and waits. They also
  run in **lockstep**: neither starts its next iteration before the other has finished the same
  one, so both sides get the same number of iterations whatever their speed — the slower side
  sets the pair's pace. The sides take turns to **lead**: the baseline's user starts even
  iterations first, the candidate's odd ones, so each side sends first about half the time (the
  request sent second can wait behind the first for a core; paired_windows.py cancels what is left).
* **Alternating arrivals** (open model): the dispatcher hands even arrivals to the baseline's
  users and odd ones to the candidate's, so each side gets half of every second's arrivals.

Every request is labelled with its side (the client metrics' ``side`` label, the window's
records), so the harness compares each 5 s window of one side with the same window of the other.
"""

from __future__ import annotations

import time
from typing import Any

import gevent
from gevent.event import Event

from harness.load.streams import UserStreams
from harness.values.client_metrics import BASELINE_SIDE, CANDIDATE_SIDE, DuetTargets

__all__ = ["SIDES", "Lockstep", "SideBook"]

SIDES = (
    BASELINE_SIDE,
    CANDIDATE_SIDE,
)  # a user's index in its process, even → baseline, odd → candidate
LOCKSTEP_TIMEOUT_S = 30.0  # a partner stuck longer (or stopped) no longer holds its pair back


class Lockstep:
    """Two users of a pair finish iteration k before either starts iteration k + 1, and side
    k % 2 starts it first."""

    def __init__(self, timeout_s: float = LOCKSTEP_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self.finished = [0, 0]
        self._changed = Event()

    def arrive(self, side: int) -> bool:
        """Count the calling side's finished iteration and wait for the other side to catch up.
        False when the partner did not come within the timeout (it is slow, or stopped)."""
        self.finished[side] += 1
        self._wake()
        deadline = time.monotonic() + self.timeout_s
        while self.finished[1 - side] < self.finished[side]:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            # Cooperative scheduling: nothing runs between the check above and this wait, so a
            # wake-up cannot be missed.
            self._changed.wait(remaining)
        if self.finished[side] % 2 != side:
            # Not this side's turn to lead: let the partner, woken above or waiting to be, run
            # (and send its first request) before this greenlet goes on.
            gevent.sleep(0)
        return True

    def _wake(self) -> None:
        changed, self._changed = self._changed, Event()
        changed.set()


class SideBook:
    """Which side each user greenlet loads, handed out in spawn order: even → baseline, odd →
    candidate; users 2k and 2k + 1 are pair k."""

    def __init__(self, targets: DuetTargets, streams: UserStreams) -> None:
        self.targets = targets
        self.streams = streams
        self.spawned = 0
        self._side: dict[object, str] = {}
        self._lockstep: dict[object, tuple[Lockstep, int]] = {}
        self._pairs: dict[int, Lockstep] = {}
        # Per user greenlet: [pair, iteration, requests sent in it] — what names a request.
        self._position: dict[object, list[int]] = {}

    def join(self, user: Any) -> str:
        """Called in the user's greenlet before its on_start: point its client at its side."""
        index, self.spawned = self.spawned, self.spawned + 1
        pair, side_index = divmod(index, 2)
        side = SIDES[side_index]
        me = gevent.getcurrent()
        self._side[me] = side
        self._lockstep[me] = (self._pairs.setdefault(pair, Lockstep()), side_index)
        self._position[me] = [pair, 0, 0]
        self.streams.bind(f"pair {pair}")  # both users of a pair: one stream
        url = self.targets.url(side)
        user.host = url
        client = getattr(user, "client", None)
        if client is not None and hasattr(client, "base_url"):
            client.base_url = url  # HttpSession and FastHttpSession build each URL from it
        return side

    def side(self) -> str:
        """The calling greenlet's side; "" outside any user (not part of the duet)."""
        return self._side.get(gevent.getcurrent(), "")

    def side_index(self) -> int:
        """0 for the baseline, 1 for the candidate (the open model's ticket queue)."""
        return 0 if self.side() == SIDES[0] else 1

    def request_key(self, name: str, method: str) -> tuple[int, int, int, str, str] | None:
        """The calling user's next request, as its pair partner will send it too (None outside a
        user): (pair, iteration, request number, name, method)."""
        position = self._position.get(gevent.getcurrent())
        if position is None:
            return None
        position[2] += 1
        return (position[0], position[1], position[2], name, method)

    def finished_iteration(self) -> int | None:
        """Wait for the partner to finish the same iteration; the pair's index (None outside)."""
        me = gevent.getcurrent()
        entry = self._lockstep.get(me)
        if entry is None:
            return None
        lockstep, side_index = entry
        lockstep.arrive(side_index)
        position = self._position[me]
        position[1] += 1
        position[2] = 0
        return position[0]

    def iteration(self) -> int:
        position = self._position.get(gevent.getcurrent())
        return position[1] if position else 0
