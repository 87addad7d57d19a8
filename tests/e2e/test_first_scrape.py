"""Prometheus's first scrape, awaited during the warm-up, is still required before the window.

Against a real private Prometheus: a window that opened before Prometheus first scraped the
service is reported (the run is then inconclusive), one that opened after is not; and the wait
run beside the load gives a stop reason when Prometheus never scrapes the service up.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, start_http_server

from harness.stack import first_scrape
from harness.stack.first_scrape import FirstScrape
from harness.stack.processes import ProcessGroup
from harness.stack.prometheus import ScrapeTargets, scraped_before_window, start_private_prometheus
from harness.values.run_result import LoadWindow
from tests.conftest import free_port, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(90)]


@pytest.fixture
def service_port() -> Iterator[int]:
    """A /metrics that answers, standing in for the service's."""
    registry = CollectorRegistry()
    Counter("first_scrape_test", "a series to scrape", registry=registry).inc()
    port = free_port()
    server, _ = start_http_server(port, addr="127.0.0.1", registry=registry)
    yield port
    server.shutdown()


def test_a_window_that_opened_before_the_first_scrape_is_reported(
    service_port: int, tmp_path: Path
) -> None:
    with ProcessGroup(tmp_path, "first-scrape") as group:
        before_prometheus = time.time()
        targets = ScrapeTargets(f"127.0.0.1:{service_port}", "/metrics", "http", clients=())
        api = start_private_prometheus(group, tmp_path / "prom", tmp_path / "tsdb", targets)
        watch = FirstScrape(api.url, require_service_up=True)
        wait_for(lambda: api.value('max(up{job="loadgate_service"})') == 1, timeout_s=30)
        scraped = time.time()
        assert watch.stop_reason() is None

        early = LoadWindow(before_prometheus, scraped + 1)
        late = LoadWindow(scraped, scraped + 1)
        [problem] = scraped_before_window(api, early, require_service_up=True, lookback_s=60)
        assert "had not scraped the service when the window opened" in problem
        assert scraped_before_window(api, late, require_service_up=True, lookback_s=60) == []


def test_the_wait_beside_the_load_stops_it_when_the_service_is_never_scraped_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(first_scrape, "SCRAPE_TIMEOUT_S", 8.0)
    nothing_there = free_port()  # Prometheus scrapes it: up == 0, never 1
    with ProcessGroup(tmp_path, "first-scrape") as group:
        targets = ScrapeTargets(f"127.0.0.1:{nothing_there}", "/metrics", "http", clients=())
        api = start_private_prometheus(group, tmp_path / "prom", tmp_path / "tsdb", targets)
        watch = FirstScrape(api.url, require_service_up=True)
        assert watch.stop_reason() is None  # still waiting: the load goes on meanwhile
        wait_for(lambda: watch.stop_reason() is not None, timeout_s=20)
        assert watch.stop_reason() == "Prometheus did not scrape the service within 8s"


def test_a_prometheus_that_stops_answering_is_a_stop_reason_not_a_crash() -> None:
    gone = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    watch = FirstScrape(gone, require_service_up=True)
    wait_for(lambda: watch.stop_reason() is not None, timeout_s=20)
    reason = watch.stop_reason()
    assert reason is not None and reason.startswith("while awaiting Prometheus's first scrape")
    assert "did not answer" in reason
    watch.stop()
