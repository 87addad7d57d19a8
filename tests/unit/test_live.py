"""The live view during a run: what it shows, how often CI logs get a line, and that it never
breaks the run or the terminal."""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from harness.errors import InconclusiveError
from harness.prometheus_api import PrometheusAPI, QueryError
from harness.report.live import LiveView, ProgressLines, plain_line, render
from harness.report.live_numbers import (
    BURNING,
    MET,
    NO_DATA,
    UNKNOWN,
    LiveSampler,
    SLOSoFar,
    Snapshot,
)
from harness.values.plan import LoadProfile
from harness.values.slo import SLO

SLOS = (
    SLOSoFar("home-availability", 0.995, MET, 0.9991, 4120.0),
    SLOSoFar("home-latency", 0.99, BURNING, 0.9712, 4120.0),
    SLOSoFar("home-availability-server", 0.999, NO_DATA),
    SLOSoFar("home-latency-server", 0.99, UNKNOWN),
)
SNAPSHOT = Snapshot(
    elapsed_s=8.4,
    warmup_s=3.0,
    duration_s=12.0,
    rate=412.26,
    p99_ms=3.14,
    requests=4200.0,
    errors=21.0,
    slos=SLOS,
)
LOAD = LoadProfile(users=20, spawn_rate=20, duration_s=40, warmup_s=5)


