"""Prometheus's first scrape of the service, awaited beside the warm-up instead of before it.

A private Prometheus applies its scrape targets on a 5 s tick after it starts, so waiting for its
first scrape of the service before starting Locust cost every run about 5 s before its first
request (docs/performance.md, harness overhead). The warm-up is there to be waited through
anyway: when it is at least ``OVERLAP_FROM_S`` long, the same wait (``wait_for_targets``' condition,
``service_scraped``, and its 30 s bound) runs in a thread while the load warms up, and

* if it fails (no scrape within the bound, or Prometheus stops answering), the run's stop
  reason says so and the load stops (a soak does not run for hours
  on a service Prometheus cannot scrape);
* the measurement then checks that the scrape came before the window opened
  (``scraped_before_window``): a first scrape inside the window would make the service's counters
  start late, so such a run is inconclusive, never judged on part of its window.
"""

from __future__ import annotations

import threading

from harness.prometheus_api import PrometheusAPI
from harness.stack.prometheus import service_scraped
from harness.stack.readiness import wait_until

__all__ = ["OVERLAP_FROM_S", "SCRAPE_TIMEOUT_S", "FirstScrape"]

OVERLAP_FROM_S = 8.0  # the 5 s tick, a scrape interval and Locust's start, with room to spare
SCRAPE_TIMEOUT_S = 30.0


class FirstScrape:
    """The wait in a thread; ``stop_reason`` once it has given up, ``stop`` when the load ends."""

    def __init__(self, prometheus_url: str, *, require_service_up: bool) -> None:
        self._scraped: bool | None = None  # None: still waiting
        self._failure: str | None = None  # Prometheus stopped answering while it was awaited
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._wait,
            args=(PrometheusAPI(prometheus_url), require_service_up),  # its own client: a thread
            name="first-scrape",
            daemon=True,
        )
        self._thread.start()

    def _wait(self, api: PrometheusAPI, require_service_up: bool) -> None:
        try:
            self._scraped = wait_until(
                lambda: self._stopped.is_set() or service_scraped(api, require_service_up),
                SCRAPE_TIMEOUT_S,
                interval_s=0.25,
            )
        except Exception as error:  # unreachable, an error answer, a refused query: a reason to
            # stop, not a thread that dies quietly while the load goes on
            self._failure = f"while awaiting Prometheus's first scrape of the service: {error}"

    def stop_reason(self) -> str | None:
        if self._failure is not None:
            return self._failure
        if self._scraped is False:
            return f"Prometheus did not scrape the service within {SCRAPE_TIMEOUT_S:.0f}s"
        return None

    def stop(self) -> None:
        """The load has ended: stop waiting (the window's check in measure() decides)."""
        self._stopped.set()
        self._thread.join(timeout=5)
