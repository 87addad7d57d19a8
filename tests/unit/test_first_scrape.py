"""Prometheus's first scrape of the service: awaited before the load when the warm-up is short,
during the warm-up when it is long enough — and the window never opens before it.

Prometheus's answers come from a fake whose ``up`` can change (the real first scrape, 5–6 s after
Prometheus's start, is in every e2e run); the harness's reading of them runs for real.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, cast

import pytest

from harness.errors import InconclusiveError, InputError
from harness.prometheus_api import PrometheusAPI
from harness.stack.processes import StartedProcess
from harness.stack.prometheus import FIRST_SCRAPE_S, scraped_before_window
from harness.stages import start_stack
from harness.stages.start_stack import FirstScrape, Stack, wait_for_stack
from harness.values.plan import LoadProfile, Plan
from harness.values.run_result import LoadWindow
from harness.values.slo import SLO

UP = 'up{job="loadgate_service"}'


class FakeAPI(PrometheusAPI):
    """``up`` of the service is ``self.up`` (None: not scraped yet); anything else has no series,
    or ``several`` for a query holding ``requests_total``."""

    def __init__(self, up: float | None = None, several: bool = False) -> None:
        super().__init__("http://127.0.0.1:9")
        self.up = up
        self.several = several
        self.asked_at: list[float | None] = []

    def vector(self, query: str, at: float | None = None) -> list[dict[str, Any]]:
        if UP in query:
            self.asked_at.append(at)
            return [] if self.up is None else [{"metric": {}, "value": [0, str(self.up)]}]
        if self.several and "requests_total" in query:
            return [{"metric": {"route": r}, "value": [0, "1"]} for r in ("/a", "/b")]
        return []


UNSUMMED = SLO(
    name="unsummed",
    service="s",
    source="slo/unsummed.yaml",
    line=4,
    objective=0.99,
    good_query='increase(requests_total{outcome="ok"}[{{window}}])',
    total_query="sum(increase(requests_total[{{window}}]))",
)


def plan(warmup_s: float, slos: tuple[SLO, ...] = ()) -> Plan:
    return Plan(
        name="ci", scenario_path=None, locustfile=Path("l.py"), slo_files=(), slos=slos,
        load=LoadProfile(20, 20.0, 45.0, warmup_s), out_dir=Path("reports"),
    )  # fmt: skip


def stack(api: PrometheusAPI, prometheus_started: float) -> Stack:
    service = cast(StartedProcess, object())  # the reference service: up == 1 is required
    return Stack(api, "http://127.0.0.1:8", (), service, False, None, None, prometheus_started)


def test_a_warm_up_long_enough_lets_the_load_start_before_the_first_scrape() -> None:
    api = FakeAPI(up=None)  # Prometheus started a moment ago: nothing scraped yet
    started = time.monotonic()

    first = wait_for_stack(plan(warmup_s=FIRST_SCRAPE_S), stack(api, started), lambda _: None)

    assert first is not None and not first.seen
    assert time.monotonic() - started < 1.0  # not waited for


def test_a_short_warm_up_waits_for_the_first_scrape_before_the_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = FakeAPI(up=None)
    started = time.monotonic()
    polls = 0
    real = start_stack.service_scraped

    def scraped_on_the_third_poll(*args: Any, **kwargs: Any) -> bool:
        nonlocal polls
        polls += 1
        if polls == 3:
            api.up = 1
        return real(*args, **kwargs)

    monkeypatch.setattr(start_stack, "service_scraped", scraped_on_the_third_poll)

    first = wait_for_stack(plan(warmup_s=0), stack(api, started), lambda _: None)

    assert first is None  # scraped before the load: nothing left to hold the window to
    assert polls == 3


def test_no_scrape_within_the_timeout_is_inconclusive_before_any_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(start_stack, "SCRAPE_TIMEOUT_S", 0.3)
    api = FakeAPI(up=0)  # scraped, but the reference service's /metrics does not answer

    with pytest.raises(InconclusiveError, match="did not scrape the service"):
        wait_for_stack(plan(warmup_s=0), stack(api, time.monotonic()), lambda _: None)


def test_during_the_warm_up_the_load_goes_on_until_the_scrape_and_the_queries_are_checked_then() -> (
    None
):
    api = FakeAPI(up=None, several=True)
    first = FirstScrape(api, (UNSUMMED,), True, deadline=time.monotonic() + 60)

    assert first.stop_reason() is None  # not yet scraped, not yet due: the warm-up goes on
    api.up = 1
    with pytest.raises(InputError, match="unsummed"):  # exit 2 before the window opens
        first.stop_reason()


def test_no_scrape_by_the_windows_opening_stops_the_load_with_a_reason() -> None:
    api = FakeAPI(up=None)
    first = FirstScrape(api, (), True, deadline=time.monotonic() + 60).by(time.monotonic())

    reason = first.stop_reason()

    assert reason is not None and "had not scraped the service" in reason
    api.up = 1  # a scrape after the window opened does not undo it
    assert first.stop_reason() == reason and first.missed == reason


def test_a_scrape_in_time_lets_the_load_run_to_its_end() -> None:
    api = FakeAPI(up=1)
    first = FirstScrape(api, (UNSUMMED,), True, deadline=time.monotonic() + 60)

    assert first.stop_reason() is None and first.seen
    assert first.stop_reason() is None and first.missed is None


def test_the_measurements_are_partial_without_a_scrape_at_the_windows_start() -> None:
    window = LoadWindow(100.0, 145.0)

    assert scraped_before_window(FakeAPI(up=1), window, require_service_up=True) == []
    [problem] = scraped_before_window(FakeAPI(up=None), window, require_service_up=True)
    assert "when the window opened" in problem
    assert scraped_before_window(FakeAPI(up=0), window, require_service_up=False) == []
    api = FakeAPI(up=1)
    scraped_before_window(api, window, require_service_up=True)
    assert api.asked_at == [100.0]  # as of the window's start, not now
