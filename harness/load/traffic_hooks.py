"""The two Locust event hooks any locustfile may report its traffic through (a contract:
docs/load.md), inside each Locust process (imports Locust):

* ``environment.events.loadgate_check.fire(name=…, check=…, passed=…)`` — a response checked:
  ``name`` is the request's name (its endpoint), ``check`` what was checked ("full", "in_stock"…).
  Counted in ``loadgate_client_checks_total{name, check, outcome="pass"|"fail", side}``, a
  counter OpenSLO SLOs read like the request counter (recommendation quality: slo/recommender.yaml).
* ``environment.events.loadgate_session.fire(visitor=…)`` — a user began a session as
  ``visitor`` (a shopper id, an account): ``loadgate_client_sessions_total{side}``, and the
  window's distinct visitors in result.json, so a run shows what it exercised.

A locustfile reaches them with ``getattr(environment.events, "loadgate_check", None)``: under
plain ``locust`` they are absent and the locustfile runs unchanged. Names and checks are bounded
like request names (``names.py``), so a check named after an id cannot grow without end.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from locust.env import Environment
from locust.event import EventHook
from prometheus_client import Counter

from harness.load.exporter import ClientMetrics
from harness.load.names import NameBound
from harness.load.window import WindowRecorder
from harness.values.client_metrics import CHECK_EVENT, CHECK_FAILED, CHECK_PASSED, SESSION_EVENT

__all__ = ["install_traffic_hooks"]

MAX_CHECKS = 20  # distinct check names; the shopper locustfile has 4


def install_traffic_hooks(
    environment: Environment,
    metrics: ClientMetrics,
    window: WindowRecorder,
    names: NameBound,
    side: Callable[[], str],
) -> None:
    """Add both hooks to ``environment.events`` and count what is fired through them."""
    checks = NameBound(MAX_CHECKS)
    series: dict[tuple[str, str, str], tuple[Counter, Counter]] = {}
    sessions: dict[str, Counter] = {}

    def on_check(name: str, check: str, passed: bool, **_: Any) -> None:
        name, check, where = names.fold(str(name)), checks.fold(str(check)), side()
        counters = series.get((name, check, where))
        if counters is None:
            # Both outcomes exist from the first check, so "no failures" is a 0, not no data.
            counters = series[(name, check, where)] = (
                metrics.checks.labels(name, check, CHECK_PASSED, where),
                metrics.checks.labels(name, check, CHECK_FAILED, where),
            )
        counters[0 if passed else 1].inc()
        if window.is_open(time.time()):
            window.traffic.check(name, check, bool(passed), where)

    def on_session(visitor: object, **_: Any) -> None:
        where = side()
        counter = sessions.get(where)
        if counter is None:
            counter = sessions[where] = metrics.sessions.labels(where)
        counter.inc()
        if window.is_open(time.time()):
            window.traffic.session(str(visitor), where)

    for event, listener in ((CHECK_EVENT, on_check), (SESSION_EVENT, on_session)):
        hook = getattr(environment.events, event, None)
        if hook is None:
            hook = EventHook()  # type: ignore[no-untyped-call]  # Locust leaves it untyped
            setattr(environment.events, event, hook)
        hook.add_listener(listener)
