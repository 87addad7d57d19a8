"""Each user's own random stream (issue #14): a locustfile's unseeded ``random.Random()`` and
``random``'s module functions answer, in each user's greenlet, from a stream derived from the
run's seed, the process's index and the user's place — the same seed, the same draws."""

from __future__ import annotations

import random
from collections.abc import Iterator

import gevent
import pytest

from harness.load.streams import UserStreams


@pytest.fixture
def installed() -> Iterator[list[UserStreams]]:
    made: list[UserStreams] = []
    yield made
    for streams in made:
        streams.uninstall()


def draws(seed: int, users: int, made: list[UserStreams], process: int = 0) -> list[list[float]]:
    """What each of ``users`` users draws: three module-level numbers, then three from an
    unseeded ``random.Random()`` (as the shopper locustfile makes in on_start)."""
    streams = UserStreams(seed, process=lambda: process)
    streams.install()
    made.append(streams)
    result: list[list[float]] = [[] for _ in range(users)]

    def user(index: int) -> None:
        streams.bind_next_user()
        gevent.sleep(0.001 * (users - index))  # users interleave; their streams must not
        result[index] += [random.random() for _ in range(3)]
        own = random.Random()
        result[index] += [own.random() for _ in range(3)]

    gevent.joinall([gevent.spawn(user, i) for i in range(users)])
    streams.uninstall()
    return result


def test_the_same_seed_gives_each_user_the_same_draws(installed: list[UserStreams]) -> None:
    assert draws(42, 4, installed) == draws(42, 4, installed)


def test_users_processes_and_seeds_each_draw_their_own(installed: list[UserStreams]) -> None:
    users = draws(42, 4, installed)
    assert len({tuple(u) for u in users}) == 4
    assert draws(43, 4, installed) != users
    assert draws(42, 4, installed, process=1) != users


def test_uninstalled_random_is_python_s_own_again(installed: list[UserStreams]) -> None:
    original = random.Random
    draws(42, 1, installed)
    assert random.Random is original
    random.seed(3)
    first = random.random()
    random.seed(3)
    assert random.random() == first
