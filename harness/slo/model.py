"""The harness's own SLO model, independent of the spec format it was read from."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SLO", "WINDOW_PLACEHOLDER", "render_query"]

# Queries carry this placeholder; the harness fills it with the window it evaluates over.
WINDOW_PLACEHOLDER = re.compile(r"\{\{\s*\.?window\s*\}\}")


@dataclass(frozen=True)
class SLO:
    """A ratio SLO: SLI = good / total (or 1 − bad / total), met when SLI ≥ objective."""

    name: str
    service: str
    source: str  # the file it was defined in
    objective: float  # a ratio in (0, 1)
    total_query: str
    good_query: str | None = None
    bad_query: str | None = None
    time_window_s: float = 28 * 86400  # the SLO's own window, for budget arithmetic
    display_name: str = ""
    description: str = ""

    @property
    def error_budget(self) -> float:
        """The share of events allowed to be bad."""
        return 1.0 - self.objective


def render_query(query: str, window: str) -> str:
    """Fill the ``{{window}}`` placeholder with a PromQL range such as ``45000ms``."""
    return WINDOW_PLACEHOLDER.sub(window, query)
