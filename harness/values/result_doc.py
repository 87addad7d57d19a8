"""The result document's shape, typed: what result.json holds (docs/result-json.schema.json).

One writer builds it (``build_result``, completed by ``RunProgress.result``); the report sinks
read it. These types mirror the published schema field for field, so a reader that misspells a
key or forgets that a value may be null is caught by mypy, not by a user. Fields may be added
within schema 1: add them here, in the schema and in docs/result-json.md together
(tests/unit/test_result_schema.py holds the two to the same fields). A soak's section:
harness/values/soak_doc.py.

The documents read back from disk (``loadgate page``, ``baseline save``) are checked against
these same types before anyone reads them (harness/result_file.py).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

from harness.values.samples import PerWindow
from harness.values.soak_doc import SoakDoc

__all__ = [
    "BaselineDoc", "BreakingPointDoc", "ClientDoc", "CriterionDoc", "EndpointDoc",
    "EnvironmentDoc", "FingerprintDoc", "GeneratorDoc", "HistoryNoteDoc", "LoadWindowDoc",
    "MonitorSection", "PercentilesDoc", "ProcessDoc", "ProvenanceDoc", "ResultDoc", "RunDoc",
    "SLODoc", "ScoreDoc", "StepDoc", "VerdictName",
]  # fmt: skip

VerdictName = Literal["pass", "warn", "fail", "inconclusive"]
MonitorSection = Literal["soak"]  # the sections a run monitor may add (harness/monitor.py)


class LoadWindowDoc(TypedDict):
    start: str  # ISO 8601, UTC, to the millisecond
    end: str
    seconds: float


class RunDoc(TypedDict):
    id: str
    scenario: str
    target: str
    started_at: str
    load_window: LoadWindowDoc | None  # None: the load stopped before the warm-up ended


class PercentilesDoc(TypedDict):
    """One field per ``PERCENTILE_KEYS`` (harness/values/run_result.py), in ms."""

    p50_ms: float | None
    p90_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    p999_ms: float | None
    max_ms: float | None


class EndpointDoc(PercentilesDoc):
    name: str
    method: str  # "" for the aggregate
    requests: int
    failures: int
    uncorrected: NotRequired[PercentilesDoc]  # open model only: from the actual start
    prometheus_p99_ms: float | None


class ClientDoc(TypedDict):
    total: EndpointDoc
    endpoints: list[EndpointDoc]


class SLODoc(TypedDict):
    name: str
    status: Literal["met", "breached", "no_data"]
    sli: float | None
    objective: float
    events: float | None
    burn_rate: float | None
    budget_consumed: float | None
    detail: str


class CriterionDoc(TypedDict):
    name: str
    observed: float | None
    threshold: float
    status: str  # pass | warn | fail | no_data
    baseline: float | None
    effect_pct: float | None
    confidence_interval_pct: list[float] | None
    p_value: float | None
    weight: float
    key: bool
    detail: str


# "pass" is a Python keyword, so only the functional form can name this document's fields.
ScoreDoc = TypedDict(
    "ScoreDoc",
    {
        "value": float,
        "earned": float,
        "possible": float,
        "pass": float,
        "warning": float,
        "status": str,  # pass | warn | fail
    },
)


class StepDoc(TypedDict):
    index: int
    arrival_rate: float
    start: str
    end: str
    slos: list[SLODoc]


class BreakingPointDoc(TypedDict):
    arrival_rate: float
    step: int
    breached: list[str]


class ProcessDoc(TypedDict):
    process: str  # "pid N", or "worker on HOST (pid N)"
    cpu_max: float


class GeneratorDoc(TypedDict):
    cpu_max: float
    dropped_iterations: int
    target_arrival_rate: float | None
    achieved_arrival_rate: float | None
    exit_code: int | None
    processes: list[ProcessDoc]  # highest CPU first
    iterations: int
    user_errors: int
    problems: list[str]
    warnings: list[str]


class ResultDoc(TypedDict):
    """The whole of result.json. ``build_result`` writes what the gate decided and measured;
    ``RunProgress.result`` adds the series over time and the fingerprint, which every result.json
    written has (the schema requires them), and what only some runs have."""

    schema: int
    verdict: VerdictName
    exit_code: int
    reasons: list[str]
    run: RunDoc
    client: ClientDoc | None  # None: the load generator wrote no results
    slos: list[SLODoc]
    criteria: list[CriterionDoc]
    score: ScoreDoc | None  # None: nothing is scored
    steps: list[StepDoc]
    breaking_point: BreakingPointDoc | None
    generator: GeneratorDoc

    samples: NotRequired[PerWindow]  # endpoint → metric → one value per 5 s window
    slo_samples: NotRequired[PerWindow]  # SLO → burn_rate → one value per 5 s window
    baseline: NotRequired[BaselineDoc]  # only with --baseline
    fingerprint: NotRequired[FingerprintDoc]  # the traffic, for baselines
    soak: NotRequired[SoakDoc]  # only from loadgate soak
    mode: NotRequired[ModeName]  # what the run was compared with (files before it lack it)
    duet: NotRequired[DuetDoc]  # only in a duet
    traffic: NotRequired[TrafficDoc]  # what the traffic exercised (files before #14 lack it)
    provenance: NotRequired[ProvenanceDoc]  # the code under test (files before #16 lack it)
    history: NotRequired[HistoryNoteDoc]  # only with --history: whether the run was recorded


class ProvenanceDoc(TypedDict):
    """The code the run tested, as far as loadgate can tell (harness/history/provenance.py):
    GitHub Actions' variables, else git in the working directory; ``None``: not known."""

    commit: str | None
    branch: str | None
    ci_url: str | None  # the CI run's page


