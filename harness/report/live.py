"""The view of a run while Locust runs: time left, load, errors and each SLO so far.

    LiveView ─ thread: LiveSampler.sample() every 2 s (Prometheus; live_numbers) ─► Snapshot
             └ on_tick, every 0.5 s from run_locust ─► rich Live on a terminal,
                                                        or one plain line every 15 s (CI logs)

Best effort only: a query that fails shows as "–" and never ends the run. The queries run on
their own thread so a slow Prometheus cannot delay the load loop (its deadline, CPU samples).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from types import TracebackType

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.progress_bar import ProgressBar
from rich.table import Table

from harness.monitor import RunMonitor
from harness.report.formats import num
from harness.report.live_numbers import (
    BURNING,
    MET,
    NO_DATA,
    RECENT,
    UNKNOWN,
    LiveSampler,
    SLOSoFar,
    Snapshot,
)
from harness.values.plan import LoadProfile

__all__ = ["LiveView", "ProgressLines", "plain_line", "render"]

log = logging.getLogger(__name__)

SAMPLE_EVERY_S = 2.0  # Prometheus queries: a handful per SLO, at most this often
LINE_EVERY_S = 15.0  # plain progress lines: CI logs show progress without flooding
STATUS_STYLES = {MET: "green", BURNING: "bold red", NO_DATA: "magenta", UNKNOWN: "dim"}


def render(snapshot: Snapshot) -> RenderableType:
    """The live panel: time and phase, load, then one row per SLO."""
    s = snapshot
    if s.in_warmup:
        phase, done, total = "warm-up", s.elapsed_s, s.warmup_s
    else:
        phase, done, total = "measured window", s.elapsed_s - s.warmup_s, s.duration_s
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("time", f"{_clock(s.elapsed_s)} elapsed · {_clock(s.remaining_s)} remaining")
    bar = Table.grid(padding=(0, 1))
    bar.add_row(
        ProgressBar(total=max(total, 1e-9), completed=min(done, total), width=30),
        f"{phase} {_clock(min(done, total))}/{_clock(total)}",
    )
    head.add_row("phase", bar)
    load = f"{num(s.rate, '.1f')} req/s · p99 {num(s.p99_ms, '.1f')} ms (last {RECENT})"
    head.add_row("load", load)
    head.add_row("errors", f"{num(s.errors, ',.0f')} ({num(s.error_ratio, '.3%')}) since the start")

    slos = Table(title="SLOs so far", title_justify="left", expand=False)
    for column in ("SLO", "objective", "SLI", "events", "status"):
        left = column in ("SLO", "status")
        slos.add_column(column, justify="left" if left else "right", no_wrap=column == "status")
    for slo in s.slos:
        style = STATUS_STYLES[slo.status]
        slos.add_row(
            slo.name,
            num(slo.objective, ".3%"),
            num(slo.sli, ".3%"),
            num(slo.events, ",.0f"),
            f"[{style}]{slo.status}[/]",
        )
    return Panel(Group(head, slos), title="loadgate · live", title_align="left", expand=False)


def plain_line(snapshot: Snapshot) -> str:
    """One line for logs: ``[30s/55s] window: 412 req/s, p99 3.1 ms, 0 errors (0.00%), SLOs: …``."""
    s = snapshot
    phase = "warm-up" if s.in_warmup else "window"
    errors = f"{num(s.errors, '.0f')} errors ({num(s.error_ratio, '.2%')})"
    counts = []
    for status, label in ((MET, MET), (BURNING, BURNING), (NO_DATA, NO_DATA), (UNKNOWN, "unknown")):
        names = [slo.name for slo in s.slos if slo.status == status]
        if names:
            counts.append(
                f"{len(names)} {label}" + (f" ({', '.join(names)})" if status == BURNING else "")
            )
    slos = ", ".join(counts)
    return (
        f"[{_clock(s.elapsed_s)}/{_clock(s.warmup_s + s.duration_s)}] {phase}: "
        f"{num(s.rate, '.0f')} req/s, p99 {num(s.p99_ms, '.1f')} ms, {errors}, "
        f"SLOs: {slos or '–'}"
    )


class ProgressLines:
    """A plain line at most once per ``every_s`` of elapsed time, the first after ``every_s``."""

    def __init__(self, every_s: float = LINE_EVERY_S) -> None:
        self.every_s = every_s
        self._next_s = every_s

    def line(self, snapshot: Snapshot) -> str | None:
        if snapshot.elapsed_s < self._next_s:
            return None
        # The next one is due at the next multiple: a stalled loop catches up with one line.
        self._next_s = (snapshot.elapsed_s // self.every_s + 1) * self.every_s
        return plain_line(snapshot)


class LiveView:
    """Owns the live display for the Locust phase; pass ``on_tick`` to ``run_locust``.

    With a ``console``: a rich ``Live`` on it, redrawn each tick. Without: ``say`` gets one
    plain line every ``line_every_s``. The display and the sampling thread always stop on exit,
    whatever ends the phase (exceptions, Ctrl-C), so the terminal is left clean.
    """

    def __init__(
        self,
        sampler: LiveSampler,
        load: LoadProfile,
        console: Console | None,
        say: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sample_every_s: float = SAMPLE_EVERY_S,
        line_every_s: float = LINE_EVERY_S,
        monitor: RunMonitor | None = None,
    ) -> None:
        self._sampler = sampler
        self._monitor = monitor
        self._console = console
        self._say = say
        self._clock = clock
        self._wall = wall
        self._every_s = sample_every_s
        self._lines = ProgressLines(line_every_s)
        self._latest = Snapshot(
            0.0,
            load.warmup_s,
            load.duration_s,
            slos=tuple(SLOSoFar(slo.name, slo.objective) for slo in sampler.slos),
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_loop, name="live-view", daemon=True)
        self._live: Live | None = None
        self._start = self._start_wall = 0.0

    def __enter__(self) -> LiveView:
        self._start, self._start_wall = self._clock(), self._wall()
        if self._console is not None:
            self._live = Live(
                render(self._latest), console=self._console, auto_refresh=False, transient=False
            )
            self._live.start()
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._live is not None:
            try:
                self._live.update(self._frame(self.snapshot()))  # the last frame stays
            finally:
                self._live.stop()  # cursor back, display closed: even on Ctrl-C
        self._thread.join(timeout=1.0)  # a query in flight ends on its own (daemon thread)

    def snapshot(self) -> Snapshot:
        return replace(self._latest, elapsed_s=self._clock() - self._start)

    def on_tick(self) -> None:
        snapshot = self.snapshot()
        if self._live is not None:
            self._live.update(self._frame(snapshot), refresh=True)
        elif (line := self._lines.line(snapshot)) is not None:
            extra = self._monitor_part(line=True)
            self._say(f"{line} · {extra}" if extra else line)

    def _frame(self, snapshot: Snapshot) -> RenderableType:
        extra = self._monitor_part(line=False)
        return Group(render(snapshot), extra) if extra is not None else render(snapshot)

    def _monitor_part(self, line: bool) -> RenderableType | None:
        """What the monitor adds: its line (str) or its panel; a display must never end the run."""
        if self._monitor is None:
            return None
        try:
            return self._monitor.line() if line else self._monitor.panel()
        except Exception:
            log.info("live view: the monitor's part failed", exc_info=True)
            return None

    def _sample_loop(self) -> None:
        while not self._stop.wait(self._every_s):
            try:
                self._latest = self._sampler.sample(self._latest, self._start_wall, self._wall())
            except Exception:  # a display must never end the run; the numbers stay as they were
                log.info("live view: sampling failed", exc_info=True)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}m{whole % 60:02d}s" if whole >= 60 else f"{whole}s"
