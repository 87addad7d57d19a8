"""Reading what the plugin wrote in each Locust process: the window, per-endpoint HDR histograms
(corrected and uncorrected), open-model arrival counts, and each process's own account of
itself (``ProcessReports``: its CPU, its iterations and the exceptions its users raised, the
request names it folded).

Histograms from all processes are merged before percentiles are taken, so percentiles are exact
(3 significant digits) for the whole run, not averages of per-process percentiles.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hdrh.histogram import HdrHistogram

from harness.load.paired_windows import paired_windows
from harness.run_folder import CLIENT_RESULTS_GLOB, WINDOW_FILE
from harness.values.run_result import (
    PERCENTILE_KEYS,
    PERCENTILE_RANKS,
    ArrivalCounts,
    ClientStats,
    EndpointStats,
    LoadWindow,
    Percentiles,
)
from harness.values.traffic import CheckCount, TrafficCounts

__all__ = ["ClientResults", "ProcessReports", "ReportedCpu", "percentiles", "read_client_results"]

NO_PERCENTILES = Percentiles(**dict.fromkeys(PERCENTILE_KEYS))  # of a histogram without values


@dataclass(frozen=True)
class ReportedCpu:
    """A process's CPU inside the window, as it measured itself (on its own machine and clock)."""

    pid: int
    host: str
    cpu_max: float | None  # None: no sample fell inside the window (or an older plugin)


@dataclass(frozen=True)
class ProcessReports:
    """Summed over the processes that generated load."""

    cpu: tuple[ReportedCpu, ...] = ()
    iterations: int = 0  # tasks that ran to their end inside the window
    user_errors: int = 0  # tasks (or on_start) that raised inside the window
    error_kinds: tuple[tuple[str, int], ...] = ()  # ("Type: message", count), most frequent first
    folded_names: tuple[str, ...] = ()  # the first request names folded into "(other)"


@dataclass(frozen=True)
class ClientResults:
    window: LoadWindow | None  # None when the load stopped before the warm-up ended
    client: ClientStats | None  # None when no process wrote results (it crashed, or never started)
    processes: int  # how many load-generating processes reported
    arrivals: ArrivalCounts | None = None  # open model only
    reports: ProcessReports = ProcessReports()
    # A closed-model duet's paired requests: endpoint (and "all") → each full window's crossover
    # mean of ln(candidate / baseline) over its pairs (paired_windows.py); None where too few.
    paired: dict[str, list[float | None]] | None = None
    traffic: TrafficCounts = field(
        default_factory=TrafficCounts
    )  # this side's, as the locustfile reported it


@dataclass
class _Merged:
    requests: int
    failures: int
    corrected: HdrHistogram
    uncorrected: HdrHistogram

    def add(self, other: _Merged) -> None:
        self.requests += other.requests
        self.failures += other.failures
        self.corrected.add(other.corrected)
        self.uncorrected.add(other.uncorrected)


def read_client_results(
    results_dir: Path, open_model: bool = False, side: str = ""
) -> ClientResults:
    """The window and the merged histograms of one side (a duet's "baseline" or "candidate"; ""
    outside a duet). Arrival counts and the processes' own reports cover both sides."""
    window = _read_window(results_dir / WINDOW_FILE)
    files = sorted(results_dir.glob(CLIENT_RESULTS_GLOB))
    if not files:
        return ClientResults(window, None, 0)
    merged: dict[tuple[str, str], _Merged] = {}
    counts: list[float] = [0, 0, 0, 0.0, 0]
    payloads = [json.loads(path.read_text(encoding="utf-8")) for path in files]
    for payload in payloads:
        arrivals = payload.get("arrivals", {})
        for i, kind in enumerate(("scheduled", "started", "dropped", "expected", "cut")):
            counts[i] += arrivals.get(kind, 0)
        for entry in payload["endpoints"]:
            if entry.get("side", "") != side:
                continue
            record = _decode(entry)
            key = (entry["name"], entry["method"])
            if key in merged:
                merged[key].add(record)
            else:
                merged[key] = record
    endpoints = tuple(
        _stats(name, method, record) for (name, method), record in sorted(merged.items())
    )
    total: _Merged | None = None
    for record in merged.values():
        if total is None:  # a copy: adding into it must not change the endpoint's own histograms
            total = _Merged(
                record.requests,
                record.failures,
                HdrHistogram.decode(record.corrected.encode()),
                HdrHistogram.decode(record.uncorrected.encode()),
            )
        else:
            total.add(record)
    aggregated = (
        _stats("Aggregated", "", total)
        if total
        else EndpointStats("Aggregated", "", 0, 0, **asdict(NO_PERCENTILES))
    )
    return ClientResults(
        window,
        ClientStats(total=aggregated, endpoints=endpoints),
        len(files),
        ArrivalCounts(int(counts[0]), int(counts[1]), int(counts[2]), counts[3], int(counts[4]))
        if open_model
        else None,
        _reports(payloads),
        paired_windows(payloads, window),
        _traffic(payloads, side),
    )


