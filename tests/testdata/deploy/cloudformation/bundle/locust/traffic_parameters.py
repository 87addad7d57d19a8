"""The parameters of the shop's traffic, read from a JSON object, and the laws they draw from.

A scenario states them under ``load.parameters``; the harness passes that mapping to the
locustfile as the JSON object in ``LOADGATE_PARAMETERS``. Absent keys take their defaults; every
refused value is named at once, with what is allowed. Standard library only.
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Final

__all__ = [
    "MAX_IDS",
    "PARAMETERS_ENV",
    "ConstantPages",
    "ConstantThink",
    "ExponentialThink",
    "GeometricPages",
    "PagesLaw",
    "ThinkLaw",
    "TrafficParameters",
    "UniformPages",
    "UniformThink",
]

PARAMETERS_ENV: Final = "LOADGATE_PARAMETERS"
# The exact Zipf sampler keeps one cumulative weight per id: 80 MB at this bound.
MAX_IDS: Final = 10_000_000


@dataclass(frozen=True)
class GeometricPages:
    """P(k) = (1 - p)**(k - 1) * p for k ≥ 1, p = 1/mean: the same chance to leave after each page."""

    mean: float

    def draw(self, rng: random.Random) -> int:
        if self.mean == 1:
            return 1
        # Inversion: P(1 + floor(ln U / ln(1 - p)) > k) = (1 - p)**k, U uniform on (0, 1].
        return 1 + int(math.log(1.0 - rng.random()) / math.log1p(-1.0 / self.mean))


@dataclass(frozen=True)
class ConstantPages:
    value: int

    def draw(self, rng: random.Random) -> int:
        return self.value


@dataclass(frozen=True)
class UniformPages:
    min: int
    max: int

    def draw(self, rng: random.Random) -> int:
        return rng.randint(self.min, self.max)


@dataclass(frozen=True)
class ExponentialThink:
    mean_s: float

    def draw(self, rng: random.Random) -> float:
        return rng.expovariate(1.0 / self.mean_s)


@dataclass(frozen=True)
class UniformThink:
    min_s: float
    max_s: float

    def draw(self, rng: random.Random) -> float:
        return rng.uniform(self.min_s, self.max_s)


@dataclass(frozen=True)
class ConstantThink:
    value_s: float

    def draw(self, rng: random.Random) -> float:
        return self.value_s


PagesLaw = GeometricPages | ConstantPages | UniformPages
ThinkLaw = ExponentialThink | UniformThink | ConstantThink


@dataclass(frozen=True)
class TrafficParameters:
    """The shop's traffic, read from a JSON object (``from_mapping``, ``from_environment``)."""

    users: int = 100_000  # the known user base: ids 0..users-1
    user_zipf: float = 1.0  # its popularity law (0: uniform); why 1.0: shoppers.py's docstring
    cold_share: float = 0.05  # sessions by shoppers never seen: ids from users to 2**31-2
    returning_share: float = 0.2  # sessions by a shopper this Locust user served before …
    returning_memory: int = 50  # … one of the last this many
    items: int = 50_000  # the catalog: ids 0..items-1
    item_zipf: float = 1.1  # as the reference catalog's popularity
    categories: int = 40  # trending asks for one of 0..categories-1, or -1 for all
    path_prefix: str = "/v1"  # before /recommendations/… and /events
    page_size: int = 10  # the n each recommendation asks for
    session_pages: PagesLaw = GeometricPages(mean=6.0)  # page views a session, at least 1
    think_time: ThinkLaw = ExponentialThink(mean_s=0.1)  # seconds between page views

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> TrafficParameters:
        """Parameters from a JSON object: absent keys take their defaults; every error at once."""
        errors: list[str] = []
        unknown = sorted(str(key) for key in data if key not in _KEYS)
        if unknown:
            errors.append(f"unknown parameters {', '.join(unknown)}; allowed: {', '.join(_KEYS)}")
        values: dict[str, Any] = {}
        for key, rule in _NUMBERS.items():
            if key in data:
                values[key] = rule.read(key, data[key], errors)
        if "path_prefix" in data:
            prefix = data["path_prefix"]
            if isinstance(prefix, str) and (prefix == "" or _is_prefix(prefix)):
                values["path_prefix"] = prefix
            else:
                errors.append(_refused("path_prefix", prefix, "a path such as /v1, or empty"))
        if "session_pages" in data:
            values["session_pages"] = _read_law(
                "session_pages", data["session_pages"], _PAGES, errors
            )
        if "think_time" in data:
            values["think_time"] = _read_law("think_time", data["think_time"], _THINK, errors)
        shares = [values.get(key, getattr(cls, key)) for key in ("cold_share", "returning_share")]
        if None not in shares and sum(shares) > 1:
            errors.append(_refused("cold_share + returning_share", sum(shares), "at most 1"))
        if errors:
            raise ValueError("; ".join(errors))
        return cls(**values)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> TrafficParameters:
        """Parameters from the JSON object in ``LOADGATE_PARAMETERS`` (absent: every default)."""
        text = environ.get(PARAMETERS_ENV, "")
        if not text.strip():
            return cls()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(
                f"{PARAMETERS_ENV}: not valid JSON ({exc}); allowed: a JSON object of parameters"
            ) from None
        if not isinstance(data, dict):
            raise ValueError(_refused(PARAMETERS_ENV, data, "a JSON object of parameters"))
        try:
            return cls.from_mapping(data)
        except ValueError as exc:
            raise ValueError(f"{PARAMETERS_ENV}: {exc}") from None