class HistoryNoteDoc(TypedDict):
    """Whether the run went into its history (``--history``): added after the reports are written,
    so a history that failed is noted here while the verdict stands."""

    location: str  # the history, a URL's password redacted
    recorded: bool
    detail: str  # why it was not recorded; "" when it was


class CheckDoc(TypedDict):
    name: str  # the endpoint (request name) whose responses were checked
    check: str
    passed: int
    failed: int


class TrafficDoc(TypedDict):
    """What the run's traffic exercised inside the window (the run's side, in a duet)."""

    seed: int  # repeat the traffic with --seed
    seed_given: bool  # False: drawn for this run
    sessions: int  # begun, as the locustfile reported them (loadgate_session); 0: none reported
    distinct_visitors: int
    visitors_capped: bool  # True: at least distinct_visitors
    checks: list[CheckDoc]  # the locustfile's response checks (loadgate_check)
    cache_hit_ratio: float | None  # the service's (recommender_cache_requests_total); None: none


ModeName = Literal["single", "baseline", "duet"]  # alone; against a saved baseline; side by side


class DetectableDoc(TypedDict):
    criterion: str
    shift_pct: float  # the smallest shift this run's interval would have failed


class DuetDoc(TypedDict):
    """The duet's baseline side, measured beside the candidate (whose numbers are the run's)."""

    baseline_target: str
    baseline_checkout: str | None  # the checkout its reference service was started from
    seed: int  # the user pairs' random streams
    client: ClientDoc | None  # the baseline side's exact numbers
    samples: PerWindow  # the baseline side's windows (the candidate's: ``samples``)
    confidence: float | None  # each comparison's interval, after the run-level correction
    unjudged: list[str]  # criteria not judged, and why (too few requests a window…)
    detectable: list[DetectableDoc]
    # A closed-model duet's paired requests: endpoint → log_ratio → one value per window
    paired: NotRequired[PerWindow]


class BaselineDoc(TypedDict):
    name: str
    samples: PerWindow
    # Since #13, as a duet's: each comparison's confidence, what was not judged, what could be seen.
    confidence: NotRequired[float | None]
    unjudged: NotRequired[list[str]]
    detectable: NotRequired[list[DetectableDoc]]


class EnvironmentDoc(TypedDict):
    cpus: int | None
    python: str


class FingerprintDoc(TypedDict):
    """What must match for two runs to be comparable: the traffic (harness/baseline_file.py)."""

    name: str
    locustfile_sha256: str  # the first 16 hex digits
    model: Literal["open", "closed"]
    users: int
    arrival_rate: float | None
    locust_args: NotRequired[list[str]]  # only when Locust options were passed through
    parameters: NotRequired[dict[str, object]]  # only when the scenario gives load.parameters
    environment: EnvironmentDoc  # for the record, never compared
