"""Each user's own random stream, derived from the run's seed: the same seed, the same requests.

Runs inside each Locust process (imports gevent). A locustfile need not know of it: the module
functions of ``random`` (which Locust itself calls to choose tasks and wait times) and an
unseeded ``random.Random()`` answer, in each user's greenlet, from that user's stream, seeded
``"<run seed>:<process index>:<user key>"``:

* outside a duet, the key is the user's place in its process's spawn order, so user k of
  process i draws the same numbers in every run with the same seed — and another user, another
  process or another seed draws others;
* in a duet, both users of a pair share the key (``duet.py``), so both sides get the same traffic.

Code outside any user (the locustfile's module level, Locust's spawner) draws from one stream
seeded ``"<run seed>:<process index>"``. Only ``random`` is routed: ``secrets``,
``random.SystemRandom`` and numpy keep their own sources.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import gevent

__all__ = ["UserStreams"]

# The module-level functions of ``random`` that locustfiles and Locust itself (task choice, wait
# times) call; each answers from the calling user's stream.
_STREAM_FUNCTIONS = (
    "random", "uniform", "triangular", "randint", "randrange", "choice", "choices", "shuffle",
    "sample", "getrandbits", "randbytes", "gauss", "normalvariate", "lognormvariate",
    "expovariate", "vonmisesvariate", "gammavariate", "betavariate", "paretovariate",
    "weibullvariate", "binomialvariate",
)  # fmt: skip


class UserStreams:
    """One random stream per user key, answered to whichever greenlet bound that key."""

    def __init__(self, seed: int, process: Callable[[], int] = lambda: 0) -> None:
        self.seed = seed
        self.process = process  # this process's index among the run's (a worker's, from the master)
        self._by_greenlet: dict[object, random.Random] = {}
        self._shared: random.Random | None = None
        self._original: dict[str, Callable[..., Any]] = {}
        self._spawned = 0

    def bind(self, key: str) -> None:
        """The calling greenlet (a user) draws from stream ``key`` from now on."""
        self._by_greenlet[gevent.getcurrent()] = random.Random(
            f"{self.seed}:{self.process()}:{key}"
        )

    def bind_next_user(self) -> None:
        """The calling greenlet is the next user spawned in this process: its own stream."""
        index, self._spawned = self._spawned, self._spawned + 1
        self.bind(f"user {index}")

    def forget(self) -> None:
        self._by_greenlet.pop(gevent.getcurrent(), None)

    def current(self) -> random.Random:
        stream = self._by_greenlet.get(gevent.getcurrent())
        if stream is not None:
            return stream
        if self._shared is None:
            self._shared = random.Random(f"{self.seed}:{self.process()}")
        return self._shared

    def install(self) -> None:
        """Route ``random``'s module functions, and unseeded ``random.Random()``, to the streams.

        Process-wide: a locustfile's own ``random.choice`` and Locust's task choice then draw
        from the calling user's stream, without any change to the locustfile.
        """
        if self._original:
            return
        for name in _STREAM_FUNCTIONS:
            if hasattr(random, name):
                self._original[name] = getattr(random, name)
                setattr(random, name, self._routed(name))
        streams = self
        original_class = random.Random
        self._original["Random"] = original_class

        class StreamSeededRandom(original_class):  # type: ignore[misc, valid-type]
            """``random.Random()`` without a seed takes its seed from the caller's stream."""

            def __init__(self, x: object = None) -> None:
                super().__init__(streams.current().getrandbits(64) if x is None else x)

        random.Random = StreamSeededRandom  # type: ignore[misc]

    def uninstall(self) -> None:
        for name, function in self._original.items():
            setattr(random, name, function)
        self._original.clear()

    def _routed(self, name: str) -> Callable[..., Any]:
        # Locust calls these once per task at least: the bound user's stream is looked up here,
        # not through ``current()``, to save a call on the common path.
        by_greenlet, getcurrent = self._by_greenlet, gevent.getcurrent

        def call(*args: Any, **kwargs: Any) -> Any:
            stream = by_greenlet.get(getcurrent()) or self.current()
            return getattr(stream, name)(*args, **kwargs)

        call.__name__ = name
        return call
