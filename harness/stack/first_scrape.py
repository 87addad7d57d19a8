"""Prometheus's first scrape of the service, awaited beside the warm-up instead of before it.

A private Prometheus applies its scrape targets on a 5 s tick after it starts, so waiting for its
first scrape of the service before starting Locust cost every run about 5 s before its first
request (docs/performance.md, harness overhead). The warm-up is there to be waited through
anyway: when it is at least ``OVERLAP_FROM_S`` long, the same wait (``wait_for_targets``, same
condition, same 30 s bound) runs in a thread while the load warms up, and

* if it fails, the run's stop reason says so and the load stops (a soak does not run for hours
  on a service Prometheus cannot scrape);
* the measurement then checks that the scrape came before the window opened
  (``scraped_before_window``): a first scrape inside the window would make the service's counters
  start late, so such a run is inconclusive, never judged on part of its window.
"""

from __future__ import annotations

import threading

from harness.prometheus_api import PrometheusAPI
from harness.stack.prometheus import wait_for_targets

__all__ = ["OVERLAP_FROM_S", "SCRAPE_TIMEOUT_S", "FirstScrape"]

OVERLAP_FROM_S = 8.0  # the 5 s tick, a scrape interval and Locust's start, with room to spare
SCRAPE_TIMEOUT_S = 30.0


class FirstScrape:
    """``wait_for_targets`` in a thread; ``stop_reason`` once it has given up."""

    def __init__(self, prometheus_url: str, *, require_service_up: bool) -> None:
        self._scraped: bool | None = None  # None: still waiting
        self._thread = threading.Thread(
            target=self._wait,
            args=(PrometheusAPI(prometheus_url), require_service_up),  # its own client: a thread
            name="first-scrape",
            daemon=True,
        )
        self._thread.start()

    def _wait(self, api: PrometheusAPI, require_service_up: bool) -> None:
        self._scraped = wait_for_targets(
            api, require_service_up=require_service_up, timeout_s=SCRAPE_TIMEOUT_S
        )

    def stop_reason(self) -> str | None:
        if self._scraped is False:
            return f"Prometheus did not scrape the service within {SCRAPE_TIMEOUT_S:.0f}s"
        return None