@dataclass(frozen=True)
class _Number:
    """A numeric parameter's allowed values, as its error message says them."""

    low: float
    high: float = math.inf
    whole: bool = False
    low_excluded: bool = False

    def allows(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if isinstance(value, float) and (self.whole or not math.isfinite(value)):
            return False
        if not self.whole and abs(value) > 1e300:  # a huge JSON integer: no float holds it
            return False
        above_low = value > self.low if self.low_excluded else value >= self.low
        return above_low and value <= self.high

    def describe(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        if self.high < math.inf:
            return f"{kind} from {_said(self.low)} to {_said(self.high)}"
        return f"{kind} {'>' if self.low_excluded else '≥'} {_said(self.low)}"

    def read(self, key: str, value: object, errors: list[str]) -> int | float | None:
        if not self.allows(value):
            errors.append(_refused(key, value, self.describe()))
            return None
        assert isinstance(value, int | float)
        return int(value) if self.whole else float(value)


_NUMBERS: Final[Mapping[str, _Number]] = {
    "users": _Number(1, MAX_IDS, whole=True),
    "user_zipf": _Number(0),
    "cold_share": _Number(0, 1),
    "returning_share": _Number(0, 1),
    "returning_memory": _Number(1, whole=True),
    "items": _Number(1, MAX_IDS, whole=True),
    "item_zipf": _Number(0),
    "categories": _Number(1, whole=True),
    "page_size": _Number(1, whole=True),
}
_KEYS: Final = tuple(field.name for field in fields(TrafficParameters))

# Each law's fields, in its constructor's order; two fields are a range (min ≤ max).
_PAGES: Final[Mapping[str, tuple[type[PagesLaw], Mapping[str, _Number]]]] = {
    "geometric": (GeometricPages, {"mean": _Number(1)}),
    "constant": (ConstantPages, {"value": _Number(1, whole=True)}),
    "uniform": (UniformPages, {"min": _Number(1, whole=True), "max": _Number(1, whole=True)}),
}
_THINK: Final[Mapping[str, tuple[type[ThinkLaw], Mapping[str, _Number]]]] = {
    "exponential": (ExponentialThink, {"mean_s": _Number(0, low_excluded=True)}),
    "uniform": (UniformThink, {"min_s": _Number(0), "max_s": _Number(0)}),
    "constant": (ConstantThink, {"value_s": _Number(0)}),
}


def _read_law(
    key: str,
    value: object,
    laws: Mapping[str, tuple[type[Any], Mapping[str, _Number]]],
    errors: list[str],
) -> Any:
    """A law from its mapping, e.g. ``{"distribution": "geometric", "mean": 6}``; None if refused."""
    name = value.get("distribution") if isinstance(value, Mapping) else None
    if not isinstance(value, Mapping) or not isinstance(name, str) or name not in laws:
        allowed = "one of " + ", ".join(
            _describe_law(name, rules) for name, (_, rules) in laws.items()
        )
        if isinstance(value, Mapping):
            errors.append(_refused(f"{key}.distribution", name, allowed))
        else:
            errors.append(_refused(key, value, f"a mapping with a distribution, {allowed}"))
        return None
    law, rules = laws[name]
    unknown = sorted(
        str(field) for field in value if field != "distribution" and field not in rules
    )
    missing = [field for field in rules if field not in value]
    if unknown or missing:
        errors.append(
            f"{key}: {name} takes {', '.join(rules)}"
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
            + (f"; missing: {', '.join(missing)}" if missing else "")
        )
        return None
    count = len(errors)
    numbers = [rule.read(f"{key}.{field}", value[field], errors) for field, rule in rules.items()]
    if len(errors) > count:
        return None
    if len(numbers) == 2 and (numbers[0] or 0) > (numbers[1] or 0):
        errors.append(_refused(key, dict(value), _describe_law(name, rules)))
        return None
    return law(*numbers)


def _describe_law(name: str, rules: Mapping[str, _Number]) -> str:
    """E.g. ``uniform {min: a whole number ≥ 1, max: a whole number ≥ 1, min ≤ max}``."""
    said = [f"{field}: {rule.describe()}" for field, rule in rules.items()]
    if len(rules) == 2:  # a range
        said.append(" ≤ ".join(rules))
    return f"{name} {{{', '.join(said)}}}"


def _is_prefix(path: str) -> bool:
    return path.startswith("/") and not path.endswith("/") and "?" not in path


def _said(bound: float) -> str:
    return f"{bound:,.0f}" if bound == int(bound) else f"{bound:g}"


def _refused(key: str, value: object, allowed: str) -> str:
    return f"{key}: {value!r} is not allowed; allowed: {allowed}"
