"""Pages sent in order from a thread of their own, so whoever decides to page never waits.

A soak's monitor decides every few seconds; PagerDuty may take up to a minute per event when it
is slow or failing (bounded retries). The monitor puts events on this queue and goes on
evaluating; one sender thread delivers them in order — a trigger always before its resolve —
and ``close`` waits a bounded time for the rest, reporting what could not be sent.
"""

from __future__ import annotations

import queue
import threading

from harness.alert.events import AlertEvent, Event, event_kind
from harness.alert.pager import Delivery, Pager

__all__ = ["QueuedPager"]


class QueuedPager:
    def __init__(self, pager: Pager) -> None:
        self.pager = pager
        self._queue: queue.Queue[Event | None] = queue.Queue()  # None: stop
        self._thread = threading.Thread(target=self._send_all, name="pager", daemon=True)
        self._thread.start()
        self.unsent: list[Delivery] = []  # what close() gave up on

    @property
    def deliveries(self) -> list[Delivery]:
        return [*self.pager.deliveries, *self.unsent]

    def put(self, event: Event) -> None:
        self._queue.put(event)

    def close(self, timeout_s: float) -> None:
        """Deliver what is queued within ``timeout_s``; record the rest as not sent."""
        self._queue.put(None)
        self._thread.join(timeout=timeout_s)
        while True:
            try:
                event = self._queue.get_nowait()
            except queue.Empty:
                return
            if event is not None:
                key = event.dedup_key if isinstance(event, AlertEvent) else None
                detail = f"not sent: PagerDuty was still busy {timeout_s:g}s after the soak ended"
                self.unsent.append(Delivery(event_kind(event), key, False, 0, detail))

    def _send_all(self) -> None:
        while (event := self._queue.get()) is not None:
            self.pager.send(event)  # never raises
