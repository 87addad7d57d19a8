"""What a locustfile reported about its traffic inside the window, in one Locust process: the
sessions it began, the distinct visitors they were for, and each response check's passes and
failures (the plugin's ``loadgate_session`` and ``loadgate_check`` hooks).

Pure (no Locust, no gevent): the plugin feeds it, tests can too. The harness merges the processes'
tallies (harness/load/results.py): visitors as a union, so a visitor two processes served counts
once.
"""

from __future__ import annotations

from collections import defaultdict

__all__ = ["MAX_VISITORS", "TrafficTally"]

# Distinct visitors kept per side and process: beyond it the count is a lower bound (``capped``),
# so a multi-hour soak's results file stays a few MB.
MAX_VISITORS = 200_000


class TrafficTally:
    def __init__(self) -> None:
        self.sessions: dict[str, int] = defaultdict(int)  # side → sessions begun
        self.visitors: dict[str, set[str]] = defaultdict(set)  # side → distinct visitors
        self.capped = False
        # (name, check, side) → [passed, failed]
        self.checks: dict[tuple[str, str, str], list[int]] = {}

    def session(self, visitor: str, side: str = "") -> None:
        self.sessions[side] += 1
        seen = self.visitors[side]
        if visitor in seen:
            return
        if len(seen) >= MAX_VISITORS:
            self.capped = True
            return
        seen.add(visitor)

    def check(self, name: str, check: str, passed: bool, side: str = "") -> None:
        counts = self.checks.get((name, check, side))
        if counts is None:
            counts = self.checks[(name, check, side)] = [0, 0]
        counts[0 if passed else 1] += 1

    def as_json(self) -> dict[str, object]:
        return {
            "sessions": dict(self.sessions),
            "visitors": {side: sorted(ids) for side, ids in self.visitors.items()},
            "visitors_capped": self.capped,
            "checks": [
                {
                    "name": name,
                    "check": check,
                    "side": side,
                    "passed": counts[0],
                    "failed": counts[1],
                }
                for (name, check, side), counts in sorted(self.checks.items())
            ],
        }