def _traffic(payloads: list[dict[str, Any]], side: str) -> TrafficCounts:
    """One side's sessions and checks summed over the processes; its visitors as a union (a
    visitor two processes served counts once)."""
    sessions, capped = 0, False
    visitors: set[str] = set()
    checks: dict[tuple[str, str], list[int]] = {}
    for payload in payloads:
        traffic = payload.get("traffic") or {}
        sessions += int((traffic.get("sessions") or {}).get(side, 0))
        visitors.update((traffic.get("visitors") or {}).get(side, ()))
        capped = capped or bool(traffic.get("visitors_capped"))
        for entry in traffic.get("checks") or ():
            if entry.get("side", "") == side:
                counts = checks.setdefault((entry["name"], entry["check"]), [0, 0])
                counts[0] += int(entry["passed"])
                counts[1] += int(entry["failed"])
    return TrafficCounts(
        sessions,
        len(visitors),
        capped,
        tuple(CheckCount(n, c, p, f) for (n, c), (p, f) in sorted(checks.items())),
    )


def _reports(payloads: list[dict[str, Any]]) -> ProcessReports:
    cpu: list[ReportedCpu] = []
    kinds: dict[str, int] = {}
    folded: list[str] = []
    for payload in payloads:
        reported = (payload.get("cpu") or {}).get("max")
        measured = float(reported) if isinstance(reported, int | float) else None
        cpu.append(ReportedCpu(int(payload.get("pid", 0)), str(payload.get("host", "")), measured))
        for kind, count in (payload.get("error_kinds") or {}).items():
            kinds[kind] = kinds.get(kind, 0) + int(count)
        folded += [n for n in payload.get("folded_names") or [] if n not in folded]
    return ProcessReports(
        cpu=tuple(cpu),
        iterations=sum(int(p.get("iterations", 0)) for p in payloads),
        user_errors=sum(int(p.get("user_errors", 0)) for p in payloads),
        error_kinds=tuple(sorted(kinds.items(), key=lambda item: -item[1])),
        folded_names=tuple(folded[:3]),
    )


def percentiles(histogram: HdrHistogram) -> Percentiles:
    """In ms, from a histogram of µs; all None when it holds nothing."""
    if histogram.get_total_count() == 0:
        return NO_PERCENTILES

    def ms(rank: float | None) -> float:
        micros = (
            histogram.get_max_value() if rank is None else histogram.get_value_at_percentile(rank)
        )
        return float(micros) / 1000.0

    return Percentiles(**{key: ms(rank) for key, rank in PERCENTILE_RANKS.items()})


def _decode(entry: dict[str, Any]) -> _Merged:
    corrected = HdrHistogram.decode(entry["hdr_us"].encode("ascii"))
    raw = entry.get("uncorrected_hdr_us")
    uncorrected = (
        HdrHistogram.decode(raw.encode("ascii")) if raw else HdrHistogram.decode(corrected.encode())
    )
    return _Merged(entry["requests"], entry["failures"], corrected, uncorrected)


def _read_window(path: Path) -> LoadWindow | None:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    start, end = payload.get("start"), payload.get("end")
    if not isinstance(start, int | float) or not isinstance(end, int | float) or end <= start:
        return None
    return LoadWindow(start=float(start), end=float(end))


def _stats(name: str, method: str, record: _Merged) -> EndpointStats:
    corrected = percentiles(record.corrected)
    return EndpointStats(
        name,
        method,
        record.requests,
        record.failures,
        **asdict(corrected),  # EndpointStats has the fields of Percentiles
        uncorrected=percentiles(record.uncorrected),
    )
