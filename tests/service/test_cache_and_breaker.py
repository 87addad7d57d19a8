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


def test_get_many_answers_and_counts_as_one_get_per_key() -> None:
    c, requests, clock = cache(capacity=3, ttl_s=10)
    c.put("a", "A")
    c.put("b", "B")
    clock.now = 5.0
    c.put("c", "C")
    clock.now = 12.0  # a and b have expired, c has not

    assert c.get_many(["c", "a", "x", "c"]) == ["C", None, None, "C"]
    assert requests.labels("test", "hit")._value.get() == 2
    assert requests.labels("test", "miss")._value.get() == 2
    assert len(c) == 2  # the expired entry it met is gone: "b", never asked for, is left


def test_get_many_keeps_the_least_recently_used_order() -> None:
    c, _, _ = cache(capacity=2)
    c.put("a", "A")
    c.put("b", "B")
    c.get_many(["a"])  # a is now more recent than b
    c.put("c", "C")
    assert c.get_many(["a", "b", "c"]) == ["A", None, "C"]


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


def test_the_cache_never_holds_more_than_its_capacity_however_many_keys() -> None:
    c, _, clock = cache(capacity=1000, ttl_s=30)
    for key in range(100_000):  # a real key space: far more keys than the cache may hold
        clock.now = key * 1e-4  # 10 s in all: nothing expires
        c.put(key, str(key))
        assert len(c) <= 1000
    assert len(c) == 1000
    assert c.get(99_999) == "99999" and c.get(0) is None


def test_entries_unused_for_a_ttl_are_dropped_without_being_asked_for_again() -> None:
    # Keys asked for once must not stay until the cache is full: a soak saw that slow fill as
    # the service's RSS growing for hours. What is left is what was used within the TTL.
    c, _, clock = cache(capacity=50_000, ttl_s=10)
    for key in range(20_000):
        clock.now = key * 0.01  # one new key every 10 ms, for 200 s
        c.put(key, str(key))
    assert len(c) <= 1001  # ≤ 10 s of keys at 100 a second (+ the one just put)
    assert c.get(19_999) == "19999"