def text(renderable: Any, width: int = 120) -> str:
    console = Console(record=True, width=width, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


def test_the_panel_shows_time_load_errors_and_each_slo_so_far() -> None:
    out = text(render(SNAPSHOT))

    assert "8s elapsed · 6s remaining" in out
    assert "measured window 5s/12s" in out
    assert "412.3 req/s" in out and "p99 3.1 ms" in out
    assert "21 (0.500%) since the start" in out
    rows = {line.split("│")[2].strip(): line for line in out.splitlines() if "home-" in line}
    assert "met so far" in rows["home-availability"] and "99.910%" in rows["home-availability"]
    assert "burning" in rows["home-latency"] and "97.120%" in rows["home-latency"]
    assert "no data yet" in rows["home-availability-server"]
    assert "–" in rows["home-latency-server"]
    assert "4,120" in rows["home-latency"]


def test_during_the_warm_up_the_panel_says_so_and_unread_numbers_are_dashes() -> None:
    out = text(render(Snapshot(elapsed_s=1.2, warmup_s=3.0, duration_s=60.0)))

    assert "1s elapsed · 1m01s remaining" in out
    assert "warm-up 1s/3s" in out
    assert "– req/s · p99 – ms" in out
    assert "– (–) since the start" in out


def test_past_the_planned_time_nothing_goes_negative() -> None:
    out = text(render(Snapshot(elapsed_s=17.0, warmup_s=3.0, duration_s=12.0)))

    assert "17s elapsed · 0s remaining" in out
    assert "measured window 12s/12s" in out


def test_the_plain_line_counts_slos_by_status_and_names_those_burning() -> None:
    assert plain_line(SNAPSHOT) == (
        "[8s/15s] window: 412 req/s, p99 3.1 ms, 21 errors (0.50%), "
        "SLOs: 1 met so far, 1 burning (home-latency), 1 no data yet, 1 unknown"
    )
    empty = Snapshot(elapsed_s=2.0, warmup_s=3.0, duration_s=12.0)
    assert plain_line(empty) == "[2s/15s] warm-up: – req/s, p99 – ms, – errors (–), SLOs: –"


def test_plain_lines_come_every_15_s_and_a_stalled_loop_catches_up_with_one() -> None:
    lines = ProgressLines(every_s=15.0)
    ticks = [i * 0.5 for i in range(0, 93)]  # 0 … 46 s, as run_locust ticks
    printed = [t for t in ticks if lines.line(Snapshot(t, 5.0, 40.0)) is not None]
    assert printed == [15.0, 30.0, 45.0]

    stalled = ProgressLines(every_s=15.0)
    assert [t for t in (14.0, 40.0, 44.5, 45.0) if stalled.line(Snapshot(t, 5.0, 40.0))] == [
        40.0,
        45.0,
    ]


class FakeAPI(PrometheusAPI):
    """Answers from a table keyed by a fragment of the query; raises what the table says."""

    def __init__(self, answers: dict[str, Any]) -> None:
        super().__init__("http://127.0.0.1:9")
        self.answers = answers
        self.queries: list[str] = []

    def _answer(self, query: str) -> Any:
        self.queries.append(query)
        for fragment, answer in self.answers.items():
            if fragment in query:
                if isinstance(answer, Exception):
                    raise answer
                return answer
        return None

    def value(self, query: str, at: float | None = None) -> float | None:
        answer = self._answer(query)
        return None if isinstance(answer, list) else answer

    def vector(self, query: str, at: float | None = None) -> list[dict[str, Any]]:
        answer = self._answer(query)
        return answer if isinstance(answer, list) else []


def slo(name: str, metric: str, objective: float) -> SLO:
    return SLO(
        name,
        "recommender",
        "slo.yaml",
        objective,
        good_query=f'sum(increase({metric}{{ok="1"}}[{{{{window}}}}]))',
        total_query=f"sum(increase({metric}[{{{{window}}}}]))",
    )


def test_the_sampler_judges_each_slo_so_far_and_a_rejected_query_is_a_dash() -> None:
    slos = (slo("fast", "fast_total", 0.99), slo("slow", "slow_total", 0.99))
    slos += (slo("quiet", "quiet_total", 0.99), slo("broken", "broken_total", 0.99))
    api = FakeAPI(
        {
            "sum by (outcome)": [
                {"metric": {"outcome": "ok"}, "value": [0, "990"]},
                {"metric": {"outcome": "error"}, "value": [0, "10"]},
            ],
            "histogram_quantile": QueryError("bad query"),
            "rate(loadgate_client_requests_total": 99.5,
            'fast_total{ok="1"}': 1000.0,
            "fast_total": 1000.0,
            'slow_total{ok="1"}': 900.0,
            "slow_total": 1000.0,
            "broken_total": QueryError("bad query"),
        }
    )

    got = LiveSampler(api, slos).sample(Snapshot(4.0, 3.0, 12.0), start=100.0, now=104.0)

    assert (got.rate, got.p99_ms, got.requests, got.errors) == (99.5, None, 1000.0, 10.0)
    assert got.error_ratio == pytest.approx(0.01)
    assert [(s.name, s.status) for s in got.slos] == [
        ("fast", MET),
        ("slow", BURNING),
        ("quiet", NO_DATA),
        ("broken", UNKNOWN),
    ]
    assert got.slos[1].sli == pytest.approx(0.9)
    # The SLIs are over the elapsed time so far, in the same exact-millisecond form as the gate.
    assert any("fast_total[4000ms]" in q for q in api.queries)


def test_prometheus_not_answering_blanks_the_numbers_without_raising() -> None:
    api = FakeAPI({"": InconclusiveError("Prometheus at … did not answer")})
    base = Snapshot(4.0, 3.0, 12.0, rate=10.0, p99_ms=2.0, requests=5.0, errors=0.0)

    got = LiveSampler(api, (slo("fast", "fast_total", 0.99),)).sample(base, 100.0, 104.0)

    assert (got.rate, got.p99_ms, got.requests, got.errors) == (None, None, None, None)
    assert [s.status for s in got.slos] == [UNKNOWN]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_without_a_terminal_say_gets_one_line_per_15_s_of_ticks() -> None:
    clock, said = Clock(), []
    sampler = LiveSampler(FakeAPI({}), (slo("fast", "fast_total", 0.99),))
    view = LiveView(sampler, LOAD, None, said.append, clock=clock, sample_every_s=3600)

    with view:
        for _ in range(80):  # 40 s of run_locust ticks
            clock.now += 0.5
            view.on_tick()

    assert [line.split("]")[0] for line in said] == ["[15s/45s", "[30s/45s"]
    assert "SLOs: 1 no data yet" in said[0]


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_the_live_display_is_stopped_and_the_cursor_restored_whatever_ends_the_phase(
    error: BaseException,
) -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    clock = Clock()
    sampler = LiveSampler(FakeAPI({}), (slo("fast", "fast_total", 0.99),))

    with pytest.raises(type(error)), LiveView(sampler, LOAD, console, print, clock=clock) as view:
        clock.now += 7.0
        view.on_tick()
        raise error

    out = screen.getvalue()
    assert "\x1b[?25l" in out  # the cursor was hidden while live …
    assert out.endswith("\x1b[?25h")  # … and shown again at the very end
    assert "7s elapsed · 38s remaining" in out and "no data yet" in out
