"""The TTL+LRU cache and the circuit breaker, with a controllable clock."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from services_under_test.recommender.breaker import BreakerState, CircuitBreaker
from services_under_test.recommender.cache import TtlLruCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def cache(capacity: int = 2, ttl_s: float = 10.0) -> tuple[TtlLruCache[str], Counter, Clock]:
    requests = Counter("c", "c", ["cache", "result"], registry=CollectorRegistry())
    clock = Clock()
    return TtlLruCache("test", capacity, ttl_s, requests, clock=clock), requests, clock


def test_hits_and_misses_are_counted() -> None:
    c, requests, _ = cache()
    assert c.get("a") is None
    c.put("a", "A")
    assert c.get("a") == "A"
    assert requests.labels("test", "hit")._value.get() == 1
    assert requests.labels("test", "miss")._value.get() == 1


def test_entries_expire_after_their_ttl() -> None:
    c, _, clock = cache(ttl_s=10)
    c.put("a", "A")
    clock.now = 10.5
    assert c.get("a") is None
    assert len(c) == 0


def test_the_least_recently_used_entry_goes_first() -> None:
    c, _, _ = cache(capacity=2)
    c.put("a", "A")
    c.put("b", "B")
    c.get("a")  # a is now more recent than b
    c.put("c", "C")
    assert (c.get("a"), c.get("b"), c.get("c")) == ("A", None, "C")


def test_the_breaker_opens_after_repeated_failures_and_fails_fast() -> None:
    clock = Clock()
    changes: list[BreakerState] = []
    breaker = CircuitBreaker(
        failure_threshold=3, reset_after_s=5, on_change=changes.append, clock=clock
    )
    for _ in range(3):
        assert breaker.allow()
        breaker.failure()
    assert breaker.state is BreakerState.OPEN
    assert not breaker.allow()
    assert changes == [BreakerState.OPEN]


def test_the_breaker_half_opens_for_one_trial_then_closes_on_success() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_after_s=5, clock=clock)
    breaker.failure()
    clock.now = 5.0
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()
    assert not breaker.allow()  # one trial at a time
    breaker.success()
    assert breaker.state is BreakerState.CLOSED


def test_a_failed_trial_opens_the_breaker_again() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_after_s=5, clock=clock)
    breaker.failure()
    clock.now = 5.0
    assert breaker.allow()
    breaker.failure()
    assert breaker.state is BreakerState.OPEN
    clock.now = 9.0
    assert not breaker.allow()
